import { type Kysely, sql } from "kysely";

/**
 * The durable copy of every relationship the embedded SpiceDB engine holds (its own datastore is
 * memory; at start tenantgate loads these rows into it), and small named values the engine layer
 * keeps (the schema last written to the embedded engine). Always in the SQLite file.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE relationships (
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    relation TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    subject_relation TEXT NOT NULL DEFAULT '',
    caveat_name TEXT,
    caveat_context TEXT,
    expires_at INTEGER,
    PRIMARY KEY (resource_type, resource_id, relation, subject_type, subject_id, subject_relation)
  ) STRICT, WITHOUT ROWID`.execute(db);
  await sql`CREATE INDEX relationships_expiry ON relationships (expires_at) WHERE expires_at IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE TABLE engine_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`.execute(
    db,
  );
}
