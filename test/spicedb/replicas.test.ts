import { afterAll, beforeAll, expect, test } from "vitest";
import {
  call,
  joinTenant,
  removalAcrossReplicas,
  sessionsAcrossReplicas,
  tenantWithProject,
} from "../e2e/replica-scenarios.js";
import { createTestDatabase } from "../support/postgres.js";
import { type RunningServer, startServer } from "../support/processes.js";
import { describeWithSpicedb, type SpicedbServer, startSpicedb } from "../support/spicedb.js";
import { tempDirPool } from "../support/temp-dir.js";

/**
 * Two tenantgate replicas (`tenantgate serve`, real HTTP) on one Postgres identity store and one
 * real SpiceDB on its own Postgres datastore: the deployment docs/operations.md describes.
 */
describeWithSpicedb("two replicas on real SpiceDB", () => {
  const dirs = tempDirPool("spicedb-replica");
  let spicedb: SpicedbServer;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    spicedb = await startSpicedb({ label: "replicas" });
    database = await createTestDatabase(process.env.TEST_DATABASE_URL as string, "replicas");
    const env = () => ({
      DATA_DIR: dirs.make(),
      DATABASE_URL: database.url,
      SPICEDB_ENDPOINT: spicedb.endpoint,
      SPICEDB_PRESHARED_KEY: spicedb.presharedKey,
      SPICEDB_INSECURE: "true",
    });
    // One after the other: the first applies migrations and the schema, the second finds them.
    a = await startServer(env());
    b = await startServer(env());
  }, 90_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await spicedb?.stop();
    await database?.drop();
    dirs.removeAll();
  });

  test("a session made through one replica works through the other; switching is seen by both", async () => {
    await sessionsAcrossReplicas(a, b);
  });

  test("a member removed through one replica is refused by the other on the very next check", async () => {
    await removalAcrossReplicas(a, b, 5);
  });

  test("1,000 grant → check → revoke → check rounds alternating replicas: no stale allow", async () => {
    // Four lanes, each its own member and project, run side by side so that writes from both
    // replicas contend for the freshness row; within a lane every step waits for the last.
    const LANES = 4;
    const ROUNDS_PER_LANE = 250;
    const { ownerToken, tenantId } = await tenantWithProject(a, "stale");
    const outcomes = await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        const member = await joinTenant(a, b, ownerToken, tenantId, `lane${lane}`);
        const project = `stale_${lane}_${tenantId}`;
        await call(a, "/v1/relationships", ownerToken, {
          updates: [
            { operation: "touch", relationship: `project:${project}#tenant@tenant:${tenantId}` },
          ],
        });
        const grant = `project:${project}#viewer@account:${member.accountId}`;
        const ask = { resource: `project:${project}`, permission: "view" };
        let staleAllows = 0;
        let staleDenials = 0;
        for (let round = 0; round < ROUNDS_PER_LANE; round++) {
          const [writer, reader] = (round + lane) % 2 === 0 ? [a, b] : [b, a];
          const granted = await call(writer, "/v1/relationships", ownerToken, {
            updates: [{ operation: "touch", relationship: grant }],
          });
          expect(granted.status, JSON.stringify(granted.body)).toBe(200);
          const allowed = await call(reader, "/v1/check", member.token, ask);
          if (allowed.status !== 200 || allowed.body.allowed !== true) staleDenials++;

          const revoked = await call(reader, "/v1/relationships", ownerToken, {
            updates: [{ operation: "delete", relationship: grant }],
          });
          expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
          const denied = await call(writer, "/v1/check", member.token, ask);
          if (denied.body.allowed === true) staleAllows++;
          else expect(denied.status, JSON.stringify(denied.body)).toBe(200);
        }
        return { staleAllows, staleDenials };
      }),
    );
    expect(outcomes).toEqual(
      Array.from({ length: LANES }, () => ({ staleAllows: 0, staleDenials: 0 })),
    );
  }, 600_000);
});
