import type { ActionContext } from "../action-context.js";
import type { Store } from "../data/database.js";
import {
  ConflictError,
  ForbiddenError,
  RateLimitedError,
  UnauthorizedError,
} from "../lib/errors.js";
import { newId } from "../lib/secure-random.js";
import { joinThroughInvitation, usableInvitation } from "../tenancy/invitations.js";
import { activeAccountAtSignIn } from "../tenancy/workspace.js";
import { requireUser } from "./actor.js";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password.js";
import { createSession, invalidateUserSessions, type Session } from "./sessions.js";
import {
  getUserById,
  getUserRowByEmail,
  insertUser,
  normaliseEmail,
  type User,
  updatePasswordHash,
} from "./store.js";

export interface SignedIn {
  user: User;
  session: Session;
  token: string;
}

/** Spends a token from the per-IP and per-email buckets; 429 when either is empty. */
function limitAttempt(ctx: ActionContext, email: string): void {
  const { limits } = ctx.services;
  const byIp = limits.authByIp.consume(ctx.ip ?? "unknown");
  const byEmail = limits.authByEmail.consume(normaliseEmail(email));
  const wait = Math.max(byIp, byEmail);
  if (wait > 0) throw new RateLimitedError(wait);
}

async function startSession(
  ctx: ActionContext,
  user: User,
  activeAccountId?: string,
): Promise<SignedIn> {
  const active = activeAccountId ?? (await activeAccountAtSignIn(ctx.services, user));
  const { session, token } = await createSession(
    ctx.services.store,
    {
      userId: user.id,
      activeAccountId: active ?? null,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    },
    ctx.services.sessionPolicy,
    ctx.services.clock(),
  );
  return { user, session, token };
}

/**
 * Creates a user and signs them in. With an invitation token the invitation is accepted in the
 * same step and its tenant becomes the active one. SIGNUP=invite-only requires that token (the
 * invitation itself, not merely an invited email: an address is no secret); SIGNUP=closed leaves
 * user creation to the CLI.
 *
 * NOTE: a taken email answers 409, which tells a caller that the email is registered. Sign-up
 * cannot hide that without email verification, which tenantgate does not do; the per-IP rate
 * limit bounds how fast anyone can probe. Whether an address has a pending invitation is never
 * told: without the token every sign-up in invite-only mode gets the same 403. Login reveals
 * nothing.
 */
export async function signUp({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: {
    email: string;
    password: string;
    name?: string | undefined;
    invitationToken?: string | undefined;
  };
}): Promise<SignedIn> {
  const { config, clock } = ctx.services;
  if (config.SIGNUP === "closed")
    throw new ForbiddenError("sign-up is closed on this service", "signup_closed");
  limitAttempt(ctx, input.email);
  const email = normaliseEmail(input.email);
  // Checked in full before the user exists, so a refused invitation leaves no half-made user.
  const invitation = input.invitationToken
    ? await usableInvitation(ctx.services, input.invitationToken, email)
    : undefined;
  if (!invitation && config.SIGNUP === "invite-only") {
    throw new ForbiddenError(
      "sign-up needs an invitation: pass its token as invitationToken",
      "invitation_required",
      { field: "invitationToken" },
    );
  }
  const user = await createUser(ctx.services, {
    email,
    password: input.password,
    name: input.name ?? null,
  });
  if (!invitation) return startSession(ctx, user);
  const account = await joinThroughInvitation(
    ctx.services,
    invitation,
    user,
    (tenantId, accountId) => ({
      tenantId,
      actorType: "user",
      actorId: user.id,
      accountId,
      ip: ctx.ip,
      action: "invitation.accept",
      at: clock(),
    }),
  );
  return startSession(ctx, user, account.id);
}

/** Creates a user (also used by `tenantgate user create`). */
export async function createUser(
  { store, clock }: { store: Store; clock: () => number },
  input: { email: string; password: string; name: string | null; operator?: boolean },
): Promise<User> {
  const email = normaliseEmail(input.email);
  if (await getUserRowByEmail(store, email))
    throw new ConflictError("email is already registered", "email_taken", "email");
  const now = clock();
  const passwordHash = await hashPassword(input.password);
  try {
    return await insertUser(store, {
      id: newId("usr"),
      email,
      name: input.name,
      password_hash: passwordHash,
      operator: input.operator ? 1 : 0,
      created_at: now,
      password_changed_at: now,
    });
  } catch (error) {
    // Two sign-ups for one email at once: the unique index decides, the loser gets the same 409.
    if (await getUserRowByEmail(store, email))
      throw new ConflictError("email is already registered", "email_taken", "email");
    throw error;
  }
}

/**
 * Signs a user in. An unknown email and a wrong password give the same 401 problem, and both pay
 * for one argon2 verification, so neither the body nor the timing tells them apart.
 */
export async function logIn({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { email: string; password: string };
}): Promise<SignedIn> {
  limitAttempt(ctx, input.email);
  const row = await getUserRowByEmail(ctx.services.store, input.email);
  if (!row) {
    await burnPasswordCheck(input.password);
    throw new UnauthorizedError("email or password is incorrect", "invalid_credentials");
  }
  if (!(await verifyPassword(row.password_hash, input.password))) {
    throw new UnauthorizedError("email or password is incorrect", "invalid_credentials");
  }
  const user = await getUserById(ctx.services.store, row.id);
  if (!user) throw new UnauthorizedError("email or password is incorrect", "invalid_credentials");
  return startSession(ctx, user);
}

/** Changes the password and signs the user out of every other session. */
export async function changePassword({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { currentPassword: string; newPassword: string };
}): Promise<void> {
  const actor = requireUser(ctx);
  const { store, clock } = ctx.services;
  limitAttempt(ctx, actor.user.email);
  const row = await getUserRowByEmail(store, actor.user.email);
  if (!row || !(await verifyPassword(row.password_hash, input.currentPassword))) {
    throw new UnauthorizedError("current password is incorrect", "invalid_credentials");
  }
  await updatePasswordHash(store, row.id, await hashPassword(input.newPassword), clock());
  await invalidateUserSessions(store, row.id, actor.session.id);
}
