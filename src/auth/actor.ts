import type { ActionContext } from "../action-context.js";
import { ForbiddenError, UnauthorizedError } from "../lib/errors.js";
import type { ViewAs } from "../operator/view-as.js";
import type { ServiceKey } from "./service-keys.js";
import type { ValidatedSession } from "./sessions.js";

/** Who is making the request: a signed-in user, or another service with its key. */
export type Actor =
  | (ValidatedSession & {
      kind: "user";
      token: string;
      via: "cookie" | "bearer";
      /** An operator looking read-only through this user's account (operator/view-as.ts). */
      viewAs?: ViewAs;
    })
  | { kind: "service"; key: ServiceKey };

export type UserActor = Extract<Actor, { kind: "user" }>;

/** The signed-in user, or a 401: for actions only a user (not a service key) may take. */
export function requireUser(ctx: ActionContext): UserActor {
  if (ctx.actor?.kind !== "user") throw new UnauthorizedError();
  return ctx.actor;
}

/** Whoever asks, user or service; a 401 for nobody. */
export function requireActor(ctx: ActionContext): Actor {
  if (!ctx.actor) throw new UnauthorizedError();
  return ctx.actor;
}

/** A service key that may write; a 403 naming its scope otherwise. */
export function requireWriteScope(key: ServiceKey): void {
  if (key.scope !== "write") {
    throw new ForbiddenError(
      `service key ${key.name} has scope ${key.scope}; writing needs scope write`,
      "insufficient_scope",
    );
  }
}
