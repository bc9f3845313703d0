import { readFileSync } from "node:fs";
import type { v1 } from "@authzed/authzed-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EmbeddedEngine } from "../../src/authz/embedded/embedded-engine.js";
import {
  parseObjectReference,
  parseSubjectReference,
} from "../../src/authz/relationship-syntax.js";
import { CheckBatcher } from "../../src/check/check-batcher.js";
import { createMetrics } from "../../src/metrics/metrics.js";
import { touchAll } from "../support/relationships.js";
import { SCHEMA_PATH } from "../support/runtime.js";

function item(project: string): v1.CheckBulkPermissionsRequestItem {
  return {
    resource: parseObjectReference(`project:${project}`),
    permission: "view",
    subject: parseSubjectReference("account:a1"),
    context: undefined,
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** The sizes of the bulk calls a batcher made, from its metrics. */
async function batchSizes(metrics: ReturnType<typeof createMetrics>) {
  const { values } = await metrics.checkBatchSize.get();
  const count = values.find((v) => v.metricName === "tenantgate_check_batch_size_count")?.value;
  const sum = values.find((v) => v.metricName === "tenantgate_check_batch_size_sum")?.value;
  return { count, sum };
}

describe("CheckBatcher on the embedded engine", () => {
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    engine = await EmbeddedEngine.start();
    await engine.writeSchema(readFileSync(SCHEMA_PATH, "utf8"));
    await touchAll(engine, [
      "tenant:t1#member@account:a1",
      "project:p1#tenant@tenant:t1",
      "project:p1#viewer@account:a1",
    ]);
  });
  afterAll(() => engine.close());

  // Checks asked in three turns while the first batch is in flight: with one call in flight the
  // second and third turns' checks wait and go out together; with two, the second goes at once.
  test.each([
    { maxInFlight: 1, calls: 2 },
    { maxInFlight: 2, calls: 3 },
  ])(
    "with $maxInFlight call(s) in flight, 30 checks in three turns make $calls calls",
    async ({ maxInFlight, calls }) => {
      const metrics = createMetrics();
      const batcher = new CheckBatcher(engine, metrics, { maxInFlight });
      const asked: Promise<unknown>[] = [];
      for (let turn = 0; turn < 3; turn++) {
        for (let i = 0; i < 10; i++) asked.push(batcher.check(item(`p${i}`)));
        await nextTurn();
      }
      await Promise.all(asked);
      expect(await batchSizes(metrics)).toEqual({ count: calls, sum: 30 });
    },
  );

  test("a check answered within its deadline gets its answer", async () => {
    const batcher = new CheckBatcher(engine, undefined, { deadlineMs: 10_000 });
    const result = await batcher.check(item("p1"));
    expect(result.pair.response.oneofKind).toBe("item");
  });
});
