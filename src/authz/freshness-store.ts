import type { Store } from "../data/database.js";

/**
 * The zedtoken of the newest relationship write tenantgate acknowledged: one row (id 1) of the
 * shared identity store, so that every replica reads at least as fresh as any replica wrote.
 */

export async function readFreshnessToken(store: Store): Promise<string> {
  const row = await store
    .selectFrom("authz_freshness")
    .select("token")
    .where("id", "=", 1)
    .executeTakeFirst();
  return row?.token ?? "";
}

/** Locks the row until the end of the transaction `tx` (Postgres), so writers take turns. */
export async function lockFreshnessToken(tx: Store): Promise<void> {
  await tx.selectFrom("authz_freshness").select("id").where("id", "=", 1).forUpdate().execute();
}

export async function recordFreshnessToken(
  store: Store,
  token: string,
  now: number,
): Promise<void> {
  await store
    .updateTable("authz_freshness")
    .set({ token, written_at: now })
    .where("id", "=", 1)
    .execute();
}
