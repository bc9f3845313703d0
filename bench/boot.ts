/**
 * Boot benchmark: how long `startRuntime` takes to become ready on a data dir that holds 100,000
 * relationships (the embedded engine loads them all from SQLite at start).
 *
 *   npm run bench:boot                # 100,000 relationships, 5 runs
 *   BOOT_RELATIONSHIPS=20000 BOOT_RUNS=3 npm run bench:boot
 *
 * Each run boots in a fresh process, as a real start does. Besides the end-to-end start-up it
 * times the parts on their own (reading SQLite, encoding the write requests, the engine applying
 * them) so that a regression points at its cause. Results: docs/benchmarks.md.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { v1 } from "@authzed/authzed-node";
import { EmbeddedEngine } from "../src/authz/embedded/embedded-engine.js";
import { RelationshipStore } from "../src/authz/relationship-store.js";
import { parseRelationship } from "../src/authz/relationship-syntax.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/lib/logger.js";
import { startRuntime } from "../src/main.js";
import { openEngineFile } from "../test/support/engine-file.js";

const RELATIONSHIPS = Number(process.env.BOOT_RELATIONSHIPS ?? 100_000);
const RUNS = Number(process.env.BOOT_RUNS ?? 5);
const PER_TENANT = 100;
const SCHEMA_PATH = resolve(import.meta.dirname, "..", "schema.zed");

/**
 * One tenant's worth of relationships (exactly PER_TENANT), shaped like real use of schema.zed:
 * accounts, memberships, a custom role, projects with owners, editors (some expiring, some a
 * role's assignees) and viewers (some limited to a network).
 */
function tenantRelationships(t: number): string[] {
  const tenant = `tenant:t${t}`;
  const account = (a: number) => `account:t${t}_a${a}`;
  const rels: string[] = [];
  for (let a = 0; a < 10; a++) {
    rels.push(`${account(a)}#tenant@${tenant}`, `${account(a)}#user@user:u${t}_${a}`);
    rels.push(`${tenant}#${a === 0 ? "owner" : a < 3 ? "admin" : "member"}@${account(a)}`);
  }
  const role = `role:t${t}_r0`;
  rels.push(
    `${role}#tenant@${tenant}`,
    `${tenant}#role@${role}`,
    `${role}#assignee@${account(3)}`,
    `${role}#assignee@${account(4)}`,
    `${role}#grant_project_view@account:*`,
  );
  for (let p = 0; p < 15; p++) {
    const project = `project:t${t}_p${p}`;
    const editor =
      p % 3 === 0 ? `${account(5)}[expiration:2100-01-01T00:00:00Z]` : account(5 + (p % 5));
    const viewer =
      p % 4 === 0 ? `${account(9)}[on_network:{"allowed_cidr":"10.0.0.0/8"}]` : account(9);
    rels.push(
      `${project}#tenant@${tenant}`,
      `${project}#owner@${account(p % 3)}`,
      `${project}#editor@${editor}`,
      `${project}#viewer@${viewer}`,
    );
    if (p < 5) rels.push(`${project}#editor@${role}#assignee`);
  }
  return rels;
}

function* seedRelationships(count: number): Generator<v1.Relationship> {
  let n = 0;
  for (let t = 0; t < Math.ceil(count / PER_TENANT); t++) {
    const rels = tenantRelationships(t);
    if (rels.length !== PER_TENANT)
      throw new Error(`a tenant has ${rels.length} relationships, not ${PER_TENANT}`);
    for (const text of rels) {
      if (n++ >= count) return;
      yield parseRelationship(text);
    }
  }
}

const silent = createLogger("silent");

/** A data dir with the repo's schema deployed and `count` relationships stored in SQLite. */
async function seedDataDir(dataDir: string, count: number): Promise<void> {
  const config = loadConfig({ DATA_DIR: dataDir, SCHEMA_PATH, LOG_LEVEL: "silent" });
  // The schema goes in through the service itself, so it is stored exactly as at run time.
  const runtime = await startRuntime(config, silent, { purpose: "bench seed" });
  await runtime.close();
  // The rows go straight into SQLite in one transaction: the quickest way to a big data dir.
  const db = await openEngineFile(join(dataDir, "tenantgate.sqlite"));
  new RelationshipStore(db).apply({
    upsert: RelationshipStore.rows([...seedRelationships(count)]),
    remove: [],
  });
  db.close();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Times the parts of a boot on their own: SQLite read, protobuf encoding, engine writes. */
async function profileParts(dataDir: string): Promise<Record<string, number>> {
  const db = await openEngineFile(join(dataDir, "tenantgate.sqlite"));
  const store = new RelationshipStore(db);
  let t = performance.now();
  const relationships = [...store.iterate()];
  const sqliteRead = performance.now() - t;

  const requests: v1.WriteRelationshipsRequest[] = [];
  for (let i = 0; i < relationships.length; i += 1000) {
    requests.push(
      v1.WriteRelationshipsRequest.create({
        updates: relationships.slice(i, i + 1000).map((relationship) => ({
          operation: v1.RelationshipUpdate_Operation.TOUCH,
          relationship,
        })),
      }),
    );
  }
  t = performance.now();
  for (const request of requests) v1.WriteRelationshipsRequest.toBinary(request);
  const encode = performance.now() - t;

  t = performance.now();
  const engine = await EmbeddedEngine.start();
  const engineStart = performance.now() - t;
  await engine.writeSchema(readFileSync(SCHEMA_PATH, "utf8"));
  t = performance.now();
  for (const request of requests) await engine.writeRelationships(request);
  const engineWrites = performance.now() - t;
  await engine.close();
  db.close();
  return { sqliteRead, encode, engineStart, engineWrites };
}

/** Child mode: one cold boot in this fresh process; prints how long startRuntime took. */
async function bootOnce(dataDir: string): Promise<void> {
  // Logs at info on stderr: the parent reads the engine's own "loaded" timing from them.
  const config = loadConfig({ DATA_DIR: dataDir, SCHEMA_PATH, LOG_LEVEL: "info" });
  const logger = createLogger(config.LOG_LEVEL);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const runtime = await startRuntime(config, logger);
  const ms = performance.now() - started;
  // Process-wide CPU (Node and the engine's Go threads): when wall time grows but CPU does not,
  // the machine was busy with something else.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Ready means answering: a check that needs the loaded relationships (role grant, tenant 0).
  const check = await runtime.services.engine.checkPermission(
    v1.CheckPermissionRequest.create({
      consistency: { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } },
      resource: { objectType: "project", objectId: "t0_p1" },
      permission: "view",
      subject: { object: { objectType: "account", objectId: "t0_a3" } },
    }),
  );
  await runtime.close();
  if (check.permissionship !== v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION) {
    throw new Error("boot produced an engine without the stored relationships");
  }
  process.stdout.write(`${JSON.stringify({ ms, cpuMs })}\n`);
}

/** Boots in a fresh process, as a real start does: no engine memory left from an earlier run. */
function bootInChild(dataDir: string): {
  startRuntimeMs: number;
  engineLoadMs: number;
  cpuMs: number;
  processMs: number;
} {
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", import.meta.filename, "--boot", dataDir],
    {
      encoding: "utf8",
    },
  );
  const processMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`boot failed (exit ${child.status}): ${child.stderr}`);
  const line = child.stdout.trim().split("\n").at(-1) ?? "";
  const loaded = child.stderr
    .split("\n")
    .filter((l) => l.includes('"embedded engine loaded"'))
    .map((l) => JSON.parse(l) as { ms: number })[0];
  const { ms, cpuMs } = JSON.parse(line) as { ms: number; cpuMs: number };
  return { startRuntimeMs: ms, cpuMs, processMs, engineLoadMs: loaded?.ms ?? Number.NaN };
}

const fmt = (ms: number) => `${Math.round(ms)} ms`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "tenantgate-bench-boot-"));
  try {
    const t = performance.now();
    await seedDataDir(dataDir, RELATIONSHIPS);
    console.log(`seeded ${RELATIONSHIPS} relationships in ${fmt(performance.now() - t)}`);

    const boots: number[] = [];
    const processes: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const { startRuntimeMs, engineLoadMs, cpuMs, processMs } = bootInChild(dataDir);
      boots.push(startRuntimeMs);
      processes.push(processMs);
      console.log(
        `run ${run}: startRuntime ready in ${fmt(startRuntimeMs)} (engine start + load ${fmt(engineLoadMs)}, CPU ${fmt(cpuMs)}; whole process, spawn to exit: ${fmt(processMs)})`,
      );
    }
    console.log(
      `boot with ${RELATIONSHIPS} relationships: median ${fmt(median(boots))}, max ${fmt(Math.max(...boots))} over ${RUNS} runs (target <= 5000 ms)`,
    );
    console.log(
      `whole process (node start, module load, boot, check, close): median ${fmt(median(processes))}, max ${fmt(Math.max(...processes))}`,
    );
    const parts = await profileParts(dataDir);
    console.log(
      `parts, each alone and sequential: ${Object.entries(parts)
        .map(([name, ms]) => `${name} ${fmt(ms)}`)
        .join(", ")}`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const bootFlag = process.argv.indexOf("--boot");
const bootDir = bootFlag >= 0 ? process.argv[bootFlag + 1] : undefined;
if (bootDir) await bootOnce(bootDir);
else await main();
