import { v1 } from "@authzed/authzed-node";
import type { ActionContext } from "../action-context.js";
import { userAudit } from "../audit/user-audit-actor.js";
import { requirePermission } from "../authz/permission.js";
import { parseRelationship } from "../authz/relationship-syntax.js";
import { definitionNames } from "../authz/relationship-transfer.js";
import { ConflictError, NotFoundError, ValidationError } from "../lib/errors.js";
import { newId } from "../lib/secure-random.js";
import { actingAccount } from "../tenancy/active-account.js";
import { getAccount } from "../tenancy/store.js";
import {
  availableGrants,
  type CustomRoles,
  customRoles,
  grantOf,
  grantRelation,
} from "./role-grants.js";
import { deleteRoleRow, getRole, insertRole, listTenantRoles, roleNameTaken } from "./store.js";

const touch = (text: string) => ({
  operation: v1.RelationshipUpdate_Operation.TOUCH,
  relationship: parseRelationship(text),
});
const remove = (text: string) => ({
  operation: v1.RelationshipUpdate_Operation.DELETE,
  relationship: parseRelationship(text),
});

async function checkGrants(
  ctx: ActionContext,
  roles: CustomRoles,
  grants: string[],
): Promise<void> {
  const available = await availableGrants(ctx, roles);
  const unknown = grants.filter((g) => !available.includes(g));
  if (unknown.length > 0) {
    throw new ValidationError(
      `unknown permissions ${unknown.join(", ")}; the schema's role grants are: ${available.join(", ")}`,
      "permissions",
    );
  }
}

/** The acting account, after SpiceDB confirms it may manage the tenant's roles. */
async function roleManager(ctx: ActionContext, tenantId: string) {
  const actor = await actingAccount(ctx, tenantId);
  await requirePermission(ctx.services.engine, {
    resource: `tenant:${tenantId}`,
    permission: ctx.services.tenancy.tenant.permissions.manageRoles,
    subject: `account:${actor.id}`,
  });
  return actor;
}

async function roleOf(ctx: ActionContext, tenantId: string, roleId: string) {
  const row = await getRole(ctx.services.store, tenantId, roleId);
  if (!row) throw new NotFoundError(`no role ${roleId} in tenant ${tenantId}`, "role_not_found");
  return row;
}

/**
 * Creates a custom role: its row, then its links and grants in SpiceDB in one write (grant last;
 * the row is removed again if the write fails).
 */
export async function createRole({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string; name: string; permissions: string[] };
}) {
  const { tenantId, name } = input;
  const roles = customRoles(ctx);
  const actor = await roleManager(ctx, tenantId);
  const permissions = [...new Set(input.permissions)].sort();
  await checkGrants(ctx, roles, permissions);
  const { store, engine, clock } = ctx.services;
  if (await roleNameTaken(store, tenantId, name))
    throw new ConflictError(`tenant already has a role named ${name}`, "role_exists", "name");
  const role = { id: newId("rol"), tenant_id: tenantId, name, created_at: clock() };
  await insertRole(store, role);
  try {
    await engine.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: [
          touch(`${roles.type}:${role.id}#${roles.tenant}@tenant:${tenantId}`),
          touch(`tenant:${tenantId}#${roles.link}@${roles.type}:${role.id}`),
          ...permissions.map((p) =>
            touch(`${roles.type}:${role.id}#${grantRelation(roles, p)}@account:*`),
          ),
        ],
      }),
      { audit: userAudit(ctx, tenantId, actor.id, "role.create") },
    );
  } catch (error) {
    await deleteRoleRow(store, role.id);
    throw error;
  }
  return { id: role.id, name, permissions, members: [] as string[] };
}

/** Replaces a role's grants atomically. */
export async function updateRoleGrants({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string; roleId: string; permissions: string[] };
}) {
  const roles = customRoles(ctx);
  const actor = await roleManager(ctx, input.tenantId);
  const role = await roleOf(ctx, input.tenantId, input.roleId);
  const permissions = [...new Set(input.permissions)].sort();
  await checkGrants(ctx, roles, permissions);
  const current = await describeRole(ctx, roles, role.id);
  const { engine } = ctx.services;
  const updates = [
    ...current.permissions
      .filter((p) => !permissions.includes(p))
      .map((p) => remove(`${roles.type}:${role.id}#${grantRelation(roles, p)}@account:*`)),
    ...permissions.map((p) =>
      touch(`${roles.type}:${role.id}#${grantRelation(roles, p)}@account:*`),
    ),
  ];
  if (updates.length > 0) {
    await engine.writeRelationships(v1.WriteRelationshipsRequest.create({ updates }), {
      audit: userAudit(ctx, input.tenantId, actor.id, "role.update"),
    });
  }
  return { id: role.id, name: role.name, permissions, members: current.members };
}

async function describeRole(ctx: ActionContext, roles: CustomRoles, roleId: string) {
  const responses = await ctx.services.engine.readRelationships(
    v1.ReadRelationshipsRequest.create({
      relationshipFilter: { resourceType: roles.type, optionalResourceId: roleId },
    }),
  );
  const permissions: string[] = [];
  const members: string[] = [];
  for (const { relationship } of responses) {
    if (!relationship) continue;
    const grant = grantOf(roles, relationship.relation);
    if (grant) permissions.push(grant);
    else if (relationship.relation === roles.assignee && relationship.subject?.object)
      members.push(relationship.subject.object.objectId);
  }
  return { permissions: permissions.sort(), members: members.sort() };
}

/** The tenant's roles with their grants and members (needs the permission to view members). */
export async function listRoles({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string };
}) {
  const roles = customRoles(ctx);
  const actor = await actingAccount(ctx, input.tenantId);
  await requirePermission(ctx.services.engine, {
    resource: `tenant:${input.tenantId}`,
    permission: ctx.services.tenancy.tenant.permissions.viewMembers,
    subject: `account:${actor.id}`,
  });
  const rows = await listTenantRoles(ctx.services.store, input.tenantId);
  return Promise.all(
    rows.map(async (row) => ({
      id: row.id,
      name: row.name,
      ...(await describeRole(ctx, roles, row.id)),
    })),
  );
}

/** Assigns a role to an account of the same tenant, or unassigns it. */
export async function setRoleAssignment({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string; roleId: string; accountId: string; assigned: boolean };
}) {
  const roles = customRoles(ctx);
  const actor = await actingAccount(ctx, input.tenantId);
  await roleOf(ctx, input.tenantId, input.roleId);
  const { engine, store } = ctx.services;
  await requirePermission(engine, {
    resource: `${roles.type}:${input.roleId}`,
    permission: roles.manage,
    subject: `account:${actor.id}`,
  });
  const account = await getAccount(store, input.accountId);
  if (input.assigned && (!account || account.tenantId !== input.tenantId || account.disabled)) {
    throw new NotFoundError(
      `account ${input.accountId} is not a member of tenant ${input.tenantId}`,
      "member_not_found",
    );
  }
  const text = `${roles.type}:${input.roleId}#${roles.assignee}@account:${input.accountId}`;
  await engine.writeRelationships(
    v1.WriteRelationshipsRequest.create({ updates: [input.assigned ? touch(text) : remove(text)] }),
    {
      audit: userAudit(
        ctx,
        input.tenantId,
        actor.id,
        input.assigned ? "role.assign" : "role.unassign",
      ),
    },
  );
}

/**
 * Deletes a role: every relationship of it and every grant to its assignees go first (revocation
 * is immediate), then its row.
 */
export async function deleteRole({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string; roleId: string };
}) {
  const roles = customRoles(ctx);
  const actor = await roleManager(ctx, input.tenantId);
  const role = await roleOf(ctx, input.tenantId, input.roleId);
  const { engine, store } = ctx.services;
  const audit = { audit: userAudit(ctx, input.tenantId, actor.id, "role.delete") };
  await engine.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: [remove(`tenant:${input.tenantId}#${roles.link}@${roles.type}:${role.id}`)],
    }),
    audit,
  );
  for (const resourceType of definitionNames(await engine.readSchema())) {
    await engine.deleteRelationships(
      v1.DeleteRelationshipsRequest.create({
        relationshipFilter: {
          resourceType,
          optionalSubjectFilter: { subjectType: roles.type, optionalSubjectId: role.id },
        },
      }),
      audit,
    );
  }
  await engine.deleteRelationships(
    v1.DeleteRelationshipsRequest.create({
      relationshipFilter: { resourceType: roles.type, optionalResourceId: role.id },
    }),
    audit,
  );
  await deleteRoleRow(store, role.id);
}
