import type { ActionContext } from "../action-context.js";
import { userAudit } from "../audit/user-audit-actor.js";
import { requireUser } from "../auth/actor.js";
import { setActiveAccount } from "../auth/store.js";
import { userAttributes } from "../installation/store.js";
import { newId } from "../lib/secure-random.js";
import { grantMembership } from "./membership.js";
import { deleteTenantWithAccount, insertTenantWithAccount, type Tenant } from "./store.js";

/**
 * Creates a tenant with the creator's account in it as owner, and makes it the session's active
 * tenant. Rows first, then the SpiceDB grant: rows without a grant are inert (no membership, so
 * no permission), and if the grant fails the rows are removed again.
 */
export async function createTenant({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { name: string };
}): Promise<{ tenant: Tenant; accountId: string }> {
  const actor = requireUser(ctx);
  const { store, engine, clock, tenancy } = ctx.services;
  const now = clock();
  const tenant = { id: newId("ten"), name: input.name, created_at: now, kind: null };
  const account = {
    id: newId("acc"),
    tenant_id: tenant.id,
    user_id: actor.user.id,
    created_at: now,
    disabled_at: null,
  };
  await insertTenantWithAccount(store, tenant, account);
  try {
    await grantMembership(engine, {
      tenantId: tenant.id,
      accountId: account.id,
      userId: actor.user.id,
      role: tenancy.creatorRole,
      attributes: await userAttributes(store, actor.user.id),
      tenantLinks: tenancy.tenant.links,
      audit: userAudit(ctx, tenant.id, account.id, "tenant.create"),
    });
  } catch (error) {
    await deleteTenantWithAccount(store, tenant.id, account.id);
    throw error;
  }
  await setActiveAccount(store, actor.session.id, account.id);
  return { tenant: { id: tenant.id, name: tenant.name }, accountId: account.id };
}
