import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { applyMigrations } from "../../src/db/migrate.js";
import { tempDirForTest } from "../support/temp-dir.js";

/** A migrations folder of the test's own, from { "0001_name.sql": "SQL" }. */
function migrationsDir(files: Record<string, string>): string {
  const dir = join(tempDirForTest("migrations"), "migrations");
  mkdirSync(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

function freshDatabase(): Database.Database {
  const db = new Database(join(tempDirForTest("migrate"), "test.sqlite"));
  return db;
}

const tables = (db: Database.Database) =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();

describe("applyMigrations", () => {
  test("brings a new database to the latest migration, once", () => {
    const db = freshDatabase();
    expect(applyMigrations(db)).toEqual([1]);
    expect(tables(db)).toEqual(
      expect.arrayContaining(["engine_state", "relationships", "schema_migrations"]),
    );
    expect(applyMigrations(db)).toEqual([]);
    expect(db.prepare("SELECT version, name FROM schema_migrations").all()).toEqual([
      { version: 1, name: "0001_relationships.sql" },
    ]);
    db.close();
  });

  test("applies pending migrations in number order and ignores other files", () => {
    const db = freshDatabase();
    const dir = migrationsDir({
      "0002_second.sql":
        "CREATE TABLE second (id INTEGER PRIMARY KEY, first_id INTEGER REFERENCES first (id)) STRICT;",
      "0001_first.sql": "CREATE TABLE first (id INTEGER PRIMARY KEY) STRICT;",
      "README.md": "not a migration",
      "3_wrong_name.sql": "CREATE TABLE never (id INTEGER) STRICT;",
    });
    expect(applyMigrations(db, dir)).toEqual([1, 2]);
    expect(tables(db)).toEqual(["first", "schema_migrations", "second"]);
    db.close();
  });

  test("a failing migration is rolled back and not recorded; the ones before it stay", () => {
    const db = freshDatabase();
    const dir = migrationsDir({
      "0001_first.sql": "CREATE TABLE first (id INTEGER PRIMARY KEY) STRICT;",
      "0002_broken.sql": "CREATE TABLE half (id INTEGER) STRICT; INSERT INTO missing VALUES (1);",
    });
    expect(() => applyMigrations(db, dir)).toThrow(/missing/);
    expect(tables(db)).toEqual(["first", "schema_migrations"]);
    expect(db.prepare("SELECT version FROM schema_migrations").pluck().all()).toEqual([1]);
    db.close();
  });

  test("a database with a migration this code does not know stops start-up", () => {
    const db = freshDatabase();
    applyMigrations(db);
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 0)",
    ).run();
    expect(() => applyMigrations(db)).toThrow(/migrations 99 .*upgrade tenantgate/);
    db.close();
  });
});
