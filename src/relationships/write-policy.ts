import type { v1 } from "@authzed/authzed-node";
import { type TenancyConfig, writeRuleFor } from "../tenancy/tenancy-config.js";

/**
 * Who may write which relationships, read off the tenancy configuration (tenancy.yaml: objects,
 * customRoles, installation); docs/relationships.md explains it. Decisions themselves are SpiceDB
 * checks; this file only names the permissions and relations.
 */

/** The permission to ask, and on what, before writing `relation` of `object` in `tenantId`. */
export function writePermission(
  tenancy: TenancyConfig,
  object: v1.ObjectReference,
  relation: string,
  tenantId: string,
): { object: v1.ObjectReference; permission: string } {
  const rule = writeRuleFor(tenancy, object.objectType, relation);
  return typeof rule === "string"
    ? { object, permission: rule }
    : { object: { objectType: "tenant", objectId: tenantId }, permission: rule.tenant };
}

/**
 * The tenancy core (membership roles, custom roles' links, every relation of `user` and
 * `account`, user attributes): changed only through their own APIs, so that their rules (the
 * highest role keeps a holder, one account per user and tenant, an attribute on every account
 * of its user) hold.
 */
export function isProtectedRelation(
  tenancy: TenancyConfig,
  type: string,
  relation: string,
): boolean {
  return tenancy.protectedTypes.has(type) || tenancy.protectedRelations.has(`${type}#${relation}`);
}

/** `project:p1#tenant@tenant:T`: the relationship that puts an object in a tenant. */
export function isTenantLink(tenancy: TenancyConfig, rel: v1.Relationship): boolean {
  return (
    rel.relation === tenancy.objects.tenantRelation && rel.subject?.object?.objectType === "tenant"
  );
}

/** Whether subjects of `type#relation` may belong to another tenant (opted in by the config). */
export function isCrossTenant(tenancy: TenancyConfig, type: string, relation: string): boolean {
  return tenancy.objects.crossTenant.includes(`${type}#${relation}`);
}

/** Objects of the installation: they belong to no tenant. */
export function isInstallationType(tenancy: TenancyConfig, type: string): boolean {
  return tenancy.installation.types.includes(type);
}
