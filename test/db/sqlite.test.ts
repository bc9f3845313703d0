import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { openDatabase } from "../../src/db/sqlite.js";
import { tempDirForTest } from "../support/temp-dir.js";

describe("openDatabase", () => {
  test("creates the file and its folders, migrated, in WAL mode with full fsync", () => {
    const path = join(tempDirForTest("sqlite"), "nested", "dir", "tenantgate.sqlite");
    const db = openDatabase(path);
    try {
      expect(existsSync(path)).toBe(true);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL
      expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
      expect(db.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  test("reopening keeps the data and applies nothing twice", () => {
    const path = join(tempDirForTest("sqlite"), "tenantgate.sqlite");
    const first = openDatabase(path);
    first.prepare("INSERT INTO engine_state (key, value) VALUES ('k', 'v')").run();
    const migrations = first.prepare("SELECT count(*) FROM schema_migrations").pluck().get();
    first.close();

    const second = openDatabase(path);
    try {
      expect(second.prepare("SELECT value FROM engine_state WHERE key = 'k'").pluck().get()).toBe(
        "v",
      );
      expect(second.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBe(
        migrations,
      );
    } finally {
      second.close();
    }
  });

  test("tables are STRICT: a value of the wrong type is refused", () => {
    const db = openDatabase(join(tempDirForTest("sqlite"), "tenantgate.sqlite"));
    try {
      expect(() =>
        db
          .prepare(
            "INSERT INTO relationships (resource_type, resource_id, relation, subject_type, subject_id, expires_at) VALUES ('project', 'p', 'viewer', 'account', 'a', 'soon')",
          )
          .run(),
      ).toThrow(/cannot store TEXT value in INTEGER column/);
    } finally {
      db.close();
    }
  });

  test(":memory: opens without touching the disk", () => {
    const db = openDatabase(":memory:");
    expect(db.prepare("SELECT count(*) FROM relationships").pluck().get()).toBe(0);
    db.close();
  });
});
