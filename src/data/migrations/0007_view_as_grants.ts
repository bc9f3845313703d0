import type { Kysely } from "kysely";

/**
 * Operators' "view as" grants: a stated reason to see the console as one account sees it,
 * read-only, for a limited time. Grants are never deleted, only ended, so they stay as evidence
 * beside the audit log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("view_as_grants")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("operator_user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint")
    .execute();
}
