import type { ActionContext } from "../action-context.js";
import { NotFoundError } from "../lib/errors.js";
import { requireUser } from "./actor.js";
import {
  invalidateSession,
  invalidateUserSessions,
  listUserSessions,
  type Session,
} from "./sessions.js";

/** Signs out: deletes the session on the server. Signed out already: nothing to do. */
export async function signOut({ ctx }: { ctx: ActionContext }): Promise<void> {
  if (ctx.actor?.kind === "user") await invalidateSession(ctx.services.store, ctx.actor.session.id);
}

/** The signed-in user's live sessions, newest first, the asking one marked. */
export async function listSessions({
  ctx,
}: {
  ctx: ActionContext;
}): Promise<(Session & { current: boolean })[]> {
  const actor = requireUser(ctx);
  const sessions = await listUserSessions(ctx.services.store, actor.user.id, ctx.services.clock());
  return sessions.map((s) => ({ ...s, current: s.id === actor.session.id }));
}

/** Signs out one of the user's own sessions; another user's session is not found. */
export async function endSession({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { sessionId: string };
}): Promise<void> {
  const actor = requireUser(ctx);
  const { store, clock } = ctx.services;
  const own = (await listUserSessions(store, actor.user.id, clock())).some(
    (s) => s.id === input.sessionId,
  );
  if (!own) throw new NotFoundError(`no session ${input.sessionId}`, "session_not_found");
  await invalidateSession(store, input.sessionId);
}

/** Signs out everywhere: every session of the user, this one included. */
export async function endAllSessions({ ctx }: { ctx: ActionContext }): Promise<void> {
  await invalidateUserSessions(ctx.services.store, requireUser(ctx).user.id);
}
