/**
 * Who may write which relationships: the one documented place (docs/relationships.md explains it).
 * Decisions themselves are SpiceDB checks; this file only names the permissions and relations.
 */
export const WRITE_POLICY = {
  /** The permission the acting account needs on an object to change that object's relationships. */
  defaultPermission: "manage",
  /** Exceptions to defaultPermission, by `type` or `type#relation` (the more specific wins). */
  permissionOverrides: {} as Record<string, string>,
  /** The relation that links an object to its tenant (`project:p1#tenant@tenant:t1`). */
  tenantRelation: "tenant",
  /** The permission on the tenant needed to link an object to it (or unlink it). */
  linkPermission: "manage",
  /**
   * `type#relation` pairs whose subjects may belong to another tenant: explicit opt-in to
   * cross-tenant sharing by the schema owner. Empty: no sharing across tenants.
   */
  crossTenantRelations: new Set<string>(),
  /**
   * The tenancy core, changed only through the membership and roles APIs so that their rules
   * (last owner, one account per user and tenant) hold.
   */
  coreRelations: new Set([
    "tenant#owner",
    "tenant#admin",
    "tenant#member",
    "tenant#role",
    "role#tenant",
  ]),
  /** Types whose every relation is core. */
  coreTypes: new Set(["account", "user"]),
} as const;

export function writePermissionFor(type: string, relation: string): string {
  return (
    WRITE_POLICY.permissionOverrides[`${type}#${relation}`] ??
    WRITE_POLICY.permissionOverrides[type] ??
    WRITE_POLICY.defaultPermission
  );
}

export function isCoreRelation(type: string, relation: string): boolean {
  return WRITE_POLICY.coreTypes.has(type) || WRITE_POLICY.coreRelations.has(`${type}#${relation}`);
}
