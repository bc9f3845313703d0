import { userAudit } from "../audit/user-audit-actor.js";
import { setActiveAccount } from "../auth/sessions.js";
import { normaliseEmail } from "../auth/users.js";
import { requirePermission } from "../authz/permission.js";
import type { UserActionContext } from "../http/action-context.js";
import { AppError, ConflictError, ForbiddenError, NotFoundError } from "../lib/errors.js";
import { hashSecret, newId, secureRandomString } from "../lib/secure-random.js";
import { accountForTenant, actingAccount } from "./active-account.js";
import { grantMembership, type MembershipRole } from "./membership.js";
import {
  claimInvitation,
  getInvitationByTokenHash,
  insertInvitation,
  recordInvitationAccount,
  upsertAccount,
} from "./store.js";

const INVITATION_PREFIX = "tgi_";

/**
 * Invites an email into a tenant with a membership role. The token is shown once, in this
 * response; only its hash is stored. Inviting an owner needs the owner-only permission.
 */
export async function inviteMember({
  ctx,
  input,
}: {
  ctx: UserActionContext;
  input: { tenantId: string; email: string; role: MembershipRole };
}) {
  const { store, engine, clock, config } = ctx.services;
  const actor = await actingAccount(ctx, input.tenantId);
  await requirePermission(engine, {
    resource: `tenant:${input.tenantId}`,
    permission: input.role === "owner" ? "manage_owners" : "manage_members",
    subject: `account:${actor.id}`,
  });
  const email = normaliseEmail(input.email);
  const invitee = await store
    .selectFrom("users")
    .select("id")
    .where("email", "=", email)
    .executeTakeFirst();
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
    invited_by_account_id: actor.id,
    created_at: now,
    expires_at: now + config.INVITATION_TTL_SECONDS * 1000,
    accepted_at: null,
    accepted_account_id: null,
  };
  await insertInvitation(store, invitation);
  return { id: invitation.id, token, email, role: input.role, expiresAt: invitation.expires_at };
}

/**
 * Accepts an invitation as the signed-in user, whose email must be the invited one. The
 * invitation is claimed first (single use even under concurrent accepts), then the account row,
 * then the SpiceDB grant last; if the grant fails the claim is released so the invitation can be
 * used again.
 */
export async function acceptInvitation({
  ctx,
  input,
}: {
  ctx: UserActionContext;
  input: { token: string };
}) {
  const { store, engine, clock } = ctx.services;
  const invitation = await getInvitationByTokenHash(store, hashSecret(input.token));
  if (!invitation) throw new NotFoundError("invitation not found", "invitation_not_found");
  if (invitation.accepted_at !== null)
    throw new ConflictError("invitation has already been used", "invitation_used");
  const now = clock();
  if (invitation.expires_at <= now)
    throw new AppError(410, "invitation_expired", "invitation has expired");
  if (normaliseEmail(ctx.actor.user.email) !== invitation.email) {
    throw new ForbiddenError("invitation was sent to another email", "invitation_email_mismatch");
  }
  if (!(await claimInvitation(store, invitation.id, now)))
    throw new ConflictError("invitation has already been used", "invitation_used");
  const account = await upsertAccount(store, {
    id: newId("acc"),
    tenant_id: invitation.tenant_id,
    user_id: ctx.actor.user.id,
    created_at: now,
    disabled_at: null,
  });
  try {
    await grantMembership(engine, {
      tenantId: invitation.tenant_id,
      accountId: account.id,
      userId: ctx.actor.user.id,
      role: invitation.role as MembershipRole,
      audit: userAudit(ctx, invitation.tenant_id, account.id, "invitation.accept"),
    });
  } catch (error) {
    await store
      .updateTable("invitations")
      .set({ accepted_at: null })
      .where("id", "=", invitation.id)
      .execute();
    throw error;
  }
  await recordInvitationAccount(store, invitation.id, account.id);
  await setActiveAccount(store, ctx.actor.session.id, account.id);
  return { id: account.id, tenantId: account.tenantId };
}
