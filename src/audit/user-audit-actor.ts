import type { UserActionContext } from "../http/action-context.js";
import type { AuditActor } from "./audit-scope.js";

/** The audit actor for a user acting through one of their accounts. */
export function userAuditActor(
  ctx: UserActionContext,
  tenantId: string,
  accountId: string | null,
  action: string,
): AuditActor {
  return { tenantId, actorType: "user", actorId: ctx.actor.user.id, accountId, ip: ctx.ip, action };
}
