import type { ActionContext } from "../action-context.js";
import { type AuditContext, auditRow } from "../audit/audit-record.js";
import { appendAuditRow } from "../audit/store.js";
import { userAudit } from "../audit/user-audit-actor.js";
import { requireUser } from "../auth/actor.js";
import { getUserRowByEmail, normaliseEmail, setActiveAccount, type User } from "../auth/store.js";
import { hasPermission, requirePermission } from "../authz/permission.js";
import type { InvitationsTable } from "../data/tables.js";
import { userAttributes } from "../installation/store.js";
import { AppError, ConflictError, ForbiddenError, NotFoundError } from "../lib/errors.js";
import { hashSecret, newId, secureRandomString } from "../lib/secure-random.js";
import type { Services } from "../services.js";
import { accountForTenant, actingAccount } from "./active-account.js";
import { grantMembership } from "./membership.js";
import { assertRole, managePermission } from "./role-rules.js";
import type { Account } from "./store.js";
import {
  claimInvitation,
  getInvitationByTokenHash,
  insertInvitation,
  listPendingInvitations,
  type PendingInvitation,
  recordInvitationAccount,
  releaseInvitation,
  revokeInvitationRow,
  upsertAccount,
} from "./store.js";

const INVITATION_PREFIX = "tgi_";

const describeInvitation = (invitation: { id: string; email: string; role: string }) => ({
  invitation: { id: invitation.id, email: invitation.email, role: invitation.role },
});

/**
 * Invites an email into a tenant with a membership role. The token is shown once, in this
 * response; only its hash is stored. Inviting an owner needs the owner-only permission.
 */
export async function inviteMember({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string; email: string; role: string };
}) {
  const { engine, tenancy } = ctx.services;
  assertRole(tenancy, input.role);
  const inviter = await actingAccount(ctx, input.tenantId);
  await requirePermission(engine, {
    resource: `tenant:${input.tenantId}`,
    permission: managePermission(tenancy, input.role),
    subject: `account:${inviter.id}`,
  });
  return createInvitation(ctx, inviter, input);
}

/**
 * The invitation itself, once the inviter's account in the tenant and its power over the role
 * are established (inviteMember for one, inviteMany for a list, which asks once per role).
 */
export async function createInvitation(
  ctx: ActionContext,
  inviter: Account,
  input: { tenantId: string; email: string; role: string },
) {
  const { store, clock, config } = ctx.services;
  const email = normaliseEmail(input.email);
  const invitee = await getUserRowByEmail(store, email);
  if (invitee && (await accountForTenant(ctx.services, invitee.id, input.tenantId))) {
    throw new ConflictError(
      `${email} is already a member of this tenant`,
      "already_member",
      "email",
    );
  }
  const token = `${INVITATION_PREFIX}${secureRandomString()}${secureRandomString()}`;
  const now = clock();
  const invitation = {
    id: newId("inv"),
    tenant_id: input.tenantId,
    email,
    role: input.role,
    token_hash: hashSecret(token),
    invited_by_account_id: inviter.id,
    created_at: now,
    expires_at: now + config.INVITATION_TTL_SECONDS * 1000,
    accepted_at: null,
    accepted_account_id: null,
    revoked_at: null,
    revoked_by_account_id: null,
  };
  await store.transaction().execute(async (tx) => {
    await insertInvitation(tx, invitation);
    await appendAuditRow(
      tx,
      auditRow(
        userAudit(ctx, input.tenantId, inviter.id, "invitation.create"),
        describeInvitation(invitation),
        undefined,
      ),
    );
  });
  return { id: invitation.id, token, email, role: input.role, expiresAt: invitation.expires_at };
}

/** The tenant's pending invitations (needs the power over the lowest role: to invite at all). */
export async function listInvitations({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string };
}): Promise<PendingInvitation[]> {
  const actor = await actingAccount(ctx, input.tenantId);
  await requirePermission(ctx.services.engine, {
    resource: `tenant:${input.tenantId}`,
    permission: managePermission(
      ctx.services.tenancy,
      ctx.services.tenancy.roleNames.at(-1) as string,
    ),
    subject: `account:${actor.id}`,
  });
  return listPendingInvitations(ctx.services.store, input, ctx.services.clock());
}

/** Revokes a pending invitation (owner invitations need the owner-only permission). */
export async function revokeInvitation({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string; invitationId: string };
}): Promise<void> {
  const actor = await actingAccount(ctx, input.tenantId);
  const { store, engine, clock } = ctx.services;
  const pending = (await listPendingInvitations(store, input, clock())).find(
    (i) => i.id === input.invitationId,
  );
  if (!pending) {
    throw new NotFoundError(
      `no pending invitation ${input.invitationId} in tenant ${input.tenantId}`,
      "invitation_not_found",
    );
  }
  await requirePermission(engine, {
    resource: `tenant:${input.tenantId}`,
    permission: managePermission(ctx.services.tenancy, pending.role),
    subject: `account:${actor.id}`,
  });
  await revokeAudited(
    ctx.services,
    [pending],
    actor.id,
    userAudit(ctx, input.tenantId, actor.id, "invitation.revoke"),
  );
}

/**
 * Revokes the pending invitations an account made that it could no longer make: all of them
 * once it is removed, those for roles it lost the power to invite into after a role change.
 * Called after the membership change, so SpiceDB already answers for the account's new roles.
 */
export async function revokeInvitationsBeyondPower(
  ctx: ActionContext,
  input: { tenantId: string; inviterAccountId: string; actingAccountId: string },
): Promise<void> {
  const { store, engine, clock, tenancy } = ctx.services;
  const pending = await listPendingInvitations(
    store,
    { tenantId: input.tenantId, invitedByAccountId: input.inviterAccountId },
    clock(),
  );
  // The answer depends on the role only: one question per role among them.
  const roles = [...new Set(pending.map((i) => i.role))];
  const lostRoles = new Set<string>();
  for (const role of roles) {
    const stillMay = await hasPermission(engine, {
      resource: `tenant:${input.tenantId}`,
      permission: managePermission(tenancy, role),
      subject: `account:${input.inviterAccountId}`,
    });
    if (!stillMay) lostRoles.add(role);
  }
  const lost = pending.filter((i) => lostRoles.has(i.role));
  await revokeAudited(
    ctx.services,
    lost,
    input.actingAccountId,
    userAudit(ctx, input.tenantId, input.actingAccountId, "invitation.revoke"),
    "the inviter can no longer invite into this role",
  );
}

async function revokeAudited(
  services: Services,
  invitations: PendingInvitation[],
  byAccountId: string,
  audit: AuditContext,
  reason?: string,
): Promise<void> {
  for (const invitation of invitations) {
    await services.store.transaction().execute(async (tx) => {
      if (!(await revokeInvitationRow(tx, invitation.id, byAccountId, audit.at))) return;
      await appendAuditRow(
        tx,
        auditRow(
          audit,
          { ...describeInvitation(invitation), ...(reason ? { reason } : {}) },
          undefined,
        ),
      );
    });
  }
}

/**
 * The invitation a token names, if `email` may accept it now: not used, revoked or expired, sent
 * to that email, and its inviter still holds the power to invite into its role (an admin removed
 * or demoted since cannot bring anyone in through invitations made before).
 */
export async function usableInvitation(
  services: Services,
  token: string,
  email: string,
): Promise<InvitationsTable> {
  const { store, engine, clock, tenancy } = services;
  const invitation = await getInvitationByTokenHash(store, hashSecret(token));
  if (!invitation) throw new NotFoundError("invitation not found", "invitation_not_found");
  if (invitation.accepted_at !== null)
    throw new ConflictError("invitation has already been used", "invitation_used");
  if (invitation.revoked_at !== null)
    throw new AppError(410, "invitation_revoked", "invitation has been revoked");
  const now = clock();
  if (invitation.expires_at <= now)
    throw new AppError(410, "invitation_expired", "invitation has expired");
  if (normaliseEmail(email) !== invitation.email) {
    throw new ForbiddenError("invitation was sent to another email", "invitation_email_mismatch");
  }
  if (!tenancy.roleNames.includes(invitation.role)) {
    // The tenancy configuration no longer has the role it invites into.
    await revokeInvitationRow(store, invitation.id, null, now);
    throw new AppError(
      410,
      "invitation_revoked",
      `invitation has been revoked: there is no role ${invitation.role} any more`,
    );
  }
  const inviterMay = await hasPermission(engine, {
    resource: `tenant:${invitation.tenant_id}`,
    permission: managePermission(tenancy, invitation.role),
    subject: `account:${invitation.invited_by_account_id}`,
  });
  if (!inviterMay) {
    await revokeInvitationRow(store, invitation.id, null, now);
    throw new AppError(
      410,
      "invitation_revoked",
      "invitation has been revoked: its inviter can no longer invite into this role",
    );
  }
  return invitation;
}

/**
 * Joins `user` to the invitation's tenant and returns the new (or re-enabled) account. The
 * invitation is claimed first (single use even under concurrent accepts), then the account row,
 * then the SpiceDB grant last; if the grant fails the claim is released.
 */
export async function joinThroughInvitation(
  services: Services,
  invitation: InvitationsTable,
  user: User,
  audit: (tenantId: string, accountId: string) => AuditContext,
): Promise<{ id: string; tenantId: string }> {
  const { store, engine, clock } = services;
  const now = clock();
  if (!(await claimInvitation(store, invitation.id, now)))
    throw new ConflictError("invitation has already been used", "invitation_used");
  const account = await upsertAccount(store, {
    id: newId("acc"),
    tenant_id: invitation.tenant_id,
    user_id: user.id,
    created_at: now,
    disabled_at: null,
  });
  try {
    await grantMembership(engine, {
      tenantId: invitation.tenant_id,
      accountId: account.id,
      userId: user.id,
      role: invitation.role,
      attributes: await userAttributes(store, user.id),
      audit: audit(invitation.tenant_id, account.id),
    });
  } catch (error) {
    await releaseInvitation(store, invitation.id);
    throw error;
  }
  await recordInvitationAccount(store, invitation.id, account.id);
  return { id: account.id, tenantId: account.tenantId };
}

/** Accepts an invitation as the signed-in user; the new account becomes the session's active one. */
export async function acceptInvitation({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { token: string };
}) {
  const actor = requireUser(ctx);
  const invitation = await usableInvitation(ctx.services, input.token, actor.user.email);
  const account = await joinThroughInvitation(ctx.services, invitation, actor.user, (t, a) =>
    userAudit(ctx, t, a, "invitation.accept"),
  );
  await setActiveAccount(ctx.services.store, actor.session.id, account.id);
  return account;
}
