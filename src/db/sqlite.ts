import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { applyMigrations } from "./migrate.js";

export type SqliteDatabase = Database.Database;

/**
 * Opens (creating if needed) a SQLite database in WAL mode and brings it to the latest
 * migration. `synchronous = FULL` because a relationship write is acknowledged only once it is
 * on disk: FULL survives power loss, not just a killed process.
 */
export function openDatabase(path: string): SqliteDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  applyMigrations(db);
  return db;
}
