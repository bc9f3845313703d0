import type { ActionContext } from "../action-context.js";
import type { AuditContext } from "../audit/audit-record.js";
import { userAudit } from "../audit/user-audit-actor.js";
import { requireUser } from "../auth/actor.js";
import { setActiveAccount } from "../auth/store.js";
import { userAttributes } from "../installation/store.js";
import { newId } from "../lib/secure-random.js";
import type { Services } from "../services.js";
import { grantMembership } from "./membership.js";
import { deleteTenantWithAccount, insertTenantWithAccount, type Tenant } from "./store.js";

/**
 * Creates a tenant with the creator's account in it as owner, and makes it the session's active
 * tenant.
 */
export async function createTenant({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { name: string };
}): Promise<{ tenant: Tenant; accountId: string }> {
  const actor = requireUser(ctx);
  const { tenant, accountId } = await createTenantWithAccount(ctx.services, {
    userId: actor.user.id,
    name: input.name,
    kind: null,
    role: ctx.services.tenancy.creatorRole,
    audit: (tenantId, accountId) => userAudit(ctx, tenantId, accountId, "tenant.create"),
  });
  await setActiveAccount(ctx.services.store, actor.session.id, accountId);
  return { tenant, accountId };
}

/**
 * A new tenant with one account in it, holding `role`: the rows first, then the SpiceDB grant.
 * Rows without a grant are inert (no membership, so no permission), and if the grant fails the
 * rows are removed again. Also makes personal workspaces (workspace.ts).
 */
export async function createTenantWithAccount(
  services: Services,
  input: {
    userId: string;
    name: string;
    kind: string | null;
    role: string;
    audit: (tenantId: string, accountId: string) => AuditContext;
  },
): Promise<{ tenant: Tenant; accountId: string }> {
  const { store, engine, clock, tenancy } = services;
  const now = clock();
  const tenant = { id: newId("ten"), name: input.name, created_at: now, kind: input.kind };
  const account = {
    id: newId("acc"),
    tenant_id: tenant.id,
    user_id: input.userId,
    created_at: now,
    disabled_at: null,
  };
  await insertTenantWithAccount(store, tenant, account);
  try {
    await grantMembership(engine, {
      tenantId: tenant.id,
      accountId: account.id,
      userId: input.userId,
      role: input.role,
      attributes: await userAttributes(store, input.userId),
      tenantLinks: tenancy.tenant.links,
      audit: input.audit(tenant.id, account.id),
    });
  } catch (error) {
    await deleteTenantWithAccount(store, tenant.id, account.id);
    throw error;
  }
  return { tenant: { id: tenant.id, name: tenant.name }, accountId: account.id };
}
