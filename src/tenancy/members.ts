import { userAudit } from "../audit/user-audit-actor.js";
import { requirePermission } from "../authz/permission.js";
import type { UserActionContext } from "../http/action-context.js";
import { ConflictError, NotFoundError } from "../lib/errors.js";
import { actingAccount } from "./active-account.js";
import { revokeInvitationsBeyondPower } from "./invitations.js";
import {
  changeMembershipRole,
  type MembershipRole,
  membershipRoles,
  revokeAccount,
} from "./membership.js";
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
  ctx: UserActionContext;
  input: { tenantId: string };
}) {
  const actor = await actingAccount(ctx, input.tenantId);
  const { engine, store } = ctx.services;
  await requirePermission(engine, {
    resource: `tenant:${input.tenantId}`,
    permission: "view_members",
    subject: `account:${actor.id}`,
  });
  const [accounts, roles] = await Promise.all([
    listTenantAccounts(store, input.tenantId),
    membershipRoles(engine, input.tenantId),
  ]);
  // An account row without a membership relationship is not a member (e.g. mid-removal).
  return accounts
    .filter((a) => roles.has(a.accountId))
    .map((a) => ({
      accountId: a.accountId,
      userId: a.userId,
      email: a.email,
      name: a.name,
      since: a.since,
      roles: roles.get(a.accountId) ?? [],
    }));
}

async function targetAccount(ctx: UserActionContext, tenantId: string, accountId: string) {
  const target = await getAccount(ctx.services.store, accountId);
  if (!target || target.tenantId !== tenantId || target.disabled) {
    throw new NotFoundError(
      `account ${accountId} is not a member of tenant ${tenantId}`,
      "member_not_found",
    );
  }
  return target;
}

/** The permission needed to touch a member holding `current` roles or to give `next`. */
function permissionFor(current: MembershipRole[], next?: MembershipRole): string {
  return current.includes("owner") || next === "owner" ? "manage_owners" : "manage_members";
}

export async function changeMemberRole({
  ctx,
  input,
}: {
  ctx: UserActionContext;
  input: { tenantId: string; accountId: string; role: MembershipRole };
}): Promise<{ accountId: string; roles: MembershipRole[] }> {
  const { tenantId, accountId, role } = input;
  const actor = await actingAccount(ctx, tenantId);
  const { engine } = ctx.services;
  return serialised(tenantId, async () => {
    await targetAccount(ctx, tenantId, accountId);
    const roles = await membershipRoles(engine, tenantId);
    const current = roles.get(accountId) ?? [];
    await requirePermission(engine, {
      resource: `tenant:${tenantId}`,
      permission: permissionFor(current, role),
      subject: `account:${actor.id}`,
    });
    if (current.includes("owner") && role !== "owner") assertAnotherOwner(roles, accountId);
    await changeMembershipRole(engine, {
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
  ctx: UserActionContext;
  input: { tenantId: string; accountId: string };
}): Promise<void> {
  const { tenantId, accountId } = input;
  const actor = await actingAccount(ctx, tenantId);
  const { engine, store, clock } = ctx.services;
  await serialised(tenantId, async () => {
    await targetAccount(ctx, tenantId, accountId);
    const roles = await membershipRoles(engine, tenantId);
    const current = roles.get(accountId) ?? [];
    await requirePermission(engine, {
      resource: `tenant:${tenantId}`,
      permission: permissionFor(current),
      subject: `account:${actor.id}`,
    });
    if (current.includes("owner")) assertAnotherOwner(roles, accountId);
    await revokeAccount(engine, {
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

function assertAnotherOwner(roles: Map<string, MembershipRole[]>, accountId: string): void {
  const otherOwners = [...roles].filter(([id, r]) => id !== accountId && r.includes("owner"));
  if (otherOwners.length === 0) {
    throw new ConflictError(
      "a tenant keeps at least one owner; make someone else owner first",
      "last_owner",
    );
  }
}
