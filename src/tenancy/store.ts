import type { Store } from "../data/database.js";
import type { AccountsTable, InvitationsTable, TenantsTable } from "../data/tables.js";

export interface Tenant {
  id: string;
  name: string;
}

export interface Account {
  id: string;
  tenantId: string;
  userId: string;
  disabled: boolean;
}

const toAccount = (row: AccountsTable): Account => ({
  id: row.id,
  tenantId: row.tenant_id,
  userId: row.user_id,
  disabled: row.disabled_at !== null,
});

export async function insertTenantWithAccount(
  store: Store,
  tenant: TenantsTable,
  account: AccountsTable,
): Promise<void> {
  await store.transaction().execute(async (tx) => {
    await tx.insertInto("tenants").values(tenant).execute();
    await tx.insertInto("accounts").values(account).execute();
  });
}

/** Creates the shared sandbox tenant unless it exists (two first users at once: one wins). */
export async function ensureTenant(store: Store, tenant: TenantsTable): Promise<void> {
  await store
    .insertInto("tenants")
    .values(tenant)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function deleteTenantWithAccount(
  store: Store,
  tenantId: string,
  accountId: string,
): Promise<void> {
  await store.transaction().execute(async (tx) => {
    await tx.deleteFrom("accounts").where("id", "=", accountId).execute();
    await tx.deleteFrom("tenants").where("id", "=", tenantId).execute();
  });
}

export async function getAccount(store: Store, id: string): Promise<Account | undefined> {
  const row = await store
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function getUserAccountInTenant(
  store: Store,
  userId: string,
  tenantId: string,
): Promise<Account | undefined> {
  const row = await store
    .selectFrom("accounts")
    .selectAll()
    .where("user_id", "=", userId)
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

/** A user's enabled accounts with their tenants' names and kinds (personal, sandbox or null). */
export async function listUserAccounts(
  store: Store,
  userId: string,
): Promise<(Account & { tenantName: string; tenantKind: string | null })[]> {
  const rows = await store
    .selectFrom("accounts")
    .innerJoin("tenants", "tenants.id", "accounts.tenant_id")
    .selectAll("accounts")
    .select(["tenants.name as tenant_name", "tenants.kind as tenant_kind"])
    .where("accounts.user_id", "=", userId)
    .where("accounts.disabled_at", "is", null)
    .orderBy("accounts.created_at")
    .execute();
  return rows.map((row) => ({
    ...toAccount(row),
    tenantName: row.tenant_name,
    tenantKind: row.tenant_kind,
  }));
}

/** The tenant's enabled accounts with their users' emails and names. */
export async function listTenantAccounts(store: Store, tenantId: string) {
  return store
    .selectFrom("accounts")
    .innerJoin("users", "users.id", "accounts.user_id")
    .select([
      "accounts.id as accountId",
      "users.id as userId",
      "users.email",
      "users.name",
      "accounts.created_at as createdAt",
    ])
    .where("accounts.tenant_id", "=", tenantId)
    .where("accounts.disabled_at", "is", null)
    .orderBy("accounts.created_at")
    .execute();
}

/** Which of these account ids are enabled accounts of the tenant. */
export async function enabledAccountsOfTenant(
  store: Store,
  tenantId: string,
  accountIds: string[],
): Promise<Set<string>> {
  if (accountIds.length === 0) return new Set();
  const rows = await store
    .selectFrom("accounts")
    .select("id")
    .where("id", "in", accountIds)
    .where("tenant_id", "=", tenantId)
    .where("disabled_at", "is", null)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Creates the account, or re-enables a disabled one: a removed member who is invited again. */
export async function upsertAccount(store: Store, row: AccountsTable): Promise<Account> {
  const existing = await getUserAccountInTenant(store, row.user_id, row.tenant_id);
  if (existing) {
    await store
      .updateTable("accounts")
      .set({ disabled_at: null })
      .where("id", "=", existing.id)
      .execute();
    return { ...existing, disabled: false };
  }
  await store.insertInto("accounts").values(row).execute();
  return toAccount(row);
}

export async function disableAccount(store: Store, accountId: string, now: number): Promise<void> {
  await store
    .updateTable("accounts")
    .set({ disabled_at: now })
    .where("id", "=", accountId)
    .execute();
  // A session whose active account is gone falls back to "no active tenant".
  await store
    .updateTable("sessions")
    .set({ active_account_id: null })
    .where("active_account_id", "=", accountId)
    .execute();
}

export async function insertInvitation(store: Store, row: InvitationsTable): Promise<void> {
  await store.insertInto("invitations").values(row).execute();
}

export async function getInvitationByTokenHash(
  store: Store,
  tokenHash: string,
): Promise<InvitationsTable | undefined> {
  return store
    .selectFrom("invitations")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
}

/** Marks an invitation used; false if it was used or revoked first (single use under races). */
export async function claimInvitation(store: Store, id: string, now: number): Promise<boolean> {
  const result = await store
    .updateTable("invitations")
    .set({ accepted_at: now })
    .where("id", "=", id)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a claimed invitation back (the membership grant after the claim failed). */
export async function releaseInvitation(store: Store, id: string): Promise<void> {
  await store.updateTable("invitations").set({ accepted_at: null }).where("id", "=", id).execute();
}

/** An invitation that can still be accepted: not used, not revoked, not expired. */
export interface PendingInvitation {
  id: string;
  tenantId: string;
  email: string;
  role: string;
  invitedByAccountId: string;
  createdAt: number;
  expiresAt: number;
}

const toPending = (row: InvitationsTable): PendingInvitation => ({
  id: row.id,
  tenantId: row.tenant_id,
  email: row.email,
  role: row.role,
  invitedByAccountId: row.invited_by_account_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

/** Pending invitations of a tenant, or of one inviter there, oldest first. */
export async function listPendingInvitations(
  store: Store,
  filter: { tenantId: string; invitedByAccountId?: string },
  now: number,
): Promise<PendingInvitation[]> {
  let query = store
    .selectFrom("invitations")
    .selectAll()
    .where("tenant_id", "=", filter.tenantId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("created_at");
  if (filter.invitedByAccountId)
    query = query.where("invited_by_account_id", "=", filter.invitedByAccountId);
  return (await query.execute()).map(toPending);
}

/** Revokes a pending invitation; false if it was accepted or revoked first. */
export async function revokeInvitationRow(
  store: Store,
  id: string,
  byAccountId: string | null,
  now: number,
): Promise<boolean> {
  const result = await store
    .updateTable("invitations")
    .set({ revoked_at: now, revoked_by_account_id: byAccountId })
    .where("id", "=", id)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordInvitationAccount(
  store: Store,
  id: string,
  accountId: string,
): Promise<void> {
  await store
    .updateTable("invitations")
    .set({ accepted_account_id: accountId })
    .where("id", "=", id)
    .execute();
}
