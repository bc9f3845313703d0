import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import { parseRelationship } from "../../src/authz/relationship-syntax.js";
import { loadConfig } from "../../src/config.js";
import type { Tables } from "../../src/data/tables.js";
import { createApp } from "../../src/http/app.js";
import { createLogger } from "../../src/lib/logger.js";
import { type Runtime, startRuntime } from "../../src/main.js";
import { createTestDatabase } from "../support/postgres.js";
import { startSpicedb } from "../support/spicedb.js";

/**
 * A real tenantgate on a temp data dir: real SQLite, real embedded SpiceDB (or, in the `spicedb`
 * project, a real SpiceDB on Postgres), requests through Hono's app.request. The clock is controllable so expiry can be tested without sleeping.
 */
export interface User {
  token: string;
  userId: string;
  email: string;
  password: string;
}

export interface Harness {
  runtime: Runtime;
  app: ReturnType<typeof createApp>;
  now: { ms: number };
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  signUp(name?: string): Promise<User>;
  /** Creates a tenant through the API; the user's new account there is its owner. */
  createTenant(token: string, name?: string): Promise<{ tenantId: string; accountId: string }>;
  /** A new user invited into the tenant by `inviterToken` with `role`, who has accepted. */
  join(
    inviterToken: string,
    tenantId: string,
    role?: string,
    name?: string,
  ): Promise<User & { accountId: string }>;
  write(...relationships: string[]): Promise<void>;
  /** Every row of an identity-store table, whichever database holds it. */
  rows(table: keyof Tables & string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * With TEST_STORE=postgres (and TEST_DATABASE_URL naming a server), each harness gets a fresh
 * Postgres database for its identity store: the same suite runs against both stores.
 */
function freshPostgresDatabase() {
  const admin = process.env.TEST_DATABASE_URL;
  if (process.env.TEST_STORE !== "postgres" || !admin) return undefined;
  return createTestDatabase(admin, "http");
}

/**
 * With TEST_ENGINE=spicedb, each harness gets its own real SpiceDB on its own Postgres database
 * (remote mode, the production path): harnesses never see each other's relationships, as with
 * the embedded engine.
 */
function realSpicedb() {
  return process.env.TEST_ENGINE === "spicedb" ? startSpicedb({ label: "http" }) : undefined;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), "tenantgate-http-"));
  const postgres = await freshPostgresDatabase();
  const spicedb = await realSpicedb();
  const config = loadConfig({
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    ...(spicedb
      ? {
          SPICEDB_ENDPOINT: spicedb.endpoint,
          SPICEDB_PRESHARED_KEY: spicedb.presharedKey,
          SPICEDB_INSECURE: "true",
        }
      : {}),
    DATA_DIR: dataDir,
    SCHEMA_PATH: join(import.meta.dirname, "../../schema.zed"),
    RATE_LIMIT_AUTH_PER_IP: "100000",
    RATE_LIMIT_AUTH_PER_EMAIL: "100000",
    ...env,
  });
  const now = { ms: Date.now() };
  const runtime = await startRuntime(config, createLogger(process.env.TEST_LOG_LEVEL ?? "silent"), {
    clock: () => now.ms,
  }).catch(async (error: unknown) => {
    await spicedb?.stop();
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
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
  const harness: Harness = {
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
    async createTenant(token, name = "Tenant") {
      const response = await request("/v1/tenants", { method: "POST", token, json: { name } });
      if (response.status !== 201)
        throw new Error(`tenant creation failed: ${response.status} ${await response.text()}`);
      const body = (await response.json()) as { tenant: { id: string }; account: { id: string } };
      return { tenantId: body.tenant.id, accountId: body.account.id };
    },
    async join(inviterToken, tenantId, role = "member", name = "member") {
      const user = await harness.signUp(name);
      const invited = await request(`/v1/tenants/${tenantId}/invitations`, {
        method: "POST",
        token: inviterToken,
        json: { email: user.email, role },
      });
      if (invited.status !== 201)
        throw new Error(`invitation failed: ${invited.status} ${await invited.text()}`);
      const invitation = ((await invited.json()) as { invitation: { token: string } }).invitation
        .token;
      const accepted = await request("/v1/invitations/accept", {
        method: "POST",
        token: user.token,
        json: { token: invitation },
      });
      if (accepted.status !== 200)
        throw new Error(`accepting failed: ${accepted.status} ${await accepted.text()}`);
      return {
        ...user,
        accountId: ((await accepted.json()) as { account: { id: string } }).account.id,
      };
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
    async rows(table) {
      return runtime.services.store.selectFrom(table).selectAll().execute() as Promise<
        Record<string, unknown>[]
      >;
    },
    async close() {
      await runtime.close();
      await spicedb?.stop();
      await postgres?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
