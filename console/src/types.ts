/** The API's answers, as far as the console reads them (the OpenAPI document has them whole). */

export interface SessionInfo {
  user: { id: string; email: string; name: string | null; createdAt: string; operator: boolean };
  activeAccount: { id: string; tenantId: string } | null;
  accounts: { id: string; tenant: { id: string; name: string }; roles: string[] }[];
  expiresAt: string;
  /** An operator (false while viewing as an account, whatever the user is). */
  operator: boolean;
  viewAs: {
    id: string;
    accountId: string;
    tenantId: string;
    reason: string;
    expiresAt: string;
  } | null;
}

/** GET /v1/tenancy's `permissions`: the tenant permission behind each administrative power. */
export interface TenancyPowers {
  viewMembers: string;
  readAudit: string;
  manageRoles: string;
  linkObjects: string;
  askAboutMembers: string;
  invite: string;
  manageRole: Record<string, string>;
}

export interface Abilities {
  accountId: string;
  roles: string[];
  permissions: Record<string, boolean>;
}

export interface Member {
  accountId: string;
  userId: string;
  email: string;
  name: string | null;
  since: string;
  roles: string[];
}

export interface Invitation {
  id: string;
  email: string;
  role: string;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
}

export interface Role {
  id: string;
  name: string;
  permissions: string[];
  members: string[];
}

export interface SchemaInfo {
  schema: string;
  definitions: {
    name: string;
    doc: string | null;
    relations: { name: string; doc: string | null; subjects: string[] }[];
    permissions: { name: string; doc: string | null; expression: string }[];
  }[];
  caveats: {
    name: string;
    doc: string | null;
    parameters: { name: string; type: string }[];
    expression: string;
  }[];
}

export type Permissionship = "has_permission" | "no_permission" | "conditional";

export interface ExplainNode {
  check: string;
  kind: "relation" | "permission";
  result: Permissionship;
  caveat?: { name: string; expression: string; result: string };
  cached?: true;
  children?: ExplainNode[];
  withheld?: string;
}

export interface CheckAnswer {
  allowed: boolean;
  permissionship: Permissionship;
  subject: string;
  missingContext?: string[];
  explain?: ExplainNode;
}

export interface AuditEntry {
  id: string;
  tenantId: string | null;
  at: string;
  actor: { type: string; id: string; accountId: string | null };
  ip: string | null;
  action: string;
  updates: unknown;
  zedtoken: string | null;
}
