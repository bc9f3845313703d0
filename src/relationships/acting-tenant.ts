import type { ActionContext } from "../action-context.js";
import type { AuditActor } from "../audit/audit-record.js";
import { requireWriteScope } from "../auth/actor.js";
import { resolveSubject } from "../check/subject.js";
import { ForbiddenError, UnauthorizedError, ValidationError } from "../lib/errors.js";

/**
 * Who writes relationships, and for which tenant: a user's account (the active one, or the one
 * in `tenantId`), or a service key with scope `write` naming the tenant it acts for.
 */
export interface ActingTenant {
  tenantId: string;
  /** The acting account; null for a service key, which is trusted within the tenant it names. */
  accountId: string | null;
  audit: Omit<AuditActor, "action">;
}

export async function actingTenant(
  ctx: ActionContext,
  tenantId: string | undefined,
): Promise<ActingTenant> {
  const { actor } = ctx;
  if (!actor) throw new UnauthorizedError();
  if (actor.kind === "service") {
    requireWriteScope(actor.key);
    if (!tenantId)
      throw new ValidationError("a service key must name the tenant it writes for", "tenantId");
    return {
      tenantId,
      accountId: null,
      audit: { tenantId, actorType: "service", actorId: actor.key.id, accountId: null, ip: ctx.ip },
    };
  }
  const subject = await resolveSubject(ctx, { tenantId });
  const membership = subject.membership;
  if (!membership) throw new ForbiddenError("no acting account", "no_active_tenant");
  return {
    tenantId: membership.tenantId,
    accountId: membership.accountId,
    audit: {
      tenantId: membership.tenantId,
      actorType: "user",
      actorId: actor.user.id,
      accountId: membership.accountId,
      ip: ctx.ip,
    },
  };
}
