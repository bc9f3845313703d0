import { readFileSync } from "node:fs";
import { v1 } from "@authzed/authzed-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EmbeddedEngine } from "../../src/authz/embedded/embedded-engine.js";
import type { AuthzEngine } from "../../src/authz/engine.js";
import { CheckBatcher } from "../../src/check/check-batcher.js";
import { fullyConsistent, objectRef, subjectRef, touchAll } from "../support/relationships.js";
import { SCHEMA_PATH } from "../support/runtime.js";

/**
 * The batcher against a real embedded SpiceDB. An item SpiceDB refuses for the whole bulk call
 * (a non-finite number in a caveat context, which the API refuses long before, but the batcher
 * must not rely on that) must fail alone: every other check coalesced with it still answers.
 */
describe("CheckBatcher", () => {
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    engine = await EmbeddedEngine.start();
    await engine.writeSchema(readFileSync(SCHEMA_PATH, "utf8"));
    await touchAll(engine, [
      "project:p1#tenant@tenant:t1",
      "tenant:t1#member@account:a1",
      "project:p1#viewer@account:a1",
    ]);
  });
  afterAll(async () => engine.close());

  /**
   * The engine as the service asks it, through FreshEngine: at least as fresh as the last write
   * (here, fully consistent; SpiceDB's default would read a snapshot up to seconds old).
   */
  const fresh = () =>
    ({
      checkBulkPermissions: (request: v1.CheckBulkPermissionsRequest) =>
        engine.checkBulkPermissions({ ...request, consistency: fullyConsistent() }),
    }) as unknown as AuthzEngine;

  const item = (context?: Record<string, unknown>): v1.CheckBulkPermissionsRequestItem => ({
    resource: objectRef("project:p1"),
    permission: "view",
    subject: subjectRef("account:a1"),
    context: context ? v1.PbStruct.fromJson(context as never) : undefined,
  });

  test("the engine refuses a bulk call with a non-finite context as a whole", async () => {
    await expect(
      engine.checkBulkPermissions(
        v1.CheckBulkPermissionsRequest.create({
          items: [item(), item({ client_ip: Number.POSITIVE_INFINITY })],
        }),
      ),
    ).rejects.toThrow();
  });

  test.each([
    { checks: 60, poisoned: [37] },
    // Under load: batches of hundreds, a poisoned item in every one of them.
    { checks: 800, poisoned: Array.from({ length: 25 }, (_, i) => i * 32 + 5) },
  ])(
    "$checks coalesced checks, $poisoned.length poisoned: only those fail",
    async ({ checks: count, poisoned }) => {
      const batcher = new CheckBatcher(fresh());
      const bad = new Set(poisoned);
      const checks = Array.from({ length: count }, (_, i) =>
        batcher.check(bad.has(i) ? item({ client_ip: Number.POSITIVE_INFINITY }) : item()),
      );
      const settled = await Promise.allSettled(checks);
      const failed = settled.flatMap((s, i) => (s.status === "rejected" ? [i] : []));
      expect(failed).toEqual(poisoned);
      for (const outcome of settled) {
        if (outcome.status !== "fulfilled") continue;
        const response = outcome.value.pair.response;
        expect(response.oneofKind === "item" && response.item.permissionship).toBe(
          v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION,
        );
      }
    },
  );

  test("an outage (a closed engine) fails every item", async () => {
    const closed = await EmbeddedEngine.start();
    await closed.close();
    const batcher = new CheckBatcher(closed);
    const settled = await Promise.allSettled(
      Array.from({ length: 8 }, () => batcher.check(item())),
    );
    expect(settled.every((s) => s.status === "rejected")).toBe(true);
  });
});
