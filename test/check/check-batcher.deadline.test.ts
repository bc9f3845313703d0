import { readFileSync } from "node:fs";
import { v1 } from "@authzed/authzed-node";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EngineError } from "../../src/authz/engine-error.js";
import type { RemoteEngine } from "../../src/authz/remote-engine.js";
import { CheckBatcher } from "../../src/check/check-batcher.js";
import { type DevServer, remoteEngineFor, startDevServer } from "../support/dev-server.js";
import { objectRef, subjectRef, touchAll } from "../support/relationships.js";
import { SCHEMA_PATH } from "../support/runtime.js";

/**
 * A check's deadline counts from its arrival at the batcher, not from when its batch is sent:
 * with SpiceDB hung, the batches in flight hold their slots until their own deadline, and checks
 * queued behind them must not wait for two deadlines. SpiceDB here is the dev server, frozen
 * with SIGSTOP.
 */
const DEADLINE_MS = 1_500;
/** Scheduling slack on a loaded machine. */
const MARGIN_MS = 1_000;

describe("CheckBatcher deadline", () => {
  let server: DevServer;
  let engine: RemoteEngine;

  beforeAll(async () => {
    server = await startDevServer();
    engine = remoteEngineFor(server, { timeoutMs: DEADLINE_MS });
    await engine.writeSchema(readFileSync(SCHEMA_PATH, "utf8"));
    await touchAll(engine, ["tenant:t1#member@account:a1", "project:p1#tenant@tenant:t1"]);
  });
  afterAll(async () => {
    server?.process.kill("SIGCONT");
    await engine?.close();
    await server?.stop();
  });

  const item = (n: number) =>
    v1.CheckBulkPermissionsRequestItem.create({
      resource: objectRef(`project:p${n}`),
      permission: "view",
      subject: subjectRef("account:a1"),
    });

  test("every check, queued or in flight, fails with DEADLINE_EXCEEDED within its deadline", async () => {
    const batcher = new CheckBatcher(engine, undefined, { deadlineMs: DEADLINE_MS });
    expect((await batcher.check(item(1))).pair.response.oneofKind).toBe("item");

    server.process.kill("SIGSTOP");
    try {
      // Three waves a tick apart: two fill the in-flight slots, the third queues behind them.
      const settled: Promise<{ error: unknown; ms: number }>[] = [];
      for (let wave = 0; wave < 3; wave++) {
        for (let n = 0; n < 5; n++) {
          const started = Date.now();
          settled.push(
            batcher.check(item(100 * wave + n)).then(
              () => ({ error: undefined, ms: Date.now() - started }),
              (error: unknown) => ({ error, ms: Date.now() - started }),
            ),
          );
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const { error, ms } of await Promise.all(settled)) {
        expect(error).toBeInstanceOf(EngineError);
        expect((error as EngineError).grpcCode).toBe(GrpcStatus.DEADLINE_EXCEEDED);
        expect(ms).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
      }
    } finally {
      server.process.kill("SIGCONT");
    }
    expect((await batcher.check(item(1))).pair.response.oneofKind).toBe("item");
  });
});
