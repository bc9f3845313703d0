import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { MIGRATIONS, MigrationError, migrate } from "../../src/data/migrate.js";
import { openSqlite } from "../../src/data/sqlite.js";
import { type Harness, startHarness } from "../http/harness.js";
import { createTestDatabase } from "../support/postgres.js";
import { tempDirForTest } from "../support/temp-dir.js";

const RELEASE = join(import.meta.dirname, "../fixtures/release-0.1.0");
const postgresUrl = process.env.TEST_DATABASE_URL;

const onSqlite = (db: Database.Database) =>
  new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) });
const tables = (db: Database.Database) =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
const ledger = (db: Database.Database) =>
  db.prepare("SELECT version FROM tenantgate_migrations ORDER BY version").pluck().all();

describe("one numbered migrator for every table", () => {
  test("a new SQLite file gets every migration of what it holds, once", async () => {
    const db = openSqlite(join(tempDirForTest("migrate"), "tenantgate.sqlite"));
    const all = MIGRATIONS.map((m) => m.version);
    expect(await migrate(onSqlite(db), "sqlite", ["engine", "identity"])).toEqual(all);
    expect(await migrate(onSqlite(db), "sqlite", ["engine", "identity"])).toEqual([]);
    expect(ledger(db)).toEqual(all);
    expect(tables(db)).toEqual(expect.arrayContaining(["relationships", "users", "audit_log"]));
    db.close();
  });

  test("a file that holds only the engine gets only the engine's tables", async () => {
    const db = openSqlite(join(tempDirForTest("migrate"), "spicedb.sqlite"));
    await migrate(onSqlite(db), "sqlite", ["engine"]);
    expect(tables(db)).toEqual(["engine_state", "relationships", "tenantgate_migrations"]);
    db.close();
  });

  test("a database from a newer tenantgate stops start-up, naming the migration", async () => {
    const db = openSqlite(join(tempDirForTest("migrate"), "tenantgate.sqlite"));
    await migrate(onSqlite(db), "sqlite", ["engine"]);
    db.prepare("INSERT INTO tenantgate_migrations VALUES (999, 'from_the_future', 0)").run();
    await expect(migrate(onSqlite(db), "sqlite", ["engine"])).rejects.toThrow(
      /migrations 999 that this version of tenantgate does not know/,
    );
    db.close();
  });

  test("a migration that fails leaves its version unrecorded and says which", async () => {
    const db = openSqlite(join(tempDirForTest("migrate"), "tenantgate.sqlite"));
    await migrate(onSqlite(db), "sqlite", ["engine"]);
    // Something in the way of migration 2: a table it creates.
    db.exec("CREATE TABLE users (id TEXT)");
    const error = await migrate(onSqlite(db), "sqlite", ["identity"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/migration 2 \(identity\) failed/);
    expect(ledger(db)).toEqual([1]);
    db.close();
  });
});

/**
 * Data dirs made by tenantgate 0.1.0 (ef78583), the previous release, with its two ledgers: they
 * open with this code, upgrade in place, and everything in them still works through the API.
 */
describe("upgrading an installation of tenantgate 0.1.0 in place", () => {
  const harnesses: Harness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  async function expectWorking(h: Harness) {
    const login = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: "bob@example.com", password: "bob password 12" },
    });
    expect(login.status).toBe(200);
    const bob = ((await login.json()) as { session: { token: string } }).session.token;
    const edit = await h.request("/v1/check", {
      method: "POST",
      token: bob,
      json: { resource: "project:p1", permission: "edit" },
    });
    expect(((await edit.json()) as { allowed: boolean }).allowed).toBe(true);
    const alice = (
      (await (
        await h.request("/v1/auth/login", {
          method: "POST",
          json: { email: "alice@example.com", password: "alice password 1" },
        })
      ).json()) as { session: { token: string } }
    ).session.token;
    const session = (await (await h.request("/v1/session", { token: alice })).json()) as {
      activeAccount: { tenantId: string };
    };
    const tenantId = session.activeAccount.tenantId;
    const audit = (await (
      await h.request(`/v1/tenants/${tenantId}/audit`, { token: alice })
    ).json()) as {
      entries: { action: string }[];
    };
    expect(audit.entries.map((e) => e.action)).toContain("relationships.write");
    // Made by 0.1.0, listed and revocable now (migration 5 added revocation).
    const pending = (await (
      await h.request(`/v1/tenants/${tenantId}/invitations`, { token: alice })
    ).json()) as {
      invitations: { email: string }[];
    };
    expect(pending.invitations.map((i) => i.email)).toEqual(["carol@example.com"]);
  }

  test.skipIf(process.env.TEST_STORE === "postgres")(
    "a SQLite data dir: one ledger, the old ones gone, every user, grant and audit row intact",
    async () => {
      const dataDir = tempDirForTest("release");
      const old = new Database(join(dataDir, "tenantgate.sqlite"));
      // The dump lists tables by name, children before parents.
      old.pragma("foreign_keys = OFF");
      old.exec(readFileSync(join(RELEASE, "sqlite-identity.sql"), "utf8"));
      old.close();
      const h = await startHarness({ DATA_DIR: dataDir });
      harnesses.push(h);
      const db = h.runtime.services.db;
      expect(tables(db)).not.toContain("schema_migrations");
      expect(tables(db)).not.toContain("identity_migrations");
      expect(ledger(db)).toEqual(MIGRATIONS.map((m) => m.version));
      await expectWorking(h);
    },
  );

  test.skipIf(!postgresUrl)(
    "an identity store in Postgres beside the data dir's SQLite file",
    async () => {
      const database = await createTestDatabase(postgresUrl as string, "release");
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(readFileSync(join(RELEASE, "postgres-identity.sql"), "utf8"));
      await client.end();
      const dataDir = tempDirForTest("release");
      const old = new Database(join(dataDir, "tenantgate.sqlite"));
      // The dump lists tables by name, children before parents.
      old.pragma("foreign_keys = OFF");
      old.exec(readFileSync(join(RELEASE, "sqlite-engine-only.sql"), "utf8"));
      old.close();
      const h = await startHarness({ DATA_DIR: dataDir, DATABASE_URL: database.url });
      harnesses.push(h);
      const store = new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
      });
      const versions = await sql<{
        version: number;
      }>`SELECT version FROM tenantgate_migrations ORDER BY version`.execute(store);
      expect(versions.rows.map((r) => Number(r.version))).toEqual([2, 3, 4, 5, 6, 7]);
      await store.destroy();
      expect(ledger(h.runtime.services.db)).toEqual([1]);
      await expectWorking(h);
      await h.close();
      harnesses.splice(harnesses.indexOf(h), 1);
      await database.drop();
    },
  );
});
