import type { ActionContext } from "../action-context.js";
import { userAudit } from "../audit/user-audit-actor.js";
import { requirePermission } from "../authz/permission.js";
import { NotFoundError } from "../lib/errors.js";
import { actingAccount } from "./active-account.js";
import { revokeInvitationsBeyondPower } from "./invitations.js";
import { changeMembershipRole, membershipRoles, revokeAccount } from "./membership.js";
import { assertAnotherTopHolder, assertRole, requireManage, topRole } from "./role-rules.js";
import { disableAccount, getAccount, listTenantAccounts } from "./store.js";

// NOTE: membership changes of one tenant run one at a time in this process, so that the
// last-owner rule cannot be raced by two concurrent demotions. Across replicas the window
// remains (SpiceDB preconditions cannot express "at least one other owner"); docs/architecture.md
// describes it and how to repair.
const tenantLocks = new Map<string, Promise<unknown>>();
function serialised<T>(tenantId: string, task: () => Promise<T>): Promise<T> {
  const previous = tenantLocks.get(tenantId) ?? Promise.resolve();
  const result = previous.then(task, task);
  const tail = result.catch(() => undefined);
  tenantLocks.set(tenantId, tail);
  void tail.then(() => {
    if (tenantLocks.get(tenantId) === tail) tenantLocks.delete(tenantId);
  });
  return result;
}

export async function listMembers({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string };
}) {
  const actor = await actingAccount(ctx, input.tenantId);
  const { engine, store, tenancy } = ctx.services;
  await requirePermission(engine, {
    resource: `tenant:${input.tenantId}`,
    permission: tenancy.tenant.permissions.viewMembers,
    subject: `account:${actor.id}`,
  });
  const [accounts, roles] = await Promise.all([
    listTenantAccounts(store, input.tenantId),
    membershipRoles(engine, tenancy, input.tenantId),
  ]);
  const guest = tenancy.tenant.guest?.name;
  // An account row without a membership relationship is not a member (e.g. mid-removal).
  return accounts
    .filter((a) => roles.has(a.accountId))
    .map((a) => {
      const held = roles.get(a.accountId) ?? [];
      return {
        accountId: a.accountId,
        userId: a.userId,
        email: a.email,
        name: a.name,
        roles: held.filter((r) => r !== guest),
        guest: guest !== undefined && held.includes(guest),
        since: a.createdAt,
      };
    });
}

async function targetAccount(ctx: ActionContext, tenantId: string, accountId: string) {
  const target = await getAccount(ctx.services.store, accountId);
  if (!target || target.tenantId !== tenantId || target.disabled) {
    throw new NotFoundError(
      `account ${accountId} is not a member of tenant ${tenantId}`,
      "member_not_found",
    );
  }
  return target;
}

export async function changeMemberRole({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string; accountId: string; role: string };
}): Promise<{ accountId: string; roles: string[] }> {
  const { tenantId, accountId, role } = input;
  const { engine, tenancy } = ctx.services;
  assertRole(tenancy, role);
  const actor = await actingAccount(ctx, tenantId);
  return serialised(tenantId, async () => {
    await targetAccount(ctx, tenantId, accountId);
    const roles = await membershipRoles(engine, tenancy, tenantId);
    const current = roles.get(accountId) ?? [];
    await requireManage(ctx.services, tenantId, actor.id, [...current, role]);
    const top = topRole(tenancy);
    if (current.includes(top) && role !== top) assertAnotherTopHolder(tenancy, roles, accountId);
    await changeMembershipRole(engine, tenancy, {
      tenantId,
      accountId,
      role,
      audit: userAudit(ctx, tenantId, actor.id, "member.role"),
    });
    await revokeInvitationsBeyondPower(ctx, {
      tenantId,
      inviterAccountId: accountId,
      actingAccountId: actor.id,
    });
    return { accountId, roles: [role] };
  });
}

/**
 * Removes a member: SpiceDB first (revocation is immediate: the next check says no), then the
 * invitations they made and the account row. If the second step fails the account has no membership, which every
 * rule treats as not a member; removing again completes it.
 */
export async function removeMember({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string; accountId: string };
}): Promise<void> {
  const { tenantId, accountId } = input;
  const actor = await actingAccount(ctx, tenantId);
  const { engine, store, clock, tenancy } = ctx.services;
  await serialised(tenantId, async () => {
    await targetAccount(ctx, tenantId, accountId);
    const roles = await membershipRoles(engine, tenancy, tenantId);
    const current = roles.get(accountId) ?? [];
    // Holding no role at all (mid-removal): removing needs the power over the lowest role.
    await requireManage(
      ctx.services,
      tenantId,
      actor.id,
      current.length > 0 ? current : [tenancy.roleNames.at(-1) as string],
    );
    if (current.includes(topRole(tenancy))) assertAnotherTopHolder(tenancy, roles, accountId);
    await revokeAccount(engine, tenancy, {
      tenantId,
      accountId,
      audit: userAudit(ctx, tenantId, actor.id, "member.remove"),
    });
    await revokeInvitationsBeyondPower(ctx, {
      tenantId,
      inviterAccountId: accountId,
      actingAccountId: actor.id,
    });
    await disableAccount(store, accountId, clock());
  });
}
