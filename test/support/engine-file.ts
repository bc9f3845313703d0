import { migrateSqlite } from "../../src/data/database.js";
import { openSqlite, type SqliteDatabase } from "../../src/data/sqlite.js";

/** A SQLite file holding an embedded engine's durable copy, migrated (no identity tables). */
export async function openEngineFile(path: string): Promise<SqliteDatabase> {
  const db = openSqlite(path);
  await migrateSqlite(db, ["engine"]);
  return db;
}
