import type { ActionContext } from "../action-context.js";
import type { AuditActor } from "../audit/audit-record.js";
import { requireWriteScope } from "../auth/actor.js";
import { ForbiddenError, UnauthorizedError } from "../lib/errors.js";

/**
 * Who may write the installation's own objects and people's attributes (they belong to no
 * tenant): an operator (a user marked so by `tenantgate user create --operator`) or a service key
 * with scope `write`. Returns the audit actor, with no tenant.
 */
export function installationWriter(ctx: ActionContext): Omit<AuditActor, "action"> {
  const { actor } = ctx;
  if (!actor) throw new UnauthorizedError();
  if (actor.kind === "service") {
    requireWriteScope(actor.key);
    return {
      tenantId: null,
      actorType: "service",
      actorId: actor.key.id,
      accountId: null,
      ip: ctx.ip,
    };
  }
  if (!actor.user.operator) {
    throw new ForbiddenError(
      "installation-wide objects and user attributes are written by operators and write-scoped service keys",
      "operator_only",
    );
  }
  return { tenantId: null, actorType: "user", actorId: actor.user.id, accountId: null, ip: ctx.ip };
}
