import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { createApp } from "../../src/http/app.js";
import { PROBLEM_CONTENT_TYPE } from "../../src/http/problem.js";
import type { Runtime } from "../../src/main.js";
import { startTestRuntime } from "../support/runtime.js";
import { createTempDir, removeDir } from "../support/temp-dir.js";

const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  code: z.string(),
  detail: z.string(),
  instance: z.string(),
  requestId: z.string().min(1),
});

describe("health routes", () => {
  let dataDir: string;
  let runtime: Runtime;
  beforeEach(async () => {
    dataDir = createTempDir("health");
    runtime = await startTestRuntime({ DATA_DIR: dataDir });
  });
  afterEach(async () => {
    await runtime.close();
    removeDir(dataDir);
  });

  test("GET /healthz: 200 while the process runs", async () => {
    const response = await createApp(runtime.services).request("/healthz");
    expect(response.status).toBe(200);
    expect(z.object({ status: z.literal("ok") }).parse(await response.json())).toEqual({
      status: "ok",
    });
  });

  test("GET /readyz: 200 with the engine kind when the database and engine answer", async () => {
    const response = await createApp(runtime.services).request("/readyz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", engine: "embedded" });
  });

  test("GET /readyz: 503 problem once the engine is closed; /healthz stays 200", async () => {
    const app = createApp(runtime.services);
    await runtime.services.engine.close();

    const response = await app.request("/readyz");
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe(PROBLEM_CONTENT_TYPE);
    expect(response.headers.get("retry-after")).toBe("1");
    const problem = problemSchema.parse(await response.json());
    expect(problem).toMatchObject({ status: 503, code: "not_ready", instance: "/readyz" });
    expect(problem.detail).toMatch(/^authorization engine: .*closed/);

    expect((await app.request("/healthz")).status).toBe(200);
  });

  test("GET /readyz: 503 problem naming the database once it is closed", async () => {
    const app = createApp(runtime.services);
    runtime.services.db.close();
    const response = await app.request("/readyz");
    expect(response.status).toBe(503);
    expect(problemSchema.parse(await response.json()).detail).toMatch(/^database: /);
  });
});
