import type { User } from "../auth/store.js";
import { userAttributes } from "../installation/store.js";
import { newId } from "../lib/secure-random.js";
import type { Services } from "../services.js";
import { createTenantWithAccount } from "./create-tenant.js";
import { grantMembership } from "./membership.js";
import { ensureTenant, listUserAccounts, upsertAccount } from "./store.js";

/**
 * The personal workspace (tenancy.yaml personalWorkspace): with `personal`, a tenant of the user's
 * own; with `sandbox`, an account in one shared tenant. Made when the user first signs up or in,
 * if it is missing (users created by the CLI, or before the mode was turned on, get theirs then).
 * Returns the account to make active: the user's first organisation account if they have one,
 * else the workspace; undefined when the mode is off and they belong nowhere.
 */
export async function activeAccountAtSignIn(
  services: Services,
  user: User,
): Promise<string | undefined> {
  const { tenancy } = services;
  const accounts = await listUserAccounts(services.store, user.id);
  const organisation = accounts.find((a) => a.tenantKind === null);
  if (organisation) return organisation.id;
  const mode = tenancy.personalWorkspace.mode;
  if (mode === "off") return accounts[0]?.id;
  const workspace = accounts.find((a) => a.tenantKind === mode);
  if (workspace) return workspace.id;
  return mode === "personal" ? createPersonalTenant(services, user) : joinSandbox(services, user);
}

async function createPersonalTenant(services: Services, user: User): Promise<string> {
  const { personalWorkspace } = services.tenancy;
  const { accountId } = await createTenantWithAccount(services, {
    userId: user.id,
    name: personalWorkspace.name,
    kind: "personal",
    role: personalWorkspace.role as string,
    audit: (tenantId, accountId) => workspaceAudit(services, user, tenantId, accountId),
  });
  return accountId;
}

async function joinSandbox(services: Services, user: User): Promise<string> {
  const { store, engine, clock, tenancy } = services;
  const now = clock();
  const tenantId = tenancy.personalWorkspace.sandboxTenant;
  await ensureTenant(store, { id: tenantId, name: "Sandbox", created_at: now, kind: "sandbox" });
  const account = await upsertAccount(store, {
    id: newId("acc"),
    tenant_id: tenantId,
    user_id: user.id,
    created_at: now,
    disabled_at: null,
  });
  // The tenant's links go with every account: touching them again changes nothing.
  await grantMembership(engine, {
    tenantId,
    accountId: account.id,
    userId: user.id,
    role: tenancy.personalWorkspace.role as string,
    attributes: await userAttributes(store, user.id),
    tenantLinks: tenancy.tenant.links,
    audit: workspaceAudit(services, user, tenantId, account.id),
  });
  return account.id;
}

function workspaceAudit(services: Services, user: User, tenantId: string, accountId: string) {
  return {
    tenantId,
    actorType: "user" as const,
    actorId: user.id,
    accountId,
    ip: null,
    action: "workspace.create",
    at: services.clock(),
  };
}
