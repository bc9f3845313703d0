import type { ActionContext } from "../action-context.js";
import { requireOperator } from "./require-operator.js";
import { listTenantsPage, listUsersPage } from "./store.js";

/** The installation's tenants and users, a page at a time, for operators. */

export async function listTenants({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { cursor?: string | undefined; limit: number };
}) {
  requireOperator(ctx);
  const tenants = await listTenantsPage(ctx.services.store, {
    limit: input.limit,
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
  return { tenants, nextCursor: tenants.length === input.limit ? tenants.at(-1)?.id : undefined };
}

export async function listUsers({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { cursor?: string | undefined; limit: number };
}) {
  requireOperator(ctx);
  const users = await listUsersPage(ctx.services.store, {
    limit: input.limit,
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
  return { users, nextCursor: users.length === input.limit ? users.at(-1)?.id : undefined };
}
