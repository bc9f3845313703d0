import type { Kysely } from "kysely";

/**
 * The audit log (append-only: no code path updates or deletes it) and the custom roles tenants
 * define. Audit ids sort by time, so they double as the pagination cursor.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("audit_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text")
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("actor_type", "text", (c) => c.notNull())
    .addColumn("actor_id", "text", (c) => c.notNull())
    .addColumn("account_id", "text")
    .addColumn("ip", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("updates", "text", (c) => c.notNull())
    .addColumn("zedtoken", "text")
    .execute();
  await db.schema
    .createIndex("audit_by_tenant")
    .on("audit_log")
    .columns(["tenant_id", "id"])
    .execute();

  await db.schema
    .createTable("roles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("roles_unique_name", ["tenant_id", "name"])
    .execute();
}
