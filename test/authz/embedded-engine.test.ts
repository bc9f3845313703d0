import { readFileSync } from "node:fs";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import Database from "better-sqlite3";
import { afterAll, describe, expect, onTestFinished, test } from "vitest";
import { DurableEngine } from "../../src/authz/durable-engine.js";
import { RelationshipStore } from "../../src/authz/relationship-store.js";
import type { SqliteDatabase } from "../../src/data/sqlite.js";
import { openEngineFile } from "../support/engine-file.js";
import { freshId } from "../support/ids.js";
import {
  check,
  readAllRelationships,
  relationshipFilter,
  remove,
  storedRelationships,
  touch,
  touchAll,
  write,
} from "../support/relationships.js";
import { SCHEMA_PATH } from "../support/runtime.js";
import { tempDirForTest, tempDirPool } from "../support/temp-dir.js";
import { engineContract } from "./engine-contract.js";

const schema = readFileSync(SCHEMA_PATH, "utf8");

describe("embedded DurableEngine", () => {
  const dirs = tempDirPool("engine");
  const databases: SqliteDatabase[] = [];
  afterAll(() => {
    for (const db of databases) db.close();
    dirs.removeAll();
  });

  engineContract("embedded DurableEngine", async () => {
    const db = await openEngineFile(join(dirs.make(), "tenantgate.sqlite"));
    databases.push(db);
    return DurableEngine.open(new RelationshipStore(db));
  });
});

/**
 * A DurableEngine on a fresh SQLite file, schema deployed. Whatever it opens (including by
 * `reopen`) is closed when the test ends, passed or failed.
 */
async function openFresh() {
  const path = join(tempDirForTest("durable"), "tenantgate.sqlite");
  const opened: { db: SqliteDatabase; engine: DurableEngine }[] = [];
  onTestFinished(async () => {
    for (const { db, engine } of opened) {
      await engine.close();
      if (db.open) db.close();
    }
  });
  const open = async () => {
    const db = await openEngineFile(path);
    const engine = await DurableEngine.open(new RelationshipStore(db));
    opened.push({ db, engine });
    return { db, engine };
  };
  const { db, engine } = await open();
  await engine.writeSchema(schema);
  return {
    path,
    db,
    engine,
    /** Closes the engine and the database, then opens both again from the file. */
    async reopen() {
      await engine.close();
      db.close();
      return open();
    },
  };
}

describe("DurableEngine durability", () => {
  test("SQLite holds exactly what the engine accepted", async () => {
    const { db, engine } = await openFresh();
    const [t, p, a, b] = [freshId("t"), freshId("p"), freshId("a"), freshId("a")];
    await touchAll(engine, [
      `tenant:${t}#member@account:${a}`,
      `project:${p}#tenant@tenant:${t}`,
      `project:${p}#viewer@account:${a}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`,
      `project:${p}#editor@account:${b}[expiration:2100-01-01T00:00:00Z]`,
      `project:${p}#editor@role:${freshId("r")}#assignee`,
      `role:${freshId("r")}#grant_project_view@account:*`,
    ]);
    await write(engine, [remove(`tenant:${t}#member@account:${a}`)]);
    await expect(write(engine, [touch(`project:${p}#auditor@account:${a}`)])).rejects.toThrow();

    expect(storedRelationships(db)).toEqual(await readAllRelationships(engine));
    expect(storedRelationships(db)).toHaveLength(5);
  });

  test("reopening the file restores the schema and every relationship", async () => {
    const fresh = await openFresh();
    const [t, p, a] = [freshId("t"), freshId("p"), freshId("a")];
    await touchAll(fresh.engine, [
      `tenant:${t}#member@account:${a}`,
      `project:${p}#tenant@tenant:${t}`,
      `project:${p}#viewer@account:${a}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`,
    ]);
    const before = await readAllRelationships(fresh.engine);
    const deployed = await fresh.engine.readSchema();

    const { engine } = await fresh.reopen();
    expect(await engine.readSchema()).toBe(deployed);
    expect(await readAllRelationships(engine)).toEqual(before);
    expect(
      await check(engine, `project:${p}`, "view", `account:${a}`, { client_ip: "10.0.0.1" }),
    ).toBe("yes");
  });

  test("expired rows are not loaded at start, and deleteExpired drops them from SQLite", async () => {
    const fresh = await openFresh();
    const [p, a, b] = [freshId("p"), freshId("a"), freshId("a")];
    await touchAll(fresh.engine, [
      `project:${p}#editor@account:${a}[expiration:2020-01-01T00:00:00Z]`,
      `project:${p}#editor@account:${b}[expiration:2100-01-01T00:00:00Z]`,
    ]);
    const { db, engine } = await fresh.reopen();
    expect(await readAllRelationships(engine)).toEqual([
      `project:${p}#editor@account:${b}[expiration:2100-01-01T00:00:00Z]`,
    ]);
    const rows = () => db.prepare("SELECT count(*) FROM relationships").pluck().get();
    expect(rows()).toBe(2);
    expect(engine.deleteExpired()).toBe(1);
    expect(rows()).toBe(1);
  });

  test("a partial delete by filter removes from SQLite exactly what the engine removed", async () => {
    const { db, engine } = await openFresh();
    const p = freshId("p");
    await touchAll(
      engine,
      [1, 2, 3, 4, 5].map((i) => `project:${p}#viewer@account:a${i}`),
    );
    const response = await engine.deleteRelationships(
      v1.DeleteRelationshipsRequest.create({
        relationshipFilter: relationshipFilter({ resourceType: "project", resourceId: p }),
        optionalLimit: 2,
        optionalAllowPartialDeletions: true,
      }),
    );
    expect(response.deletionProgress).toBe(v1.DeleteRelationshipsResponse_DeletionProgress.PARTIAL);
    expect(storedRelationships(db)).toHaveLength(3);
    expect(storedRelationships(db)).toEqual(await readAllRelationships(engine));
  });

  describe("when the SQLite commit fails", () => {
    /** Holds SQLite's write lock from another connection, as a second writer would. */
    function holdWriteLock(path: string) {
      const other = new Database(path);
      other.prepare("BEGIN IMMEDIATE").run();
      return () => {
        other.prepare("ROLLBACK").run();
        other.close();
      };
    }

    test("a write is refused and the engine is put back as SQLite holds it", async () => {
      const { path, db, engine } = await openFresh();
      db.pragma("busy_timeout = 0");
      const [p, a, b] = [freshId("p"), freshId("a"), freshId("a")];
      await touchAll(engine, [`project:${p}#viewer@account:${a}`]);

      const release = holdWriteLock(path);
      try {
        await expect(
          write(engine, [
            touch(`project:${p}#viewer@account:${b}`),
            touch(`project:${p}#viewer@account:${a}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`),
          ]),
        ).rejects.toThrow(/locked|busy/i);
        await expect(write(engine, [remove(`project:${p}#viewer@account:${a}`)])).rejects.toThrow(
          /locked|busy/i,
        );
        await expect(
          engine.deleteRelationships(
            v1.DeleteRelationshipsRequest.create({
              relationshipFilter: relationshipFilter({ resourceType: "project", resourceId: p }),
            }),
          ),
        ).rejects.toThrow(/locked|busy/i);
      } finally {
        release();
      }
      expect(await readAllRelationships(engine)).toEqual([`project:${p}#viewer@account:${a}`]);
      expect(storedRelationships(db)).toEqual([`project:${p}#viewer@account:${a}`]);
    });

    test("a schema write is refused and the previous schema stays", async () => {
      const { path, db, engine } = await openFresh();
      db.pragma("busy_timeout = 0");
      const deployed = await engine.readSchema();
      const release = holdWriteLock(path);
      try {
        await expect(
          engine.writeSchema(`${schema}\n/** extra is new. */\ndefinition extra {}\n`),
        ).rejects.toThrow(/locked|busy/i);
      } finally {
        release();
      }
      expect(await engine.readSchema()).toBe(deployed);
    });
  });

  test("writes are applied one at a time, in the order they were made", async () => {
    const { db, engine } = await openFresh();
    const p = freshId("p");
    const rel = `project:${p}#viewer@account:a1`;
    // Interleaved touch/delete of one key: the last one made must win in both places.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => write(engine, [i % 2 === 0 ? touch(rel) : remove(rel)])),
    );
    expect(await readAllRelationships(engine)).toEqual([]);
    expect(storedRelationships(db)).toEqual([]);
  });

  test("calls after close fail as unavailable", async () => {
    const { engine } = await openFresh();
    await engine.close();
    const error = await engine.readSchema().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "EngineError", unavailable: true });
  });
});
