/** Row types of the identity tables (users, sessions, tenants, …), shared by SQLite and Postgres. */

export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
  /** 1: an operator of this installation (see README: `tenantgate user create --operator`). */
  operator: number;
}

export interface SessionsTable {
  id: string;
  /** SHA-256 of the token's secret part, hex. The secret itself is never stored. */
  secret_hash: string;
  user_id: string;
  active_account_id: string | null;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  absolute_expires_at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface TenantsTable {
  id: string;
  name: string;
  created_at: number;
  /** null: an organisation; "personal": one user's own workspace; "sandbox": the shared one. */
  kind: string | null;
}

/** An attribute of a person (`platform:main#admin`), written for every account they have. */
export interface UserAttributesTable {
  user_id: string;
  attribute: string;
  created_at: number;
}

export interface AccountsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  created_at: number;
  disabled_at: number | null;
}

export interface InvitationsTable {
  id: string;
  tenant_id: string;
  email: string;
  role: string;
  token_hash: string;
  invited_by_account_id: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_account_id: string | null;
  revoked_at: number | null;
  revoked_by_account_id: string | null;
}

export interface ServiceKeysTable {
  id: string;
  name: string;
  /** "check": read-only questions; "write": may also change relationships. */
  scope: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
}

/** One row (id = 1): the zedtoken of the newest write tenantgate acknowledged. */
export interface AuthzFreshnessTable {
  id: number;
  token: string;
  written_at: number;
}

/** One row per relationship change tenantgate made: who, when, from where, what, at which zedtoken. */
export interface AuditLogTable {
  id: string;
  tenant_id: string | null;
  at: number;
  /** "user" (a session) or "service" (a service key). */
  actor_type: string;
  /** The user id or service key id. */
  actor_id: string;
  /** The account the user acted as, if any. */
  account_id: string | null;
  ip: string | null;
  action: string;
  /** JSON: the exact updates or the delete filter, in SpiceDB's string syntax. */
  updates: string;
  zedtoken: string | null;
}

export interface RolesTable {
  id: string;
  tenant_id: string;
  name: string;
  created_at: number;
}

/** An operator's stated, time-limited, read-only look at the console as one account sees it. */
export interface ViewAsGrantsTable {
  id: string;
  operator_user_id: string;
  account_id: string;
  tenant_id: string;
  reason: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
}

export interface Tables {
  users: UsersTable;
  sessions: SessionsTable;
  tenants: TenantsTable;
  accounts: AccountsTable;
  invitations: InvitationsTable;
  service_keys: ServiceKeysTable;
  authz_freshness: AuthzFreshnessTable;
  audit_log: AuditLogTable;
  roles: RolesTable;
  user_attributes: UserAttributesTable;
  view_as_grants: ViewAsGrantsTable;
}
