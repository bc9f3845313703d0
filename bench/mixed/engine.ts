/**
 * Where a check's time goes inside the embedded engine, without HTTP: the mixed benchmark's data
 * at several sizes loaded into `EmbeddedEngine` directly, then timed calls.
 *
 *   node --import tsx bench/mixed/engine.ts                 # 1000,10000,30000,100000
 *   ENGINE_SIZES=10000 node --import tsx bench/mixed/engine.ts
 *
 * For each size: one `project#view` check at a time (CheckPermission), the parts of that
 * permission on their own (the viewer relation, edit, manage, the tenant membership), bulk calls
 * of random (member, project) items at several batch sizes, with and without the membership item
 * tenantgate adds to every check, bulk items grouped by subject, and two calls at once.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import pg from "pg";
import { loadRelationships } from "../../src/authz/durable-engine.js";
import { EmbeddedEngine } from "../../src/authz/embedded/embedded-engine.js";
import type { AuthzEngine } from "../../src/authz/engine.js";
import { parseRelationship } from "../../src/authz/relationship-syntax.js";
import { RemoteEngine } from "../../src/authz/remote-engine.js";
import { cpuSeconds, ROOT } from "./processes.js";
import { mixedShape, type Shape } from "./shape.js";
import { startSpiceDb } from "./spicedb.js";

const SIZES = (process.env.ENGINE_SIZES ?? "1000,10000,30000,100000").split(",").map(Number);
const MEMBERS = 20;

type Item = v1.CheckBulkPermissionsRequestItem;

function randomPair(shape: Shape, permission = "view"): Item {
  const member = shape.members[
    Math.floor(Math.random() * shape.members.length)
  ] as Shape["members"][number];
  const projects = shape.tenants.find((t) => t.id === member.tenant)?.projects ?? 1;
  return {
    resource: {
      objectType: "project",
      objectId: `${member.tenant}_p${Math.floor(Math.random() * projects)}`,
    },
    permission,
    subject: { object: { objectType: "account", objectId: member.account }, optionalRelation: "" },
    context: undefined,
  };
}

function membershipOf(item: Item): Item {
  const account = item.subject?.object?.objectId ?? "";
  return {
    resource: { objectType: "tenant", objectId: account.split("_")[0] ?? "" },
    permission: "membership",
    subject: item.subject,
    context: undefined,
  };
}

/**
 * What tenantgate sends (FreshEngine): at least as fresh as the newest write. ENGINE_CONSISTENCY
 * =full or =latency to compare.
 */
function consistencyAfter(token: string): v1.Consistency {
  if (process.env.ENGINE_CONSISTENCY === "full")
    return { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } };
  if (process.env.ENGINE_CONSISTENCY === "latency")
    return { requirement: { oneofKind: "minimizeLatency", minimizeLatency: true } };
  return { requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: { token } } };
}

/**
 * Wall and CPU time in ms. CPU: embedded, this process (all threads: Node and the engine's Go
 * code); with ENGINE=spicedb, the SpiceDB process and the Postgres backends serving it (this
 * process, the client, is left out).
 */
interface Cost {
  wall: number;
  cpu: number;
}

const per = (cost: Cost, n: number): Cost => ({ wall: cost.wall / n, cpu: cost.cpu / n });

let cpuNow: () => number = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

/**
 * Mean cost of one call of `call` over `rounds` rounds (after 3 unmeasured ones). CPU time is
 * the steadier number on a shared machine: other processes lengthen wall time, not CPU time.
 */
async function time(rounds: number, call: () => Promise<unknown>, warm = 3): Promise<Cost> {
  for (let i = 0; i < warm; i++) await call();
  const started = performance.now();
  const cpu = cpuNow();
  for (let i = 0; i < rounds; i++) await call();
  return { wall: (performance.now() - started) / rounds, cpu: (cpuNow() - cpu) / rounds };
}

/** The engine to time: the embedded one, or (ENGINE=spicedb) SPICEDB_BIN on a fresh Postgres database. */
async function openEngine(workDir: string): Promise<{
  engine: AuthzEngine;
  close(): Promise<void>;
  /** Once the data is in: ANALYZE, and find the Postgres backends whose CPU counts. */
  settle?(): Promise<void>;
}> {
  if (process.env.ENGINE !== "spicedb") {
    const engine = await EmbeddedEngine.start();
    return { engine, close: () => engine.close() };
  }
  const bin = process.env.SPICEDB_BIN;
  const adminUrl = process.env.BENCH_DATABASE_URL;
  if (!bin || !adminUrl) throw new Error("ENGINE=spicedb needs SPICEDB_BIN and BENCH_DATABASE_URL");
  const spicedb = await startSpiceDb(bin, adminUrl, workDir);
  const engine = new RemoteEngine({
    endpoint: spicedb.endpoint,
    presharedKey: spicedb.presharedKey,
    insecure: true,
    timeoutMs: 60_000,
  });
  const database = new URL(spicedb.databaseUrl).pathname.slice(1);
  let backends: number[] = [];
  cpuNow = () =>
    [spicedb.server.pid, ...backends].reduce<number>(
      (sum, pid) => sum + (cpuSeconds(pid) ?? 0),
      0,
    ) * 1000;
  return {
    engine,
    async close() {
      await engine.close();
      await spicedb.stop();
    },
    async settle() {
      const client = new pg.Client({ connectionString: spicedb.databaseUrl });
      await client.connect();
      await client.query("ANALYZE");
      backends = (
        await client.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [database],
        )
      ).rows.map((r) => r.pid);
      await client.end();
    },
  };
}

async function measure(size: number): Promise<Record<string, Cost>> {
  const shape = mixedShape(size, MEMBERS);
  const workDir = mkdtempSync(join(tmpdir(), "tenantgate-bench-engine-"));
  const opened = await openEngine(workDir);
  const { engine } = opened;
  try {
    await engine.writeSchema(
      readFileSync(process.env.ENGINE_SCHEMA ?? join(ROOT, "schema.zed"), "utf8"),
    );
    await loadRelationships(
      engine,
      shape.relationships.map((r) => parseRelationship(r)),
    );
    await opened.settle?.();
    const write = (text: string, operation: v1.RelationshipUpdate_Operation) =>
      engine.writeRelationships({
        updates: [{ operation, relationship: parseRelationship(text) }],
        optionalPreconditions: [],
        optionalTransactionMetadata: undefined,
      });
    const written = await write(shape.grants[0] as string, v1.RelationshipUpdate_Operation.TOUCH);
    let consistency = consistencyAfter(written.writtenAt?.token ?? "");
    const rounds = Math.max(5, Math.round(200_000 / size));
    const bulk = (items: Item[]) =>
      engine.checkBulkPermissions({ items, consistency, withTracing: false });
    const single = (item: Item) =>
      engine.checkPermission({
        resource: item.resource,
        permission: item.permission,
        subject: item.subject,
        consistency,
        context: undefined,
        withTracing: false,
        optionalResourceConsistency: undefined,
      } as unknown as v1.CheckPermissionRequest);
    const out: Record<string, Cost> = {};
    out["check project#view (one call)"] = await time(rounds, () => single(randomPair(shape)));
    for (const permission of ["viewer", "edit", "manage"]) {
      out[`check project#${permission}`] = await time(rounds, () =>
        single(randomPair(shape, permission)),
      );
    }
    out["check tenant#membership"] = await time(rounds, () =>
      single(membershipOf(randomPair(shape))),
    );
    out["bulk of 1 (view)"] = await time(rounds, () => bulk([randomPair(shape)]));
    // What tenantgate sends: each check with its account's membership item (identical
    // membership items are answered once: SpiceDB dedupes them).
    const checks = (n: number) =>
      Array.from({ length: n }, () => randomPair(shape)).flatMap((item) => [
        membershipOf(item),
        item,
      ]);
    const questions = (n: number) => Array.from({ length: n }, () => randomPair(shape));
    for (const n of [8, 16, 32, 100, 500]) {
      const r = Math.max(3, Math.round((rounds * 2) / n));
      out[`bulk of ${n} questions: per question`] = per(await time(r, () => bulk(questions(n))), n);
      out[`bulk of ${n} checks (+ membership items): per check`] = per(
        await time(r, () => bulk(checks(n))),
        n,
      );
    }
    // 32 waiting checks as two batches of 16 at once (MAX_IN_FLIGHT 2) or one of 32.
    const r32 = Math.max(3, Math.round(rounds / 16));
    out["2 × bulk of 16 checks at once: per check"] = per(
      await time(r32, () => Promise.all([bulk(checks(16)), bulk(checks(16))])),
      32,
    );
    out["2 × bulk of 100 questions at once: per question"] = per(
      await time(r32, () => Promise.all([bulk(questions(100)), bulk(questions(100))])),
      200,
    );
    // One subject asking about 100 projects of its tenant: SpiceDB groups them into one dispatch.
    out["bulk of 100 questions, one subject: per question"] = per(
      await time(r32, () => {
        const first = randomPair(shape);
        const tenant = first.resource?.objectId.split("_p")[0];
        return bulk(
          questions(100).map((item) => ({
            ...item,
            subject: first.subject,
            resource: {
              objectType: "project",
              objectId: `${tenant}_p${item.resource?.objectId.split("_p")[1]}`,
            },
          })),
        );
      }),
      100,
    );
    // tenantgate asks every read to be at least as fresh as its newest write, so each write
    // starts a new revision, and SpiceDB's caches (keyed by revision) start empty. The first
    // batch of 16 checks after a write, and a second one at the same revision:
    let first = { wall: 0, cpu: 0 };
    let second = { wall: 0, cpu: 0 };
    const churn = Math.max(3, Math.round(rounds / 8));
    for (let i = 0; i < churn; i++) {
      const token = await write(
        shape.grants[(i % (shape.grants.length - 1)) + 1] as string,
        i % 2 === 0
          ? v1.RelationshipUpdate_Operation.TOUCH
          : v1.RelationshipUpdate_Operation.DELETE,
      );
      consistency = consistencyAfter(token.writtenAt?.token ?? "");
      const a = await time(1, () => bulk(checks(16)), 0);
      const b = await time(1, () => bulk(checks(16)), 0);
      first = { wall: first.wall + a.wall, cpu: first.cpu + a.cpu };
      second = { wall: second.wall + b.wall, cpu: second.cpu + b.cpu };
    }
    out["first bulk of 16 checks after a write: per check"] = per(first, churn * 16);
    out["second bulk of 16 checks at that revision: per check"] = per(second, churn * 16);
    return out;
  } finally {
    await opened.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const results: Record<number, Record<string, Cost>> = {};
for (const size of SIZES) {
  process.stderr.write(`engine: ${size} relationships…\n`);
  results[size] = await measure(size);
}
const names = Object.keys(results[SIZES[0] as number] ?? {});
process.stdout.write(
  `| ms: wall / CPU | ${SIZES.map((s) => s.toLocaleString("en-US")).join(" | ")} |\n`,
);
process.stdout.write(`| --- | ${SIZES.map(() => "---:").join(" | ")} |\n`);
for (const name of names) {
  process.stdout.write(
    `| ${name} | ${SIZES.map((s) => `${(results[s]?.[name]?.wall ?? 0).toFixed(2)} / ${(results[s]?.[name]?.cpu ?? 0).toFixed(2)}`).join(" | ")} |\n`,
  );
}
