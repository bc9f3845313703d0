/**
 * The mixed benchmark: checks as a real service sees them. Many members, each with their own
 * session, ask about random projects (so the decision cache cannot answer most questions) while an
 * admin grants and revokes through the HTTP API; load comes from separate processes. Peers do the
 * same work in the same run.
 *
 *   npm run bench:mixed
 *   SPICEDB_BIN=/path/to/spicedb BENCH_DATABASE_URL=postgres://… npm run bench:mixed
 *   MIXED_ROWS=embedded,envelope MIXED_SECONDS=10 npm run bench:mixed
 *
 * Rows (MIXED_ROWS, comma-separated; default all):
 *   embedded     tenantgate's default: SpiceDB in-process, SQLite
 *   spicedb      tenantgate on a real SpiceDB (SPICEDB_BIN) on Postgres, identity store in Postgres
 *   better-auth  better-auth's organization has-permission (../shared/peers/better-auth)
 *   openfga      OpenFGA (go install) on SQLite, the same model and tuples
 *   envelope     the embedded mixed run at MIXED_ENVELOPE relationships (default 1000,10000,30000)
 *
 * Other knobs: MIXED_RELATIONSHIPS (100000), MIXED_MEMBERS (20), MIXED_CONNECTIONS (32),
 * MIXED_SECONDS (20), MIXED_WRITES_PER_SECOND (5), MIXED_OVERLOAD_CONNECTIONS (256), MIXED_SCHEMA
 * (another schema.zed to measure), MIXED_SPICEDB_FLAGS (extra `spicedb serve` flags),
 * MIXED_PROFILE=DIR (V8 CPU profile of the embedded server), MIXED_PERF=DIR (`perf record` of the
 * server during each mixed row, for bench/mixed/perf-buckets.ts), MIXED_CACHE_DIR (where peers are built
 * and installed, default ~/.cache/tenantgate-bench), MIXED_OUT (results as JSON), MIXED_KEEP=1 (keep
 * the work dir with the servers' logs).
 *
 * Results and the machine: docs/benchmarks.md.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, homedir, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { hashPassword } from "../../src/auth/password.js";
import { createSession } from "../../src/auth/sessions.js";
import { loadRelationships } from "../../src/authz/durable-engine.js";
import { RelationshipStore } from "../../src/authz/relationship-store.js";
import { parseRelationship } from "../../src/authz/relationship-syntax.js";
import { loadConfig } from "../../src/config.js";
import { openSqlite } from "../../src/data/sqlite.js";
import { createLogger } from "../../src/lib/logger.js";
import { startRuntime } from "../../src/main.js";
import { createTestDatabase } from "../../test/support/postgres.js";
import type { AdminPlan, AdminResult } from "./admin.js";
import { betterAuthFolder, startBetterAuth } from "./better-auth.js";
import type { Asker, DrivePlan, DriveResult } from "./drive.js";
import { OPENFGA_VERSION, openfgaBinary, startOpenFga } from "./openfga.js";
import {
  cpuSeconds,
  freePort,
  load1,
  ROOT,
  runChild,
  type Server,
  startServer,
  waitForHttp,
} from "./processes.js";
import { mixedShape, type Shape } from "./shape.js";
import { SPICEDB_TUNING, startSpiceDb } from "./spicedb.js";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RELATIONSHIPS = num("MIXED_RELATIONSHIPS", 100_000);
const MEMBERS = num("MIXED_MEMBERS", 20);
const CONNECTIONS = num("MIXED_CONNECTIONS", 32);
const SECONDS = num("MIXED_SECONDS", 20);
const WRITES_PER_SECOND = num("MIXED_WRITES_PER_SECOND", 5);
const OVERLOAD_CONNECTIONS = num("MIXED_OVERLOAD_CONNECTIONS", 256);
const WARMUP_SECONDS = 3;
/** MIXED_ONLY_MIXED=1: only the mixed rows (a profile then covers nothing else). */
const ONLY_MIXED = process.env.MIXED_ONLY_MIXED === "1";
const HEALTH_SECONDS = 10;
const CACHE_FRIENDLY_PROJECTS = 20;
const ROWS = new Set(
  (process.env.MIXED_ROWS ?? "embedded,spicedb,better-auth,openfga,envelope")
    .split(",")
    .map((r) => r.trim()),
);
const ENVELOPE = (process.env.MIXED_ENVELOPE ?? "1000,10000,30000")
  .split(",")
  .map((n) => Number(n.trim()))
  .filter((n) => n > 0);
const CACHE_DIR = process.env.MIXED_CACHE_DIR ?? join(homedir(), ".cache", "tenantgate-bench");
/** MIXED_SCHEMA: another schema to measure (it must keep schema.zed's type and relation names). */
const SCHEMA_PATH = process.env.MIXED_SCHEMA ?? join(ROOT, "schema.zed");

/** One line of the result table. */
interface Row {
  label: string;
  relationships?: number;
  /** 1-minute load average when the row started. */
  load: number;
  check?: DriveResult;
  connections?: number;
  writes?: AdminResult;
  /** CPU µs per answered check: the server, and the engine process when it is another one. */
  cpuPerCheck?: number;
  engineCpuPerCheck?: number;
  /** Postgres backends serving this row, per database: SpiceDB's datastore, the identity store. */
  postgresCpuPerCheck?: number[];
  /** The service's trivial route in the same run (tenantgate /healthz, better-auth /hello, OpenFGA /healthz). */
  health?: DriveResult;
  /** Overload rows: /healthz asked 10 times a second meanwhile (is the event loop keeping up?). */
  probe?: DriveResult;
  /** tenantgate's own metrics over the row: decisions by source, batch sizes, engine call times. */
  engine?: EngineStats;
  skipped?: string;
  note?: string;
}

interface EngineStats {
  fromEngine: number;
  fromCache: number;
  batches: number;
  meanBatch: number;
  bulkCallMs: number;
  writeCallMs: number;
  /** Check answers the server itself timed at over 2.5 s (its histogram's bucket above 2 s). */
  serverOver2500ms: number;
}

const log = (line: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

// ---------------------------------------------------------------------------------------------
// tenantgate

/** Sums of the metrics the rows report, from one scrape of /metrics. */
function scrape(text: string): Record<string, number> {
  const sums: Record<string, number> = {};
  const add = (key: string, value: number) => {
    sums[key] = (sums[key] ?? 0) + value;
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (line.startsWith("tenantgate_check_decisions_total")) {
      add(line.includes('source="cache"') ? "cache" : "engine", value);
    } else if (line.startsWith("tenantgate_check_batch_size_sum")) add("batchItems", value);
    else if (line.startsWith("tenantgate_check_batch_size_count")) add("batches", value);
    else if (line.startsWith("tenantgate_engine_call_duration_seconds_sum")) {
      if (line.includes('"CheckBulkPermissions"')) add("bulkSeconds", value);
      if (line.includes('"WriteRelationships"')) add("writeSeconds", value);
    } else if (line.startsWith("tenantgate_engine_call_duration_seconds_count")) {
      if (line.includes('"CheckBulkPermissions"')) add("bulkCalls", value);
      if (line.includes('"WriteRelationships"')) add("writeCalls", value);
    } else if (
      line.startsWith("tenantgate_http_request_duration_seconds_") &&
      line.includes('route="/v1/check"')
    ) {
      // The server's own view of check latency: answers within 2.5 s (the bucket just above the
      // 2 s SPICEDB_TIMEOUT_MS default), and all of them.
      if (line.includes('le="2.5"')) add("checksWithin2500ms", value);
      else if (line.startsWith("tenantgate_http_request_duration_seconds_count"))
        add("checks", value);
    }
  }
  return sums;
}

async function metrics(url: string): Promise<Record<string, number>> {
  return scrape(await (await fetch(`${url}/metrics`)).text());
}

function engineStats(before: Record<string, number>, after: Record<string, number>): EngineStats {
  const d = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
  const ms = (seconds: string, calls: string) =>
    d(calls) > 0 ? Math.round((d(seconds) / d(calls)) * 10_000) / 10 : 0;
  return {
    fromEngine: d("engine"),
    fromCache: d("cache"),
    batches: d("batches"),
    meanBatch: d("batches") > 0 ? Math.round((d("batchItems") / d("batches")) * 10) / 10 : 0,
    bulkCallMs: ms("bulkSeconds", "bulkCalls"),
    writeCallMs: ms("writeSeconds", "writeCalls"),
    serverOver2500ms: d("checks") - d("checksWithin2500ms"),
  };
}

/**
 * Seeds a data dir (and, remote, SpiceDB and Postgres): every account with its user row, a
 * session for each member and for the admin, and the shape's relationships. Embedded: rows go
 * straight into SQLite and the server loads them at start, as a restart would.
 */
async function seedTenantgate(
  dataDir: string,
  env: Record<string, string>,
  shape: Shape,
): Promise<{ members: string[]; admin: string }> {
  const config = loadConfig({ DATA_DIR: dataDir, SCHEMA_PATH, LOG_LEVEL: "silent", ...env });
  const runtime = await startRuntime(config, createLogger("silent"), { purpose: "bench seed" });
  const { store } = runtime.services;
  const now = Date.now();
  const passwordHash = await hashPassword("bench password 1234");
  await store
    .insertInto("tenants")
    .values(shape.tenants.map((t) => ({ id: t.id, name: `Tenant ${t.id}`, created_at: now })))
    .execute();
  for (let i = 0; i < shape.accounts.length; i += 200) {
    const chunk = shape.accounts.slice(i, i + 200);
    await store
      .insertInto("users")
      .values(
        chunk.map((a) => ({
          id: a.user,
          email: `${a.user}@bench.example`,
          name: null,
          password_hash: passwordHash,
          created_at: now,
          password_changed_at: now,
          operator: 0,
        })),
      )
      .execute();
    await store
      .insertInto("accounts")
      .values(
        chunk.map((a) => ({
          id: a.account,
          tenant_id: a.tenant,
          user_id: a.user,
          created_at: now,
          disabled_at: null,
        })),
      )
      .execute();
  }
  const session = async (who: Shape["admin"]) =>
    (
      await createSession(
        store,
        { userId: who.user, activeAccountId: who.account, ip: null, userAgent: "bench" },
        runtime.services.sessionPolicy,
        Date.now(),
      )
    ).token;
  const members: string[] = [];
  for (const member of shape.members) members.push(await session(member));
  const admin = await session(shape.admin);
  const relationships = shape.relationships.map((text) => parseRelationship(text));
  if (env.SPICEDB_ENDPOINT) await loadRelationships(runtime.services.engine, relationships);
  await runtime.close();
  if (!env.SPICEDB_ENDPOINT) {
    const db = openSqlite(join(dataDir, "tenantgate.sqlite"));
    new RelationshipStore(db).apply({ upsert: RelationshipStore.rows(relationships), remove: [] });
    db.close();
  }
  return { members, admin };
}

/**
 * With MIXED_PERF=DIR, `perf record` samples the server (Node and the embedded engine's Go code
 * alike) while `run` runs; bench/mixed/perf-buckets.ts sorts the samples into where they went.
 */
async function withPerf<T>(
  label: string,
  pid: number | undefined,
  run: () => Promise<T>,
): Promise<T> {
  const dir = process.env.MIXED_PERF;
  if (!dir || pid === undefined) return run();
  const output = join(dir, `${label.replace(/[^a-z0-9]+/gi, "-")}.perf.data`);
  const perf = spawn("perf", ["record", "-F", "499", "-g", "-p", String(pid), "-o", output], {
    stdio: "ignore",
  });
  try {
    return await run();
  } finally {
    const exited = new Promise((r) => perf.once("exit", r));
    perf.kill("SIGINT");
    await exited;
    log(`perf samples of ${label}: ${output}`);
  }
}

/** ANALYZE in each database, so that the planner knows the tables as a running system would. */
async function analyze(adminUrl: string, names: string[]): Promise<void> {
  for (const name of names) {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query("ANALYZE");
    } finally {
      await client.end();
    }
  }
}

/** The pids of the Postgres backends connected to each of these databases. */
async function postgresBackends(databases: {
  adminUrl: string;
  names: string[];
}): Promise<Map<string, number[]>> {
  const client = new pg.Client({ connectionString: databases.adminUrl });
  await client.connect();
  try {
    const result = await client.query<{ pid: number; datname: string }>(
      "SELECT pid, datname FROM pg_stat_activity WHERE datname = ANY($1)",
      [databases.names],
    );
    return new Map(
      databases.names.map((name) => [
        name,
        result.rows.filter((r) => r.datname === name).map((r) => r.pid),
      ]),
    );
  } finally {
    await client.end();
  }
}

function drive(plan: DrivePlan, workDir: string): Promise<DriveResult> {
  return runChild<DriveResult>("drive.ts", plan, workDir);
}

function admin(plan: AdminPlan, workDir: string): Promise<AdminResult> {
  return runChild<AdminResult>("admin.ts", plan, workDir);
}

/**
 * Checks and writes together for `seconds`, with CPU measured around them: the server's, and
 * another process's (SpiceDB, OpenFGA) when given.
 */
async function mixed(
  check: DrivePlan,
  write: AdminPlan | undefined,
  pids: {
    server: number | undefined;
    engine?: number | undefined;
    /** Postgres databases whose backends' CPU counts too. */
    databases?: { adminUrl: string; names: string[] };
  },
  workDir: string,
): Promise<
  Pick<
    Row,
    "check" | "writes" | "cpuPerCheck" | "engineCpuPerCheck" | "postgresCpuPerCheck" | "connections"
  >
> {
  const backends = pids.databases ? await postgresBackends(pids.databases) : new Map();
  const postgresCpu = () => {
    const sums: number[] = [];
    for (const list of backends.values()) {
      let sum = 0;
      for (const pid of list) sum += cpuSeconds(pid) ?? 0;
      sums.push(sum);
    }
    return sums;
  };
  const before = {
    server: cpuSeconds(pids.server),
    engine: cpuSeconds(pids.engine),
    postgres: postgresCpu(),
  };
  const [result, writes] = await Promise.all([
    drive(check, workDir),
    write ? admin(write, workDir) : Promise.resolve(undefined),
  ]);
  const after = {
    server: cpuSeconds(pids.server),
    engine: cpuSeconds(pids.engine),
    postgres: postgresCpu(),
  };
  const perCheck = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined && (result.statuses["200"] ?? 0) > 0
      ? Math.round(((a - b) / (result.statuses["200"] ?? 0)) * 1e6)
      : undefined;
  return {
    check: result,
    connections: check.connections,
    ...(writes ? { writes } : {}),
    cpuPerCheck: perCheck(after.server, before.server),
    engineCpuPerCheck: perCheck(after.engine, before.engine),
    ...(backends.size > 0
      ? {
          postgresCpuPerCheck: after.postgres.map(
            (cpu, i) => perCheck(cpu, before.postgres[i]) ?? 0,
          ),
        }
      : {}),
  };
}

interface TenantgateTarget {
  label: string;
  relationships: number;
  /** Also the cache-friendly and overload rows. */
  extras: boolean;
  remote?: { bin: string; adminUrl: string };
}

async function tenantgateRows(target: TenantgateTarget): Promise<Row[]> {
  const workDir = mkdtempSync(join(tmpdir(), "tenantgate-bench-mixed-"));
  const dataDir = join(workDir, "data");
  const stops: (() => Promise<void>)[] = [];
  const rows: Row[] = [];
  try {
    const shape = mixedShape(target.relationships, MEMBERS);
    const env: Record<string, string> = {};
    let engineServer: Server | undefined;
    const databases: string[] = [];
    if (target.remote) {
      const spicedb = await startSpiceDb(target.remote.bin, target.remote.adminUrl, workDir);
      stops.push(spicedb.stop);
      engineServer = spicedb.server;
      const identity = await createTestDatabase(target.remote.adminUrl, "bench_identity");
      stops.push(identity.drop);
      databases.push(
        new URL(spicedb.databaseUrl).pathname.slice(1),
        new URL(identity.url).pathname.slice(1),
      );
      Object.assign(env, {
        SPICEDB_ENDPOINT: spicedb.endpoint,
        SPICEDB_PRESHARED_KEY: spicedb.presharedKey,
        SPICEDB_INSECURE: "true",
        DATABASE_URL: identity.url,
      });
    }
    log(`${target.label}: seeding ${shape.relationships.length} relationships…`);
    const tokens = await seedTenantgate(dataDir, env, shape);
    // A production database has planner statistics (autovacuum keeps them); one bulk-loaded a
    // moment ago has none until autovacuum wakes up, and Postgres then scans whole tables.
    if (target.remote) await analyze(target.remote.adminUrl, databases);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const profile = process.env.MIXED_PROFILE
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.MIXED_PROFILE}`]
      : process.env.MIXED_PERF
        ? ["--perf-basic-prof"]
        : [];
    const server = startServer(
      process.execPath,
      [...profile, join(ROOT, "bin/tenantgate.js"), "serve"],
      {
        env: {
          ...process.env,
          ...env,
          DATA_DIR: dataDir,
          SCHEMA_PATH,
          PORT: String(port),
          LOG_LEVEL: "warn",
        },
        log: join(workDir, "tenantgate.log"),
      },
    );
    stops.unshift(server.stop);
    await waitForHttp(`${url}/readyz`, server, { seconds: 300 });
    const askers: Asker[] = shape.members.map((member, i) => ({
      headers: { authorization: `Bearer ${tokens.members[i]}` },
      projectPrefix: `${member.tenant}_p`,
      projectCount: shape.tenants.find((t) => t.id === member.tenant)?.projects ?? 1,
    }));
    // Every member's session and the admin's write must work before anything is measured.
    for (const asker of askers) {
      const response = await fetch(`${url}/v1/check`, {
        method: "POST",
        headers: { "content-type": "application/json", ...asker.headers },
        body: JSON.stringify({ resource: `project:${asker.projectPrefix}0`, permission: "view" }),
      });
      if (response.status !== 200)
        throw new Error(`a member's check answered ${response.status}: ${await response.text()}`);
    }
    const checks = (connections: number, seconds: number, who = askers): DrivePlan => ({
      kind: "tenantgate",
      url: `${url}/v1/check`,
      connections,
      seconds,
      askers: who,
    });
    const writes = (seconds: number): AdminPlan => ({
      kind: "tenantgate",
      url,
      ratePerSecond: WRITES_PER_SECOND,
      seconds,
      headers: { authorization: `Bearer ${tokens.admin}` },
      grants: shape.grants,
    });
    const pids = {
      server: server.pid,
      engine: engineServer?.pid,
      ...(target.remote
        ? { databases: { adminUrl: target.remote.adminUrl, names: databases } }
        : {}),
    };
    log(`${target.label}: warming up…`);
    await mixed(checks(CONNECTIONS, WARMUP_SECONDS), writes(WARMUP_SECONDS), pids, workDir);

    const measured = async (label: string, run: () => ReturnType<typeof mixed>) => {
      log(`${target.label}: ${label}…`);
      const load = load1();
      const before = await metrics(url);
      const result = await run();
      const row: Row = {
        label: `${target.label}: ${label}`,
        relationships: shape.relationships.length,
        load,
        ...result,
        engine: engineStats(before, await metrics(url)),
      };
      rows.push(row);
      log(summary(row));
      return row;
    };

    const main = await measured("mixed", () =>
      withPerf(`${target.label}-mixed`, server.pid, () =>
        mixed(checks(CONNECTIONS, SECONDS), writes(SECONDS), pids, workDir),
      ),
    );
    if (ONLY_MIXED) return rows;
    if (target.extras) {
      // Cache-friendly: the same members, each asking about 20 projects only, and no writes, so
      // after one pass every question is a decision-cache hit.
      const few = askers.map((a) => ({
        ...a,
        projectCount: Math.min(CACHE_FRIENDLY_PROJECTS, a.projectCount),
      }));
      await drive(checks(CONNECTIONS, WARMUP_SECONDS, few), workDir);
      await measured("cache-friendly (20 projects a member, no writes, warm)", () =>
        mixed(checks(CONNECTIONS, HEALTH_SECONDS, few), undefined, pids, workDir),
      );
    }
    log(`${target.label}: /healthz…`);
    main.health = await drive(
      {
        kind: "get",
        url: `${url}/healthz`,
        connections: CONNECTIONS,
        seconds: HEALTH_SECONDS,
        askers: [],
      },
      workDir,
    );
    log(`${target.label}: /healthz ${fixed(main.health.requestsPerSecond)} req/s`);
    if (target.extras) {
      // A probe of /healthz, 10 a second on its own connection, shows whether the event loop
      // itself keeps up while the checks overload the engine.
      let probe: Promise<DriveResult> | undefined;
      const overload = await measured(
        `mixed at ${OVERLOAD_CONNECTIONS} connections (overload)`,
        () => {
          probe = drive(
            {
              kind: "get",
              url: `${url}/healthz`,
              connections: 1,
              seconds: SECONDS,
              askers: [],
              ratePerSecond: 10,
            },
            workDir,
          );
          return mixed(checks(OVERLOAD_CONNECTIONS, SECONDS), writes(SECONDS), pids, workDir);
        },
      );
      overload.probe = await probe;
      log(
        `${target.label}: /healthz probe p99 ${overload.probe?.p99} ms, max ${overload.probe?.max} ms`,
      );
    }
    return rows;
  } finally {
    for (const stop of stops) await stop().catch((error) => log(`stop failed: ${String(error)}`));
    if (process.env.MIXED_KEEP === "1") log(`kept ${workDir} (MIXED_KEEP=1)`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// peers

async function betterAuthRow(shape: Shape): Promise<Row> {
  const label = "better-auth has-permission: mixed";
  const folder = betterAuthFolder(CACHE_DIR);
  if ("skip" in folder) return { label, load: load1(), skipped: folder.skip };
  const workDir = mkdtempSync(join(tmpdir(), "tenantgate-bench-better-auth-"));
  log("better-auth: signing up members…");
  const peer = await startBetterAuth(folder.dir, workDir, MEMBERS);
  try {
    const askers: Asker[] = peer.members.map((m) => ({
      headers: { cookie: m.cookie, origin: peer.url },
      projectPrefix: "",
      projectCount: 1,
    }));
    const checks = (seconds: number): DrivePlan => ({
      kind: "better-auth",
      url: `${peer.url}/api/auth/organization/has-permission`,
      connections: CONNECTIONS,
      seconds,
      askers,
    });
    const writes = (seconds: number): AdminPlan => ({
      kind: "better-auth",
      url: peer.url,
      ratePerSecond: WRITES_PER_SECOND,
      seconds,
      headers: { cookie: peer.owner.cookie, origin: peer.url },
      grants: [],
      betterAuth: {
        organizationId: peer.organizationId,
        memberIds: peer.members.map((m) => m.memberId),
      },
    });
    const pids = { server: peer.server.pid };
    await mixed(checks(WARMUP_SECONDS), writes(WARMUP_SECONDS), pids, workDir);
    log("better-auth: mixed…");
    const load = load1();
    const row: Row = {
      label,
      relationships: shape.relationships.length,
      load,
      ...(await mixed(checks(SECONDS), writes(SECONDS), pids, workDir)),
      note: `${MEMBERS} members in one organization, each with a session; has-permission project:create or project:update; the owner flips a member between member and admin`,
    };
    row.health = await drive(
      {
        kind: "get",
        url: `${peer.url}/hello`,
        connections: CONNECTIONS,
        seconds: HEALTH_SECONDS,
        askers: [],
      },
      workDir,
    );
    log(summary(row));
    return row;
  } finally {
    await peer.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function openfgaRow(shape: Shape): Promise<Row> {
  const label = `OpenFGA ${OPENFGA_VERSION} (SQLite) check: mixed`;
  const binary = openfgaBinary(CACHE_DIR);
  if ("skip" in binary) return { label, load: load1(), skipped: binary.skip };
  const workDir = mkdtempSync(join(tmpdir(), "tenantgate-bench-openfga-"));
  log(`OpenFGA: writing ${shape.relationships.length} tuples…`);
  const fga = await startOpenFga(binary.bin, workDir, shape.relationships, (n) =>
    log(`OpenFGA: ${n} tuples written`),
  );
  try {
    const askers: Asker[] = shape.members.map((member) => ({
      headers: {},
      subject: `account:${member.account}`,
      projectPrefix: `${member.tenant}_p`,
      projectCount: shape.tenants.find((t) => t.id === member.tenant)?.projects ?? 1,
    }));
    const ids = { storeId: fga.storeId, modelId: fga.modelId };
    const checks = (seconds: number): DrivePlan => ({
      kind: "openfga",
      url: fga.url,
      connections: CONNECTIONS,
      seconds,
      askers,
      openfga: ids,
    });
    const writes = (seconds: number): AdminPlan => ({
      kind: "openfga",
      url: fga.url,
      ratePerSecond: WRITES_PER_SECOND,
      seconds,
      headers: {},
      grants: shape.grants,
      openfga: ids,
    });
    const pids = { server: fga.server.pid };
    await mixed(checks(WARMUP_SECONDS), writes(WARMUP_SECONDS), pids, workDir);
    log("OpenFGA: mixed…");
    const load = load1();
    const row: Row = {
      label,
      relationships: shape.relationships.length,
      load,
      ...(await mixed(checks(SECONDS), writes(SECONDS), pids, workDir)),
      note: "the same random (member, project) pairs as subject and object, no session; default caches (none)",
    };
    row.health = await drive(
      {
        kind: "get",
        url: `${fga.url}/healthz`,
        connections: CONNECTIONS,
        seconds: HEALTH_SECONDS,
        askers: [],
      },
      workDir,
    );
    log(summary(row));
    return row;
  } finally {
    await fga.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// output

const fixed = (n: number | undefined, digits = 0) =>
  n === undefined
    ? ""
    : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function nonOk(result: DriveResult): number {
  const ok = result.statuses["200"] ?? 0;
  return result.requests - ok + result.errors + result.timeouts;
}

function summary(row: Row): string {
  if (row.skipped) return `${row.label}: skipped (${row.skipped})`;
  const c = row.check as DriveResult;
  const w = row.writes;
  return [
    `${row.label}: ${fixed(c.answeredPerSecond)} checks/s answered, p50 ${c.p50} ms, p99 ${c.p99} ms, non-200 ${nonOk(c)}`,
    w ? `writes ${w.done}/${w.attempted} (p50 ${w.p50} ms, p99 ${w.p99} ms)` : "",
    `CPU ${row.cpuPerCheck ?? "?"} µs/check${row.engineCpuPerCheck !== undefined ? ` + engine ${row.engineCpuPerCheck}` : ""}${row.postgresCpuPerCheck ? ` + postgres ${row.postgresCpuPerCheck.join(" (SpiceDB) + ")} (identity)` : ""}`,
    row.engine
      ? `engine-answered ${row.engine.fromEngine}/${row.engine.fromEngine + row.engine.fromCache}, mean batch ${row.engine.meanBatch}, bulk call ${row.engine.bulkCallMs} ms`
      : "",
    row.health ? `trivial route ${fixed(row.health.requestsPerSecond)} req/s` : "",
    `load ${row.load}`,
  ]
    .filter(Boolean)
    .join("; ");
}

function markdownTable(rows: Row[]): string {
  const lines = [
    "| row | relationships | checks answered/s | p50 ms | p99 ms | non-200 | writes done / attempted | write p50 / p99 ms | CPU µs / check | answered by the engine | `/healthz` req/s | load |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    if (row.skipped) {
      lines.push(
        `| ${row.label} | skipped: ${row.skipped.replace(/\n/g, " ").slice(0, 200)} | | | | | | | | | | ${row.load} |`,
      );
      continue;
    }
    const c = row.check as DriveResult;
    const w = row.writes;
    const statuses = Object.entries(c.statuses)
      .filter(([s]) => s !== "200")
      .map(([s, n]) => `${n}×${s}`)
      .join(", ");
    const errors = c.errors + c.timeouts;
    const cpu =
      row.engineCpuPerCheck !== undefined
        ? `${row.cpuPerCheck} + ${row.engineCpuPerCheck} (engine)${row.postgresCpuPerCheck ? ` + ${row.postgresCpuPerCheck.join(" + ")} (Postgres: SpiceDB's, identity)` : ""}`
        : String(row.cpuPerCheck ?? "");
    const engine = row.engine
      ? `${fixed((row.engine.fromEngine / Math.max(1, row.engine.fromEngine + row.engine.fromCache)) * 100, 1)} %`
      : "";
    lines.push(
      `| ${row.label} | ${fixed(row.relationships)} | ${fixed(c.answeredPerSecond)} | ${c.p50} | ${c.p99} | ${nonOk(c)}${statuses || errors ? ` (${[statuses, errors ? `${errors} errors/timeouts` : ""].filter(Boolean).join(", ")})` : ""} | ${w ? `${w.done} / ${w.attempted}` : "—"} | ${w ? `${w.p50} / ${w.p99}` : "—"} | ${cpu} | ${engine} | ${row.health ? fixed(row.health.requestsPerSecond) : row.probe ? `(probe p99 ${row.probe.p99} ms, max ${row.probe.max} ms)` : ""} | ${row.load} |`,
    );
  }
  return lines.join("\n");
}

async function main() {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  log(`machine: ${machine}; load ${load1()}`);
  const rows: Row[] = [];
  const shape = mixedShape(RELATIONSHIPS, MEMBERS);
  if (ROWS.has("embedded")) {
    rows.push(
      ...(await tenantgateRows({ label: "embedded", relationships: RELATIONSHIPS, extras: true })),
    );
  }
  if (ROWS.has("spicedb")) {
    const bin = process.env.SPICEDB_BIN;
    const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    if (!bin)
      rows.push({ label: "SpiceDB + Postgres", load: load1(), skipped: "SPICEDB_BIN is not set" });
    else if (!adminUrl)
      rows.push({
        label: "SpiceDB + Postgres",
        load: load1(),
        skipped: "BENCH_DATABASE_URL is not set",
      });
    else {
      rows.push(
        ...(await tenantgateRows({
          label: "SpiceDB + Postgres",
          relationships: RELATIONSHIPS,
          extras: true,
          remote: { bin, adminUrl },
        })),
      );
    }
  }
  if (ROWS.has("better-auth")) rows.push(await betterAuthRow(shape));
  if (ROWS.has("openfga")) rows.push(await openfgaRow(shape));
  if (ROWS.has("envelope")) {
    for (const size of ENVELOPE) {
      rows.push(
        ...(await tenantgateRows({
          label: `embedded ${fixed(size)}`,
          relationships: size,
          extras: false,
        })),
      );
    }
  }

  const out = process.env.MIXED_OUT;
  if (out) writeFileSync(out, JSON.stringify({ machine, rows }, null, 2));
  process.stdout.write(`machine: ${machine}\n`);
  process.stdout.write(
    `load: ${MEMBERS} members with sessions, random (member, project) pairs, ${CONNECTIONS} connections, ${SECONDS} s per row; admin ${WRITES_PER_SECOND} writes/s through the API${SPICEDB_TUNING.length ? `; spicedb flags: ${SPICEDB_TUNING.join(" ")}` : ""}\n\n`,
  );
  process.stdout.write(`${markdownTable(rows)}\n\n`);
  for (const row of rows) {
    if (row.skipped || !row.check) continue;
    const c = row.check;
    const w = row.writes;
    process.stdout.write(
      `${row.label}: allowed ${c.allowed}/${c.statuses["200"] ?? 0}; latency by status ${JSON.stringify(c.latencyByStatus)}; 503 without Retry-After ${c.unavailableWithoutRetryAfter}${row.engine ? `; engine ${JSON.stringify(row.engine)}` : ""}${w ? `; writes ${JSON.stringify(w)}` : ""}${row.note ? `; ${row.note}` : ""}\n`,
    );
  }
}

await main();
