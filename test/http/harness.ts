import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import { parseRelationship } from "../../src/authz/relationship-syntax.js";
import { loadConfig } from "../../src/config.js";
import { createApp } from "../../src/http/app.js";
import { createLogger } from "../../src/lib/logger.js";
import { type Runtime, startRuntime } from "../../src/main.js";

/**
 * A real tenantgate on a temp data dir: real SQLite, real embedded SpiceDB, requests through
 * Hono's app.request. The clock is controllable so expiry can be tested without sleeping.
 */
export interface Harness {
  runtime: Runtime;
  app: ReturnType<typeof createApp>;
  now: { ms: number };
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  signUp(
    name?: string,
  ): Promise<{ token: string; userId: string; email: string; password: string }>;
  write(...relationships: string[]): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), "tenantgate-http-"));
  const config = loadConfig({
    DATA_DIR: dataDir,
    SCHEMA_PATH: join(import.meta.dirname, "../../schema.zed"),
    RATE_LIMIT_AUTH_PER_IP: "100000",
    RATE_LIMIT_AUTH_PER_EMAIL: "100000",
    ...env,
  });
  const now = { ms: Date.now() };
  const runtime = await startRuntime(config, createLogger(process.env.TEST_LOG_LEVEL ?? "silent"), {
    clock: () => now.ms,
  });
  const app = createApp(runtime.services);
  const request: Harness["request"] = async (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.json);
    }
    return app.request(path, { ...init, headers, body });
  };
  return {
    runtime,
    app,
    now,
    request,
    async signUp(name = "user") {
      const email = `${name}-${process.pid}-${++counter}-${Date.now()}@example.com`;
      const password = "correct horse battery staple";
      const response = await request("/v1/auth/signup", {
        method: "POST",
        json: { email, password, name },
      });
      if (response.status !== 201)
        throw new Error(`signup failed: ${response.status} ${await response.text()}`);
      const body = (await response.json()) as { user: { id: string }; session: { token: string } };
      return { token: body.session.token, userId: body.user.id, email, password };
    },
    async write(...relationships) {
      await runtime.services.engine.writeRelationships(
        v1.WriteRelationshipsRequest.create({
          updates: relationships.map((r) =>
            v1.RelationshipUpdate.create({
              operation: v1.RelationshipUpdate_Operation.TOUCH,
              relationship: parseRelationship(r),
            }),
          ),
        }),
      );
    },
    async close() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
