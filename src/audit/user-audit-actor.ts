import type { UserActionContext } from "../http/action-context.js";
import type { AuditContext } from "./audit-record.js";

/** The audit context for a user acting through one of their accounts, now. */
export function userAudit(
  ctx: UserActionContext,
  tenantId: string,
  accountId: string | null,
  action: string,
): AuditContext {
  return {
    tenantId,
    actorType: "user",
    actorId: ctx.actor.user.id,
    accountId,
    ip: ctx.ip,
    action,
    at: ctx.services.clock(),
  };
}
