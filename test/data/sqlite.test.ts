import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { openSqlite } from "../../src/data/sqlite.js";
import { openEngineFile } from "../support/engine-file.js";
import { tempDirForTest } from "../support/temp-dir.js";

describe("openSqlite", () => {
  test("creates the file and its folders, in WAL mode with full fsync and foreign keys", () => {
    const path = join(tempDirForTest("sqlite"), "nested", "dir", "tenantgate.sqlite");
    const db = openSqlite(path);
    try {
      expect(existsSync(path)).toBe(true);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL
      expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  test("the engine's tables are STRICT: a value of the wrong type is refused", async () => {
    const db = await openEngineFile(join(tempDirForTest("sqlite"), "tenantgate.sqlite"));
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

  test(":memory: opens without touching the disk", async () => {
    const db = await openEngineFile(":memory:");
    expect(db.prepare("SELECT count(*) FROM relationships").pluck().get()).toBe(0);
    db.close();
  });
});
