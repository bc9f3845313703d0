import type { Kysely } from "kysely";

/**
 * What the configurable tenancy model keeps: operators among users (they write installation-wide
 * objects and see the whole instance), attributes that belong to a person rather than to one of
 * their accounts (written for every account of the user), and which tenants are someone's
 * personal workspace or the shared sandbox.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("users")
    .addColumn("operator", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable("user_attributes")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("attribute", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("user_attributes_pk", ["user_id", "attribute"])
    .execute();
  // null: an organisation; "personal": one user's own tenant; "sandbox": the shared one.
  await db.schema.alterTable("tenants").addColumn("kind", "text").execute();
}
