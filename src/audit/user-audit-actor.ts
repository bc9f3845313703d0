import type { ActionContext } from "../action-context.js";
import { requireUser } from "../auth/actor.js";
import type { AuditContext } from "./audit-record.js";

/** The audit context for the signed-in user acting through one of their accounts, now. */
export function userAudit(
  ctx: ActionContext,
  tenantId: string,
  accountId: string | null,
  action: string,
): AuditContext {
  return {
    tenantId,
    actorType: "user",
    actorId: requireUser(ctx).user.id,
    accountId,
    ip: ctx.ip,
    action,
    at: ctx.services.clock(),
  };
}
