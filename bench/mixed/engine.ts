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

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import { loadRelationships } from "../../src/authz/durable-engine.js";
import { EmbeddedEngine } from "../../src/authz/embedded/embedded-engine.js";
import { parseRelationship } from "../../src/authz/relationship-syntax.js";
import { ROOT } from "./processes.js";
import { mixedShape, type Shape } from "./shape.js";

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

/** Wall and CPU (this process, all threads: Node and the engine's Go code) in ms. */
interface Cost {
  wall: number;
  cpu: number;
}

const per = (cost: Cost, n: number): Cost => ({ wall: cost.wall / n, cpu: cost.cpu / n });

/**
 * Mean cost of one call of `call` over `rounds` rounds (after 3 unmeasured ones). CPU time is
 * the steadier number on a shared machine: other processes lengthen wall time, not CPU time.
 */
async function time(rounds: number, call: () => Promise<unknown>): Promise<Cost> {
  for (let i = 0; i < 3; i++) await call();
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await call();
  const used = process.cpuUsage(cpu);
  return {
    wall: (performance.now() - started) / rounds,
    cpu: (used.user + used.system) / 1000 / rounds,
  };
}

async function measure(size: number): Promise<Record<string, Cost>> {
  const shape = mixedShape(size, MEMBERS);
  const engine = await EmbeddedEngine.start();
  try {
    await engine.writeSchema(readFileSync(join(ROOT, "schema.zed"), "utf8"));
    await loadRelationships(
      engine,
      shape.relationships.map((r) => parseRelationship(r)),
    );
    const written = await engine.writeRelationships({
      updates: [
        {
          operation: v1.RelationshipUpdate_Operation.TOUCH,
          relationship: parseRelationship(shape.grants[0] as string),
        },
      ],
      optionalPreconditions: [],
      optionalTransactionMetadata: undefined,
    });
    const consistency = consistencyAfter(written.writtenAt?.token ?? "");
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
    return out;
  } finally {
    await engine.close();
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
