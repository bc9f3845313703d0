import type { ActionContext } from "../action-context.js";
import { requireUser } from "../auth/actor.js";
import { setActiveAccount } from "../auth/store.js";
import { hasPermission } from "../authz/permission.js";
import { ForbiddenError } from "../lib/errors.js";
import { refuseOtherTenantWhileViewing } from "../operator/view-as.js";
import type { Services } from "../services.js";
import { type Account, getAccount, getUserAccountInTenant } from "./store.js";

/**
 * The user's account in a tenant, if it may act there: the account exists, is enabled, and
 * SpiceDB confirms its membership. The one rule for switching tenants and for naming a tenant on
 * a single request.
 */
export async function accountForTenant(
  services: Services,
  userId: string,
  tenantId: string,
): Promise<Account | undefined> {
  const account = await getUserAccountInTenant(services.store, userId, tenantId);
  if (!account || account.disabled) return undefined;
  const member = await hasPermission(services.engine, {
    resource: `tenant:${tenantId}`,
    permission: services.tenancy.tenant.belongs,
    subject: `account:${account.id}`,
  });
  return member ? account : undefined;
}

/** Same rule, starting from the session's stored active account id. */
export async function confirmActiveAccount(
  services: Services,
  userId: string,
  accountId: string | null,
): Promise<Account | undefined> {
  if (!accountId) return undefined;
  const account = await getAccount(services.store, accountId);
  if (!account || account.userId !== userId) return undefined;
  return accountForTenant(services, userId, account.tenantId);
}

/** Makes the user's account in `tenantId` the session's active one; 403 if not allowed there. */
export async function switchActiveTenant({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string };
}): Promise<Account> {
  const actor = requireUser(ctx);
  const account = await accountForTenant(ctx.services, actor.user.id, input.tenantId);
  if (!account)
    throw new ForbiddenError(`no active membership in tenant ${input.tenantId}`, "not_a_member", {
      tenantId: input.tenantId,
    });
  await setActiveAccount(ctx.services.store, actor.session.id, account.id);
  return account;
}

/**
 * The account the user acts as in a tenant-scoped route (`/v1/tenants/{tenantId}/…`): their
 * account there, whatever tenant the session has active.
 */
export async function actingAccount(ctx: ActionContext, tenantId: string): Promise<Account> {
  refuseOtherTenantWhileViewing(ctx.actor, tenantId);
  const account = await accountForTenant(ctx.services, requireUser(ctx).user.id, tenantId);
  if (!account)
    throw new ForbiddenError(`no active membership in tenant ${tenantId}`, "not_a_member", {
      tenantId,
    });
  return account;
}
