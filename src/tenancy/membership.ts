import { v1 } from "@authzed/authzed-node";
import type { AuditContext } from "../audit/audit-record.js";
import type { AuthzEngine } from "../authz/engine.js";
import { parseRelationship } from "../authz/relationship-syntax.js";
import { definitionNames } from "../authz/relationship-transfer.js";

/**
 * Tenant membership lives in SpiceDB only, as `tenant:T#<role>@account:A`. These functions are the
 * one place that writes those relationships (the tenancy core), so that its invariants hold.
 */

export const MEMBERSHIP_ROLES = ["owner", "admin", "member"] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

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

/** Writes a new account's links and its membership role in one atomic write. */
export async function grantMembership(
  engine: AuthzEngine,
  input: {
    tenantId: string;
    accountId: string;
    userId: string;
    role: MembershipRole;
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
      ],
    }),
    { audit: input.audit },
  );
  return response.writtenAt?.token;
}

/** Replaces an account's membership role atomically (old roles deleted, new one touched). */
export async function changeMembershipRole(
  engine: AuthzEngine,
  input: { tenantId: string; accountId: string; role: MembershipRole; audit?: AuditContext },
): Promise<string | undefined> {
  const { tenantId, accountId, role } = input;
  const response = await engine.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: [
        ...MEMBERSHIP_ROLES.filter((r) => r !== role).map((r) =>
          remove(`tenant:${tenantId}#${r}@account:${accountId}`),
        ),
        touch(`tenant:${tenantId}#${role}@account:${accountId}`),
      ],
    }),
    { audit: input.audit },
  );
  return response.writtenAt?.token;
}

/**
 * Revokes an account: first its membership (from that instant every permission of the account
 * is gone, since each is intersected with membership), then every other relationship that names
 * it as subject, so nothing lingers if it were ever re-added.
 */
export async function revokeAccount(
  engine: AuthzEngine,
  input: { tenantId: string; accountId: string; audit?: AuditContext },
): Promise<void> {
  const { tenantId, accountId } = input;
  await engine.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: MEMBERSHIP_ROLES.map((r) => remove(`tenant:${tenantId}#${r}@account:${accountId}`)),
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

/** Membership roles per account in a tenant, read from SpiceDB. */
export async function membershipRoles(
  engine: AuthzEngine,
  tenantId: string,
  accountId?: string,
): Promise<Map<string, MembershipRole[]>> {
  const responses = await engine.readRelationships(
    v1.ReadRelationshipsRequest.create({
      relationshipFilter: {
        resourceType: "tenant",
        optionalResourceId: tenantId,
        optionalSubjectFilter: accountId
          ? { subjectType: "account", optionalSubjectId: accountId }
          : { subjectType: "account", optionalSubjectId: "" },
      },
    }),
  );
  const roles = new Map<string, MembershipRole[]>();
  for (const { relationship } of responses) {
    const role = relationship?.relation as MembershipRole;
    const id = relationship?.subject?.object?.objectId;
    if (!id || !MEMBERSHIP_ROLES.includes(role)) continue;
    roles.set(id, [...(roles.get(id) ?? []), role]);
  }
  return roles;
}
