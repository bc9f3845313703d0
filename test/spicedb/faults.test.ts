import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { call, joinTenant, tenantWithProject } from "../e2e/replica-scenarios.js";
import { createTestDatabase } from "../support/postgres.js";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.js";
import { type RunningServer, startServer } from "../support/processes.js";
import {
  describeWithSpicedb,
  freePort,
  type SpicedbServer,
  startSpicedb,
} from "../support/spicedb.js";
import { tempDirPool } from "../support/temp-dir.js";

/**
 * Faults under traffic, on the production path: `tenantgate serve` (real HTTP) in remote mode,
 * real SpiceDB, and SpiceDB's datastore on a Postgres server of this test's own, which it stops
 * and starts (the shared server other tests use is never touched).
 *
 * Authorization fails closed: while SpiceDB cannot answer, a check is a 503 with Retry-After,
 * never `allowed: true` for a question whose answer is no, and it comes within the deadline
 * (SPICEDB_TIMEOUT_MS) plus a margin for this shared 2-core machine. Once SpiceDB can answer
 * again, tenantgate does too, within 10 s and without being restarted.
 */
const TIMEOUT_MS = 1_000;
/** Scheduling slack on a loaded 2-core machine, on top of the deadline. */
const MARGIN_MS = 1_000;
const RECOVERY_MS = 10_000;

interface Probe {
  /** "yes": the member's own project, granted; "no": a project never seen, so never cached. */
  kind: "yes" | "no";
  started: number;
  ended: number;
  status: number;
  allowed: unknown;
  code: unknown;
  detail: unknown;
  retryAfter: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithSpicedb("faults under traffic, real SpiceDB on a private Postgres", () => {
  const dirs = tempDirPool("spicedb-faults");
  let postgres: PrivatePostgres;
  let spicedb: SpicedbServer;
  let identity: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  let member: { token: string; accountId: string };
  let project: string;

  beforeAll(async () => {
    postgres = await startPrivatePostgres(await freePort());
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query("CREATE DATABASE spicedb");
    await admin.end();
    spicedb = await startSpicedb({ datastoreUrl: postgres.url.replace(/\/postgres$/, "/spicedb") });
    identity = await createTestDatabase(process.env.TEST_DATABASE_URL as string, "faults");
    server = await startServer({
      DATA_DIR: dirs.make(),
      DATABASE_URL: identity.url,
      SPICEDB_ENDPOINT: spicedb.endpoint,
      SPICEDB_PRESHARED_KEY: spicedb.presharedKey,
      SPICEDB_INSECURE: "true",
      SPICEDB_TIMEOUT_MS: String(TIMEOUT_MS),
      // The decision cache answers a repeated question for DECISION_CACHE_TTL_MS without asking
      // SpiceDB, by design; off here, so that every probe reaches SpiceDB.
      DECISION_CACHE_SIZE: "0",
    });
    const tenant = await tenantWithProject(server, "faults");
    project = tenant.project;
    member = await joinTenant(server, server, tenant.ownerToken, tenant.tenantId, "faulty");
    const granted = await call(server, "/v1/relationships", tenant.ownerToken, {
      updates: [
        {
          operation: "touch",
          relationship: `project:${project}#viewer@account:${member.accountId}`,
        },
      ],
    });
    expect(granted.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await spicedb?.stop();
    await postgres?.stop();
    await identity?.drop();
    dirs.removeAll();
  });

  async function probe(kind: Probe["kind"]): Promise<Probe> {
    const resource =
      kind === "yes" ? `project:${project}` : `project:never_${randomBytes(6).toString("hex")}`;
    const started = Date.now();
    const response = await fetch(`${server.url}/v1/check`, {
      method: "POST",
      headers: { authorization: `Bearer ${member.token}`, "content-type": "application/json" },
      body: JSON.stringify({ resource, permission: "view" }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    return {
      kind,
      started,
      ended: Date.now(),
      status: response.status,
      allowed: body.allowed,
      code: body.code,
      detail: body.detail,
      retryAfter: response.headers.get("retry-after"),
    };
  }

  /** Three clients asking yes and no questions back to back until stopped. */
  function startTraffic() {
    const probes: Probe[] = [];
    let running = true;
    const lanes = [0, 1, 2].map(async (lane) => {
      for (let i = lane; running; i++) probes.push(await probe(i % 2 === 0 ? "yes" : "no"));
    });
    return {
      probes,
      async stop() {
        running = false;
        await Promise.all(lanes);
      },
    };
  }

  async function readyz(): Promise<{ status: number; ms: number }> {
    const started = Date.now();
    const response = await fetch(`${server.url}/readyz`);
    await response.arrayBuffer();
    return { status: response.status, ms: Date.now() - started };
  }

  /** How long after `since` tenantgate answered both questions right and was ready again. */
  async function recoveredAfter(since: number): Promise<number> {
    for (;;) {
      const [yes, no, ready] = [await probe("yes"), await probe("no"), await readyz()];
      if (yes.allowed === true && no.status === 200 && no.allowed === false && ready.status === 200)
        return Date.now() - since;
      if (Date.now() - since > RECOVERY_MS + 20_000) return Number.POSITIVE_INFINITY;
      await sleep(100);
    }
  }

  /** What holds for every probe, whatever the fault: fail closed, within the deadline. */
  function expectFailClosed(probes: Probe[]) {
    for (const p of probes) {
      const seen = JSON.stringify(p);
      expect(p.ended - p.started, seen).toBeLessThanOrEqual(TIMEOUT_MS + MARGIN_MS);
      if (p.status === 503) {
        expect(p.code, seen).toBe("engine_unavailable");
        expect(p.retryAfter, seen).not.toBeNull();
      } else {
        expect(p.status, seen).toBe(200);
        expect(p.allowed, seen).toBe(p.kind === "yes");
      }
    }
  }

  async function expectHealthy() {
    expect((await probe("yes")).allowed).toBe(true);
    expect((await probe("no")).allowed).toBe(false);
  }

  test("SpiceDB killed mid-traffic: 503 within the deadline, /readyz 503; restarted: back within 10 s", async () => {
    await expectHealthy();
    const traffic = startTraffic();
    await sleep(1_000);
    await spicedb.kill();
    const killedAt = Date.now();
    await sleep(2_000);
    const notReady = await readyz();
    const restartBegan = Date.now();
    await spicedb.restart();
    const serving = Date.now();
    const recovery = await recoveredAfter(serving);
    await traffic.stop();

    expectFailClosed(traffic.probes);
    const whileDead = traffic.probes.filter(
      (p) => p.started >= killedAt && p.ended <= restartBegan,
    );
    expect(whileDead.length).toBeGreaterThan(0);
    expect(whileDead.filter((p) => p.status !== 503)).toEqual([]);
    expect(notReady.status).toBe(503);
    expect(notReady.ms).toBeLessThanOrEqual(TIMEOUT_MS + MARGIN_MS);
    expect(
      traffic.probes.filter((p) => p.started < killedAt && p.allowed === true).length,
    ).toBeGreaterThan(0);
    expect(recovery).toBeLessThanOrEqual(RECOVERY_MS);
  });

  test("SpiceDB hanging (SIGSTOP): 503 once the deadline passes, /readyz 503; resumed: back within 10 s", async () => {
    await expectHealthy();
    const traffic = startTraffic();
    await sleep(1_000);
    spicedb.freeze();
    const frozenAt = Date.now();
    await sleep(3_000);
    const notReady = await readyz();
    const thawBegan = Date.now();
    spicedb.thaw();
    const recovery = await recoveredAfter(thawBegan);
    await traffic.stop();

    expectFailClosed(traffic.probes);
    const whileFrozen = traffic.probes.filter((p) => p.started >= frozenAt && p.ended <= thawBegan);
    expect(whileFrozen.length).toBeGreaterThan(0);
    expect(whileFrozen.filter((p) => p.status !== 503)).toEqual([]);
    expect(notReady.status).toBe(503);
    expect(notReady.ms).toBeLessThanOrEqual(TIMEOUT_MS + MARGIN_MS);
    expect(recovery).toBeLessThanOrEqual(RECOVERY_MS);
  });

  test("Postgres under SpiceDB stopped: fresh questions 503, never a wrong allow; started again: back within 10 s", async () => {
    await expectHealthy();
    const traffic = startTraffic();
    await sleep(1_000);
    await postgres.halt();
    const haltedAt = Date.now();
    await sleep(3_000);
    const notReady = await readyz();
    const resumeBegan = Date.now();
    await postgres.resume();
    const started = Date.now();
    const recovery = await recoveredAfter(started);
    await traffic.stop();

    expectFailClosed(traffic.probes);
    // A project never asked about must be read from the datastore: SpiceDB cannot answer it.
    // (The granted one may still come from SpiceDB's caches, which is a right answer.)
    const freshWhileDown = traffic.probes.filter(
      (p) => p.kind === "no" && p.started >= haltedAt && p.ended <= resumeBegan,
    );
    expect(freshWhileDown.length).toBeGreaterThan(0);
    expect(freshWhileDown.filter((p) => p.status !== 503)).toEqual([]);
    expect(notReady.status).toBe(503);
    expect(recovery).toBeLessThanOrEqual(RECOVERY_MS);
  });
});
