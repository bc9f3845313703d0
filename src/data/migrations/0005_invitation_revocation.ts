import type { Kysely } from "kysely";

/**
 * Invitations can be revoked (by an admin, or because their inviter lost the power to invite):
 * when and by which account; null while the invitation stands.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("invitations").addColumn("revoked_at", "bigint").execute();
  await db.schema.alterTable("invitations").addColumn("revoked_by_account_id", "text").execute();
  await db.schema
    .createIndex("invitations_by_inviter")
    .on("invitations")
    .column("invited_by_account_id")
    .execute();
}
