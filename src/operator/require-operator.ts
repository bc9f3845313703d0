import type { ActionContext } from "../action-context.js";
import { requireUser, type UserActor } from "../auth/actor.js";
import { ForbiddenError } from "../lib/errors.js";

/**
 * Refuses (403 operator_only) unless the signed-in user is an operator.
 *
 * NOTE: operators are the people who run the installation (docs/security.md: "trusted with
 * everything", like the CLI and the data dir). Their flag is a column of the user, not a SpiceDB
 * relationship, because it belongs to no tenant and the schema is the tenants'; installation-wide
 * objects are written by operators too (docs/tenancy-config.md). The flag is
 * read with the session on every request, so removing it counts from the next one. Under "view
 * as" the user is the viewed account's, so an operator viewing as somebody sees no operator pages.
 */
export function requireOperator(ctx: ActionContext): UserActor {
  const actor = requireUser(ctx);
  if (actor.viewAs || !actor.user.operator)
    throw new ForbiddenError("only operators of this installation may do this", "operator_only");
  return actor;
}
