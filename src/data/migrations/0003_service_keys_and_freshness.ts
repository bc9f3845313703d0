import type { Kysely } from "kysely";

/**
 * Service keys (other services calling the check API) and the zedtoken of tenantgate's latest
 * relationship write, kept where every replica reads it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("service_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("revoked_at", "bigint")
    .execute();

  await db.schema
    .createTable("authz_freshness")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("token", "text", (c) => c.notNull())
    .addColumn("written_at", "bigint", (c) => c.notNull())
    .execute();
  // The single row exists from the start so that writers can lock it (SELECT … FOR UPDATE).
  await (db as Kysely<{ authz_freshness: { id: number; token: string; written_at: number } }>)
    .insertInto("authz_freshness")
    .values({ id: 1, token: "", written_at: 0 })
    .execute();
}
