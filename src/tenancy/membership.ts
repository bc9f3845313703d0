import { v1 } from "@authzed/authzed-node";
import type { AuditContext } from "../audit/audit-record.js";
import type { AuthzEngine } from "../authz/engine.js";
import { parseRelationship } from "../authz/relationship-syntax.js";
import { definitionNames } from "../authz/relationship-transfer.js";
import type { TenancyConfig } from "./tenancy-config.js";

/**
 * Tenant membership lives in SpiceDB only, as `tenant:T#<role>@account:A` with the roles (and the
 * guest relation) of the tenancy configuration. These functions are the one place that writes
 * those relationships (the tenancy core), so that its invariants hold.
 */

const touch = (text: string) =>
  v1.RelationshipUpdate.create({
    operation: v1.RelationshipUpdate_Operation.TOUCH,
    relationship: parseRelationship(text),
  });
const remove = (text: string) =>
  v1.RelationshipUpdate.create({
    operation: v1.RelationshipUpdate_Operation.DELETE,
    relationship: parseRelationship(text),
  });

/**
 * Writes a new account's links, its role (or guest relation) and the user's attributes (see
 * userAttributeUpdates) in one atomic write.
 */
export async function grantMembership(
  engine: AuthzEngine,
  input: {
    tenantId: string;
    accountId: string;
    userId: string;
    role: string;
    attributes?: string[];
    /** A new tenant's own links (tenancy.yaml tenant.links), written with its first account. */
    tenantLinks?: string[];
    audit?: AuditContext;
  },
): Promise<string | undefined> {
  const { tenantId, accountId, userId, role } = input;
  const response = await engine.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: [
        touch(`account:${accountId}#tenant@tenant:${tenantId}`),
        touch(`account:${accountId}#user@user:${userId}`),
        touch(`tenant:${tenantId}#${role}@account:${accountId}`),
        ...(input.attributes ?? []).map((a) => touch(`${a}@account:${accountId}`)),
        ...(input.tenantLinks ?? []).map((l) => touch(`tenant:${tenantId}#${l}`)),
      ],
    }),
    { audit: input.audit },
  );
  return response.writtenAt?.token;
}

/** Replaces an account's membership role atomically (old roles deleted, new one touched). */
export async function changeMembershipRole(
  engine: AuthzEngine,
  tenancy: TenancyConfig,
  input: { tenantId: string; accountId: string; role: string; audit?: AuditContext },
): Promise<string | undefined> {
  const { tenantId, accountId, role } = input;
  const response = await engine.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: [
        ...tenancy.roleNames
          .filter((r) => r !== role)
          .map((r) => remove(`tenant:${tenantId}#${r}@account:${accountId}`)),
        touch(`tenant:${tenantId}#${role}@account:${accountId}`),
      ],
    }),
    { audit: input.audit },
  );
  return response.writtenAt?.token;
}

/**
 * Revokes an account: first its roles (from that instant every permission of the account is
 * gone, since each is intersected with belonging to the tenant), then every other relationship
 * that names it as subject, so nothing lingers if it were ever re-added.
 */
export async function revokeAccount(
  engine: AuthzEngine,
  tenancy: TenancyConfig,
  input: { tenantId: string; accountId: string; audit?: AuditContext },
): Promise<void> {
  const { tenantId, accountId } = input;
  await engine.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: tenancy.roleNames.map((r) => remove(`tenant:${tenantId}#${r}@account:${accountId}`)),
    }),
    { audit: input.audit },
  );
  for (const resourceType of definitionNames(await engine.readSchema())) {
    await engine.deleteRelationships(
      v1.DeleteRelationshipsRequest.create({
        relationshipFilter: {
          resourceType,
          optionalSubjectFilter: { subjectType: "account", optionalSubjectId: accountId },
        },
      }),
      { audit: input.audit },
    );
  }
}

/** Membership roles (the guest relation included) per account in a tenant, read from SpiceDB. */
export async function membershipRoles(
  engine: AuthzEngine,
  tenancy: TenancyConfig,
  tenantId: string,
  accountId?: string,
): Promise<Map<string, string[]>> {
  const responses = await engine.readRelationships(
    v1.ReadRelationshipsRequest.create({
      relationshipFilter: {
        resourceType: "tenant",
        optionalResourceId: tenantId,
        optionalSubjectFilter: { subjectType: "account", optionalSubjectId: accountId ?? "" },
      },
    }),
  );
  const roles = new Map<string, string[]>();
  for (const { relationship } of responses) {
    const role = relationship?.relation ?? "";
    const id = relationship?.subject?.object?.objectId;
    if (!id || !tenancy.roleNames.includes(role)) continue;
    roles.set(id, [...(roles.get(id) ?? []), role]);
  }
  return roles;
}
