import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";

const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

/**
 * Applies the numbered files in `migrations/` (0001_name.sql, …) that this database has not
 * seen, each in its own transaction, and records them. A database newer than this code
 * (a migration number we do not have) stops start-up instead of running on a schema we do not
 * know.
 */
export function applyMigrations(db: Database.Database, dir = MIGRATIONS_DIR): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const known = new Set(files.map((f) => Number(f.slice(0, 4))));
  const applied = new Set(
    db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[],
  );
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new Error(
      `database has migrations ${unknown.join(", ")} that this version of tenantgate does not know; upgrade tenantgate`,
    );
  }
  const record = db.prepare(
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
  );
  const done: number[] = [];
  for (const file of files) {
    const version = Number(file.slice(0, 4));
    if (applied.has(version)) continue;
    const sql = readFileSync(`${dir}/${file}`, "utf8");
    db.transaction(() => {
      db.exec(sql);
      record.run(version, file, Date.now());
    })();
    done.push(version);
  }
  return done;
}
