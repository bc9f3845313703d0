import type { UserActionContext } from "../http/action-context.js";
import { ForbiddenError } from "../lib/errors.js";
import { isOperator } from "./store.js";

/**
 * Refuses (403 operator_only) unless the signed-in user is an operator.
 *
 * NOTE: operators are the people who run the installation (docs/security.md: "trusted with
 * everything", like the CLI and the data dir). Their flag is a column of the user, not a SpiceDB
 * relationship, because it belongs to no tenant and the schema is the tenants'; issue 12's
 * installation-wide objects may move it into the schema later. It is read from the store on every
 * operator request, so removing it counts from the next one. Under "view as" the user is the
 * viewed account's, so an operator viewing as somebody sees no operator pages.
 */
export async function requireOperator(ctx: UserActionContext): Promise<void> {
  if (ctx.actor.viewAs || !(await isOperator(ctx.services.store, ctx.actor.user.id)))
    throw new ForbiddenError("only operators of this installation may do this", "operator_only");
}
