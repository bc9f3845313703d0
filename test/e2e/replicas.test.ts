import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, test } from "vitest";
import { type DevServer, startDevServer } from "../support/dev-server.js";
import { createTestDatabase } from "../support/postgres.js";
import { type RunningServer, startServer } from "../support/processes.js";
import { removalAcrossReplicas, sessionsAcrossReplicas } from "./replica-scenarios.js";

/**
 * Two tenantgate replicas sharing one Postgres (identity store, freshness tokens) and one SpiceDB
 * endpoint over gRPC (`tenantgate spicedb serve`): what one acknowledges, the other honours at
 * once. Runs in the Postgres project (TEST_STORE=postgres, TEST_DATABASE_URL; .ci/run sets both).
 * test/spicedb/replicas.test.ts runs the same against real SpiceDB.
 */
const adminUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(process.env.TEST_STORE !== "postgres" || !adminUrl)("two replicas", () => {
  const dirs: string[] = [];
  let spicedb: DevServer;
  let a: RunningServer;
  let b: RunningServer;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    const spicedbDir = mkdtempSync(join(tmpdir(), "tenantgate-replicas-spicedb-"));
    dirs.push(spicedbDir);
    spicedb = await startDevServer({ dataDir: spicedbDir });
    database = await createTestDatabase(adminUrl as string, "replicas");

    const env = (name: string) => {
      const dir = mkdtempSync(join(tmpdir(), `tenantgate-replica-${name}-`));
      dirs.push(dir);
      return {
        DATA_DIR: dir,
        DATABASE_URL: database.url,
        SPICEDB_ENDPOINT: spicedb.endpoint,
        SPICEDB_PRESHARED_KEY: spicedb.presharedKey,
        SPICEDB_INSECURE: "true",
      };
    };
    // One after the other: the first applies migrations and the schema, the second finds them.
    a = await startServer(env("a"));
    b = await startServer(env("b"));
  }, 90_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await spicedb?.stop();
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test("a session made through one replica works through the other; switching is seen by both", async () => {
    await sessionsAcrossReplicas(a, b);
  });

  test("a member removed through one replica is refused by the other on the very next check", async () => {
    await removalAcrossReplicas(a, b, 5);
  });
});
