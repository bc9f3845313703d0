import type { Context } from "hono";
import { clientIp, requireUser, type UserActor } from "./actor.js";
import type { AppEnv, AppServices } from "./services.js";

/** What an action receives besides its input: the services, and who asks from where. */
export interface ActionContext {
  services: AppServices;
  ip: string | null;
  userAgent: string | null;
}

export interface UserActionContext extends ActionContext {
  actor: UserActor;
}

export function actionContext(c: Context<AppEnv>): ActionContext {
  return {
    services: c.get("services"),
    ip: clientIp(c),
    userAgent: c.req.header("user-agent") ?? null,
  };
}

export function userActionContext(c: Context<AppEnv>): UserActionContext {
  return { ...actionContext(c), actor: requireUser(c) };
}
