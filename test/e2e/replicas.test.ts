import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DevServer, startDevServer } from "../support/dev-server.js";
import { createTestDatabase } from "../support/postgres.js";
import { type RunningServer, startServer } from "../support/processes.js";

/**
 * Two tenantgate replicas sharing one Postgres (identity store, freshness tokens) and one SpiceDB
 * endpoint over gRPC (`tenantgate spicedb serve`): what one acknowledges, the other honours at
 * once. Runs in the Postgres project (TEST_STORE=postgres, TEST_DATABASE_URL; .ci/run sets both).
 */
const adminUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(process.env.TEST_STORE !== "postgres" || !adminUrl)("two replicas", () => {
  const dirs: string[] = [];
  let spicedb: DevServer;
  let a: RunningServer;
  let b: RunningServer;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  const call = async (
    server: RunningServer,
    path: string,
    token: string | undefined,
    body?: unknown,
    method = body ? "POST" : "GET",
  ) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    };
  };

  beforeAll(async () => {
    const spicedbDir = mkdtempSync(join(tmpdir(), "tenantgate-replicas-spicedb-"));
    dirs.push(spicedbDir);
    spicedb = await startDevServer({ dataDir: spicedbDir });
    database = await createTestDatabase(adminUrl as string, "replicas");

    const env = (name: string) => {
      const dir = mkdtempSync(join(tmpdir(), `tenantgate-replica-${name}-`));
      dirs.push(dir);
      return {
        DATA_DIR: dir,
        DATABASE_URL: database.url,
        SPICEDB_ENDPOINT: spicedb.endpoint,
        SPICEDB_PRESHARED_KEY: spicedb.presharedKey,
        SPICEDB_INSECURE: "true",
      };
    };
    // One after the other: the first applies migrations and the schema, the second finds them.
    a = await startServer(env("a"));
    b = await startServer(env("b"));
  }, 90_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await spicedb?.stop();
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test("a session made through one replica works through the other; switching is seen by both", async () => {
    const signup = await call(a, "/v1/auth/signup", undefined, {
      email: `r-${Date.now()}@example.com`,
      password: "replica password 1",
    });
    expect(signup.status).toBe(201);
    const token = (signup.body.session as { token: string }).token;
    expect((await call(b, "/v1/session", token)).status).toBe(200);

    const first = await call(a, "/v1/tenants", token, { name: "First" });
    const second = await call(b, "/v1/tenants", token, { name: "Second" });
    const firstId = (first.body.tenant as { id: string }).id;
    const secondId = (second.body.tenant as { id: string }).id;
    // Created through B, so Second is active; switch through A and look through B.
    expect(
      (await call(a, "/v1/session/active-tenant", token, { tenantId: firstId }, "PUT")).status,
    ).toBe(200);
    const seen = await call(b, "/v1/session", token);
    expect((seen.body.activeAccount as { tenantId: string }).tenantId).toBe(firstId);
    expect((seen.body.accounts as unknown[]).length).toBe(2);
    expect(secondId).not.toBe(firstId);

    expect((await call(a, "/v1/auth/logout", token, {})).status).toBe(204);
    expect((await call(b, "/v1/session", token)).status).toBe(401);
  });

  test("a member removed through one replica is refused by the other on the very next check", async () => {
    const owner = await call(a, "/v1/auth/signup", undefined, {
      email: `o-${Date.now()}@example.com`,
      password: "replica password 2",
    });
    const ownerToken = (owner.body.session as { token: string }).token;
    const tenantId = (
      (await call(a, "/v1/tenants", ownerToken, { name: "Shared" })).body.tenant as { id: string }
    ).id;
    await call(a, "/v1/relationships", ownerToken, {
      updates: [{ operation: "touch", relationship: `project:shared#tenant@tenant:${tenantId}` }],
    });

    for (let round = 0; round < 5; round++) {
      const email = `m-${round}-${Date.now()}@example.com`;
      const member = await call(b, "/v1/auth/signup", undefined, {
        email,
        password: "replica password 3",
      });
      const memberToken = (member.body.session as { token: string }).token;
      const invitation = await call(a, `/v1/tenants/${tenantId}/invitations`, ownerToken, {
        email,
        role: "member",
      });
      const accepted = await call(b, "/v1/invitations/accept", memberToken, {
        token: (invitation.body.invitation as { token: string }).token,
      });
      const accountId = (accepted.body.account as { id: string }).id;
      await call(a, "/v1/relationships", ownerToken, {
        updates: [
          { operation: "touch", relationship: `project:shared#viewer@account:${accountId}` },
        ],
      });

      const before = await call(b, "/v1/check", memberToken, {
        resource: "project:shared",
        permission: "view",
      });
      expect(before.body.allowed).toBe(true);
      expect(
        (
          await call(
            a,
            `/v1/tenants/${tenantId}/members/${accountId}`,
            ownerToken,
            undefined,
            "DELETE",
          )
        ).status,
      ).toBe(204);
      const after = await call(b, "/v1/check", memberToken, {
        resource: "project:shared",
        permission: "view",
      });
      expect(after.body.allowed).not.toBe(true);
      expect(after.status).toBe(403);
    }
  });
});
