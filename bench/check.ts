/**
 * Check benchmark: a real tenantgate server on loopback with 1,000 accounts and 100,000+
 * relationships, driven by autocannon from a separate process: POST /v1/check with a session
 * token, then GET /healthz on the same server, 32 connections for 10 s each. Prints requests/s,
 * p50/p99 and the check/healthz ratio. Cache-friendly by design (one member asking the same
 * 1,000 questions, no writes): it measures the service around the engine. Real use, with many
 * askers, new questions and writes going on, is npm run bench:mixed.
 *
 *   npm run bench:check                                   # embedded engine, SQLite
 *   BENCH_TOPOLOGIES=embedded,remote,postgres BENCH_DATABASE_URL=postgres://… npm run bench:check
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=64 npm run bench:check
 *
 * Results and the machine: docs/benchmarks.md.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { v1 } from "@authzed/authzed-node";
import { hashPassword } from "../src/auth/password.js";
import { createSession } from "../src/auth/sessions.js";
import { parseRelationship } from "../src/authz/relationship-syntax.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/lib/logger.js";
import { startRuntime } from "../src/main.js";
import { startDevServer } from "../test/support/dev-server.js";
import { createTestDatabase } from "../test/support/postgres.js";

const ROOT = resolve(import.meta.dirname, "..");
const TENANTS = 10;
const ACCOUNTS_PER_TENANT = 100;
const PROJECTS_PER_TENANT = 1000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/** Seeds users, tenants, accounts and relationships straight into a data dir; returns a session token. */
async function seed(
  dataDir: string,
  env: Record<string, string>,
): Promise<{ token: string; relationships: number }> {
  const config = loadConfig({ DATA_DIR: dataDir, SCHEMA_PATH: join(ROOT, "schema.zed"), ...env });
  const runtime = await startRuntime(config, createLogger("warn"));
  const { store, engine } = runtime.services;
  const passwordHash = await hashPassword("bench password 1234");
  const now = Date.now();
  let relationships = 0;
  const pending: string[] = [];
  const flush = async () => {
    while (pending.length > 0) {
      const batch = pending.splice(0, 1000);
      await engine.writeRelationships(
        v1.WriteRelationshipsRequest.create({
          updates: batch.map((text) => ({
            operation: v1.RelationshipUpdate_Operation.TOUCH,
            relationship: parseRelationship(text),
          })),
        }),
      );
      relationships += batch.length;
    }
  };
  for (let t = 0; t < TENANTS; t++) {
    const tenant = `t${t}`;
    await store
      .insertInto("tenants")
      .values({ id: tenant, name: `Tenant ${t}`, created_at: now })
      .execute();
    for (let a = 0; a < ACCOUNTS_PER_TENANT; a++) {
      const user = `u${t}_${a}`;
      const account = `t${t}_a${a}`;
      await store
        .insertInto("users")
        .values({
          id: user,
          email: `${user}@bench.example`,
          name: null,
          password_hash: passwordHash,
          created_at: now,
          password_changed_at: now,
          operator: 0,
        })
        .execute();
      await store
        .insertInto("accounts")
        .values({
          id: account,
          tenant_id: tenant,
          user_id: user,
          created_at: now,
          disabled_at: null,
        })
        .execute();
      pending.push(
        `account:${account}#tenant@tenant:${tenant}`,
        `account:${account}#user@user:${user}`,
      );
      pending.push(
        `tenant:${tenant}#${a === 0 ? "owner" : a < 5 ? "admin" : "member"}@account:${account}`,
      );
    }
    for (let p = 0; p < PROJECTS_PER_TENANT; p++) {
      const project = `project:t${t}_p${p}`;
      pending.push(
        `${project}#tenant@tenant:${tenant}`,
        `${project}#owner@account:t${t}_a${p % ACCOUNTS_PER_TENANT}`,
      );
      for (let v = 1; v <= 8; v++)
        pending.push(`${project}#viewer@account:t${t}_a${(p * 7 + v * 13) % ACCOUNTS_PER_TENANT}`);
      if (pending.length >= 5000) await flush();
    }
  }
  await flush();
  // The benchmark's user: an ordinary member of tenant t0.
  const { token } = await createSession(
    store,
    { userId: "u0_42", activeAccountId: "t0_a42", ip: null, userAgent: "bench" },
    runtime.services.sessionPolicy,
    Date.now(),
  );
  await runtime.close();
  return { token, relationships };
}

interface LoadResult {
  path: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  /** The server's CPU time (all threads) per answered request, in µs; Linux only. */
  cpuPerRequest?: number;
}

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** CPU seconds a process has used (user + system, all threads), from /proc; undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** One load row, with the server's CPU per request measured around it. */
function measured(pid: number | undefined, run: () => LoadResult, label: string): LoadResult {
  const before = cpuSeconds(pid);
  const result = run();
  const after = cpuSeconds(pid);
  return {
    ...result,
    path: label,
    ...(before !== undefined && after !== undefined && result.total > 0
      ? { cpuPerRequest: ((after - before) / result.total) * 1e6 }
      : {}),
  };
}

function load(url: string, path: string, token?: string): LoadResult {
  const args = [
    "--import",
    "tsx",
    join(ROOT, "bench/load.ts"),
    url,
    path,
    String(CONNECTIONS),
    String(SECONDS),
  ];
  if (token) args.push(token, String(PROJECTS_PER_TENANT));
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`load generator failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1) as string);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address
          ? resolvePort(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

async function waitForReady(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

type Topology = "embedded" | "remote" | "postgres";

/**
 * Environment for one topology: the embedded engine with SQLite (the default), a SpiceDB endpoint
 * over gRPC (the repo's `tenantgate spicedb serve` on loopback), or that plus Postgres for the
 * identity store. Returns the env and how to tear down what it started.
 */
async function topologyEnv(
  topology: Topology,
): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const stops: (() => Promise<void>)[] = [];
  const env: Record<string, string> = {};
  if (topology === "remote" || topology === "postgres") {
    const spicedbDir = mkdtempSync(join(tmpdir(), "tenantgate-bench-spicedb-"));
    const spicedb = await startDevServer({ dataDir: spicedbDir });
    Object.assign(env, {
      SPICEDB_ENDPOINT: spicedb.endpoint,
      SPICEDB_PRESHARED_KEY: spicedb.presharedKey,
      SPICEDB_INSECURE: "true",
    });
    stops.push(async () => {
      await spicedb.stop();
      rmSync(spicedbDir, { recursive: true, force: true });
    });
  }
  if (topology === "postgres") {
    const admin = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    if (!admin)
      throw new Error(
        "the postgres topology needs BENCH_DATABASE_URL (a server where it may create a database)",
      );
    const database = await createTestDatabase(admin, "bench");
    env.DATABASE_URL = database.url;
    stops.push(() => database.drop());
  }
  return {
    env,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

async function measure(topology: Topology): Promise<LoadResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "tenantgate-bench-check-"));
  const { env, stop } = await topologyEnv(topology);
  try {
    const seeded = await seed(dataDir, env);
    const port = await freePort();
    // LOG_LEVEL=warn: a production server would not log every check at info either.
    // BENCH_PROFILE=DIR writes a CPU profile of the server to DIR (for finding the next hot spot).
    const profile = process.env.BENCH_PROFILE
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
    const server = spawn(process.execPath, [...profile, join(ROOT, "bin/tenantgate.js"), "serve"], {
      cwd: ROOT,
      env: { ...process.env, ...env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForReady(url);
      const first = await fetch(`${url}/v1/check`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${seeded.token}` },
        body: JSON.stringify({ resource: "project:t0_p1", permission: "view" }),
      });
      if (first.status !== 200)
        throw new Error(`check answered ${first.status}: ${await first.text()}`);
      process.stderr.write(
        `${topology}: seeded ${seeded.relationships} relationships; measuring…\n`,
      );
      // First run: the decision cache starts empty, so every distinct question costs engine work.
      // Second run: the same questions again. Both are cache-friendly (one member, 1,000 questions
      // asked over and over, no writes); npm run bench:mixed measures real use.
      const check = () => load(url, "/v1/check", seeded.token);
      const cold = measured(server.pid, check, `${topology} check (cold, cache-friendly)`);
      const warm = measured(server.pid, check, `${topology} check (warm, cache-friendly)`);
      const health = measured(server.pid, () => load(url, "/healthz"), `${topology} /healthz`);
      return [cold, warm, health];
    } finally {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
    }
  } finally {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const topologies = (process.env.BENCH_TOPOLOGIES ?? "embedded")
    .split(",")
    .map((t) => t.trim()) as Topology[];
  const rows: LoadResult[] = [];
  for (const topology of topologies) rows.push(...(await measure(topology)));
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  process.stdout.write(`machine: ${machine}\n`);
  process.stdout.write(
    `seeded: ${TENANTS * ACCOUNTS_PER_TENANT} accounts, 103,000 relationships; load: ${CONNECTIONS} connections, ${SECONDS} s per row\n\n`,
  );
  process.stdout.write(`${"".padEnd(44)}   req/s   p50 ms   p99 ms  non-2xx  server CPU µs/req\n`);
  for (const r of rows) {
    const cpu = r.cpuPerRequest === undefined ? "" : String(Math.round(r.cpuPerRequest));
    process.stdout.write(
      `${r.path.padEnd(44)} ${String(Math.round(r.requestsPerSecond)).padStart(7)}  ${String(r.p50).padStart(7)}  ${String(r.p99).padStart(7)}  ${String(r.non2xx).padStart(7)}  ${cpu.padStart(17)}\n`,
    );
  }
  for (const topology of topologies) {
    const warm = rows.find((r) => r.path === `${topology} check (warm, cache-friendly)`);
    const health = rows.find((r) => r.path === `${topology} /healthz`);
    if (warm && health) {
      process.stdout.write(
        `${topology}: check (warm) / healthz throughput ${((warm.requestsPerSecond / health.requestsPerSecond) * 100).toFixed(1)} %\n`,
      );
    }
  }
}

await main();
