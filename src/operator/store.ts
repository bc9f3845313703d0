import type { Store } from "../data/database.js";
import type { ViewAsGrantsTable } from "../data/tables.js";

/** The instance-wide listings of the operator view, and view-as grants. */

/** Users by id, after `cursor` (an id), with their enabled accounts and those tenants' names. */
export async function listUsersPage(store: Store, page: { cursor?: string; limit: number }) {
  let query = store
    .selectFrom("users")
    .select(["id", "email", "name", "created_at", "operator"])
    .orderBy("id")
    .limit(page.limit);
  if (page.cursor) query = query.where("id", ">", page.cursor);
  const users = await query.execute();
  const accounts =
    users.length === 0
      ? []
      : await store
          .selectFrom("accounts")
          .innerJoin("tenants", "tenants.id", "accounts.tenant_id")
          .select([
            "accounts.id as id",
            "accounts.user_id as userId",
            "tenants.id as tenantId",
            "tenants.name as tenantName",
          ])
          .where(
            "accounts.user_id",
            "in",
            users.map((u) => u.id),
          )
          .where("accounts.disabled_at", "is", null)
          .orderBy("accounts.created_at")
          .execute();
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    createdAt: u.created_at,
    operator: u.operator === 1,
    accounts: accounts
      .filter((a) => a.userId === u.id)
      .map((a) => ({ id: a.id, tenantId: a.tenantId, tenantName: a.tenantName })),
  }));
}

/** Tenants by id, after `cursor`, with how many enabled accounts each has. */
export async function listTenantsPage(store: Store, page: { cursor?: string; limit: number }) {
  let query = store
    .selectFrom("tenants")
    .leftJoin("accounts", (join) =>
      join.onRef("accounts.tenant_id", "=", "tenants.id").on("accounts.disabled_at", "is", null),
    )
    .select(({ fn }) => [
      "tenants.id as id",
      "tenants.name as name",
      "tenants.created_at as createdAt",
      fn.count<number>("accounts.id").as("accounts"),
    ])
    .groupBy(["tenants.id", "tenants.name", "tenants.created_at"])
    .orderBy("tenants.id")
    .limit(page.limit);
  if (page.cursor) query = query.where("tenants.id", ">", page.cursor);
  return (await query.execute()).map((t) => ({ ...t, accounts: Number(t.accounts) }));
}

/** Row counts for the instance view: users, tenants, live service keys, live sessions. */
export async function instanceCounts(store: Store, now: number) {
  const n = (row: { n: number | string } | undefined) => Number(row?.n ?? 0);
  const [users, tenants, liveServiceKeys, liveSessions] = await Promise.all([
    store
      .selectFrom("users")
      .select(({ fn }) => fn.countAll<number>().as("n"))
      .executeTakeFirst(),
    store
      .selectFrom("tenants")
      .select(({ fn }) => fn.countAll<number>().as("n"))
      .executeTakeFirst(),
    store
      .selectFrom("service_keys")
      .select(({ fn }) => fn.countAll<number>().as("n"))
      .where("revoked_at", "is", null)
      .executeTakeFirst(),
    store
      .selectFrom("sessions")
      .select(({ fn }) => fn.countAll<number>().as("n"))
      .where("expires_at", ">", now)
      .executeTakeFirst(),
  ]);
  return {
    users: n(users),
    tenants: n(tenants),
    liveServiceKeys: n(liveServiceKeys),
    liveSessions: n(liveSessions),
  };
}

export async function insertViewAsGrant(store: Store, row: ViewAsGrantsTable): Promise<void> {
  await store.insertInto("view_as_grants").values(row).execute();
}

/** A grant the operator may use now: theirs, not ended, not expired. */
export async function liveViewAsGrant(
  store: Store,
  id: string,
  operatorUserId: string,
  now: number,
): Promise<ViewAsGrantsTable | undefined> {
  return store
    .selectFrom("view_as_grants")
    .selectAll()
    .where("id", "=", id)
    .where("operator_user_id", "=", operatorUserId)
    .where("ended_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
}

export async function endViewAsGrant(store: Store, id: string, now: number): Promise<void> {
  await store
    .updateTable("view_as_grants")
    .set({ ended_at: now })
    .where("id", "=", id)
    .where("ended_at", "is", null)
    .execute();
}

/** The user and account a view-as grant looks through, if both still exist and are enabled. */
export async function viewedAccount(store: Store, accountId: string) {
  const row = await store
    .selectFrom("accounts")
    .innerJoin("users", "users.id", "accounts.user_id")
    .select([
      "accounts.id as accountId",
      "accounts.tenant_id as tenantId",
      "accounts.disabled_at as disabledAt",
      "users.id as userId",
      "users.email as email",
      "users.name as name",
      "users.created_at as createdAt",
    ])
    .where("accounts.id", "=", accountId)
    .executeTakeFirst();
  if (!row || row.disabledAt !== null) return undefined;
  return {
    user: {
      id: row.userId,
      email: row.email,
      name: row.name,
      createdAt: row.createdAt,
      // Viewing as an account never carries the operator's powers.
      operator: false,
    },
    account: { id: row.accountId, tenantId: row.tenantId, userId: row.userId, disabled: false },
  };
}
