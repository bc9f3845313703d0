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
import type { v1 } from "@authzed/authzed-node";
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

const consistency: v1.Consistency = {
  requirement: { oneofKind: "fullyConsistent", fullyConsistent: true },
};

/** Mean ms per call of `call` over `rounds` rounds (after 3 unmeasured ones). */
async function time(rounds: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await call();
  const started = performance.now();
  for (let i = 0; i < rounds; i++) await call();
  return (performance.now() - started) / rounds;
}

async function measure(size: number): Promise<Record<string, number>> {
  const shape = mixedShape(size, MEMBERS);
  const engine = await EmbeddedEngine.start();
  try {
    await engine.writeSchema(readFileSync(join(ROOT, "schema.zed"), "utf8"));
    await loadRelationships(
      engine,
      shape.relationships.map((r) => parseRelationship(r)),
    );
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
    const out: Record<string, number> = {};
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
    for (const n of [10, 100, 500]) {
      const r = Math.max(3, Math.round(rounds / n) * 2);
      out[`bulk of ${n}: ms per item`] =
        (await time(r, () => bulk(Array.from({ length: n }, () => randomPair(shape))))) / n;
      out[`bulk of ${n} + membership items: ms per check`] =
        (await time(r, () =>
          bulk(
            Array.from({ length: n }, () => randomPair(shape)).flatMap((item) => [
              membershipOf(item),
              item,
            ]),
          ),
        )) / n;
    }
    // One subject asking about many projects: SpiceDB groups the items into one dispatch.
    const r100 = Math.max(3, Math.round(rounds / 50));
    out["bulk of 100, one subject: ms per item"] =
      (await time(r100, () => {
        const first = randomPair(shape);
        return bulk(
          Array.from({ length: 100 }, () => {
            const item = randomPair(shape);
            return {
              ...item,
              subject: first.subject,
              resource: {
                ...(item.resource as v1.ObjectReference),
                objectId: `${first.subject?.object?.objectId.split("_")[0]}_p${item.resource?.objectId.split("_p")[1]}`,
              },
            };
          }),
        );
      })) / 100;
    // Two bulk calls of 100 at once (tenantgate keeps two in flight): does the second core help?
    out["2 × bulk of 100 at once: ms per item"] =
      (await time(r100, () =>
        Promise.all([
          bulk(Array.from({ length: 100 }, () => randomPair(shape))),
          bulk(Array.from({ length: 100 }, () => randomPair(shape))),
        ]),
      )) / 200;
    return out;
  } finally {
    await engine.close();
  }
}

const results: Record<number, Record<string, number>> = {};
for (const size of SIZES) {
  process.stderr.write(`engine: ${size} relationships…\n`);
  results[size] = await measure(size);
}
const names = Object.keys(results[SIZES[0] as number] ?? {});
process.stdout.write(`| ms | ${SIZES.map((s) => s.toLocaleString("en-US")).join(" | ")} |\n`);
process.stdout.write(`| --- | ${SIZES.map(() => "---:").join(" | ")} |\n`);
for (const name of names) {
  process.stdout.write(
    `| ${name} | ${SIZES.map((s) => (results[s]?.[name] ?? 0).toFixed(3)).join(" | ")} |\n`,
  );
}
