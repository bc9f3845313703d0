import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/app-env.js";
import { ForbiddenError, UnauthorizedError, ValidationError } from "../lib/errors.js";
import { liveViewAsGrant, viewedAccount } from "./store.js";
import { viewAsOf } from "./view-as.js";

/** The header the console sends on every request while an operator views as an account. */
const VIEW_AS_HEADER = "x-view-as";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Questions are POSTs that change nothing; viewing as an account may ask them. */
const QUESTION =
  /^\/v1\/(check|check\/bulk|lookup\/resources|lookup\/subjects|tenants\/[^/]+\/check)$/;

/**
 * Turns an operator's request carrying `X-View-As: <grant id>` into the viewed account's own,
 * read-only: every rule of the API then applies to that account, as if it asked. The grant must
 * be the operator's, live, and the operator still an operator; anything but a read or a question
 * is refused (403 view_as_read_only), so viewing as somebody can change nothing.
 */
export const applyViewAs: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = c.req.header(VIEW_AS_HEADER);
  if (id === undefined) return next();
  if (!/^vas_[a-z2-7]{24}$/.test(id))
    throw new ValidationError("X-View-As: expected a view-as id like vas_…", "x-view-as");
  const ctx = c.get("ctx");
  const actor = ctx.actor;
  if (actor?.kind !== "user")
    throw new UnauthorizedError("viewing as an account needs an operator's session");
  const { store, clock } = ctx.services;
  if (!actor.user.operator)
    throw new ForbiddenError("only operators may view as an account", "operator_only");
  const grant = await liveViewAsGrant(store, id, actor.user.id, clock());
  if (!grant) throw new ForbiddenError("this view-as has ended or expired", "view_as_ended");
  if (!SAFE_METHODS.has(c.req.method) && !QUESTION.test(c.req.path))
    throw new ForbiddenError(
      "viewing as an account is read-only; stop viewing to make changes",
      "view_as_read_only",
    );
  const viewed = await viewedAccount(store, grant.account_id);
  if (!viewed) throw new ForbiddenError("the viewed account is gone", "view_as_ended");
  c.set("ctx", {
    ...ctx,
    actor: {
      kind: "user",
      token: actor.token,
      via: actor.via,
      user: viewed.user,
      session: { ...actor.session, userId: viewed.user.id, activeAccountId: viewed.account.id },
      activeAccount: viewed.account,
      viewAs: viewAsOf(grant),
    },
  });
  return next();
};
