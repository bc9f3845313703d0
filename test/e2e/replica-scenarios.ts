import { expect } from "vitest";
import type { RunningServer } from "../support/processes.js";

/**
 * What two tenantgate replicas sharing one Postgres and one SpiceDB must agree on, written once
 * for every SpiceDB they may share: the development server (test/e2e/replicas.test.ts) and real
 * SpiceDB on Postgres (test/spicedb/replicas.test.ts).
 */

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One JSON request to a running server, with the session token as a bearer token. */
export async function call(
  server: RunningServer,
  path: string,
  token: string | undefined,
  body?: unknown,
  method = body ? "POST" : "GET",
): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Answer["body"] };
}

let users = 0;

/** Signs a new user up through `server`; their email and session token. */
export async function signUp(
  server: RunningServer,
  label: string,
): Promise<{ email: string; token: string }> {
  const email = `${label}-${process.pid}-${++users}-${Date.now()}@example.com`;
  const answer = await call(server, "/v1/auth/signup", undefined, {
    email,
    password: "replica password 1",
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return { email, token: (answer.body.session as { token: string }).token };
}

/** A tenant created through `server` by a new owner, with a project linked to it. */
export async function tenantWithProject(server: RunningServer, label: string) {
  const { token: ownerToken } = await signUp(server, `${label}-owner`);
  const created = await call(server, "/v1/tenants", ownerToken, { name: label });
  expect(created.status).toBe(201);
  const tenantId = (created.body.tenant as { id: string }).id;
  const project = `${label}_${tenantId}`;
  const linked = await call(server, "/v1/relationships", ownerToken, {
    updates: [{ operation: "touch", relationship: `project:${project}#tenant@tenant:${tenantId}` }],
  });
  expect(linked.status, JSON.stringify(linked.body)).toBe(200);
  return { ownerToken, tenantId, project };
}

/** A new user invited (through `inviteVia`) into the tenant as a member, who accepted (through `acceptVia`). */
export async function joinTenant(
  inviteVia: RunningServer,
  acceptVia: RunningServer,
  ownerToken: string,
  tenantId: string,
  label: string,
): Promise<{ token: string; accountId: string }> {
  const { email, token } = await signUp(acceptVia, label);
  const invitation = await call(inviteVia, `/v1/tenants/${tenantId}/invitations`, ownerToken, {
    email,
    role: "member",
  });
  expect(invitation.status).toBe(201);
  const accepted = await call(acceptVia, "/v1/invitations/accept", token, {
    token: (invitation.body.invitation as { token: string }).token,
  });
  expect(accepted.status).toBe(200);
  return { token, accountId: (accepted.body.account as { id: string }).id };
}

/** Sessions, tenant switching and sign-out made through one replica hold on the other. */
export async function sessionsAcrossReplicas(a: RunningServer, b: RunningServer): Promise<void> {
  const { token } = await signUp(a, "r");
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
}

/** Members removed through one replica are refused by the other on the very next check. */
export async function removalAcrossReplicas(
  a: RunningServer,
  b: RunningServer,
  rounds: number,
): Promise<void> {
  const { ownerToken, tenantId, project } = await tenantWithProject(a, "shared");
  for (let round = 0; round < rounds; round++) {
    const member = await joinTenant(a, b, ownerToken, tenantId, `m${round}`);
    await call(a, "/v1/relationships", ownerToken, {
      updates: [
        {
          operation: "touch",
          relationship: `project:${project}#viewer@account:${member.accountId}`,
        },
      ],
    });

    const before = await call(b, "/v1/check", member.token, {
      resource: `project:${project}`,
      permission: "view",
    });
    expect(before.body.allowed).toBe(true);
    expect(
      (
        await call(
          a,
          `/v1/tenants/${tenantId}/members/${member.accountId}`,
          ownerToken,
          undefined,
          "DELETE",
        )
      ).status,
    ).toBe(204);
    const after = await call(b, "/v1/check", member.token, {
      resource: `project:${project}`,
      permission: "view",
    });
    expect(after.body.allowed).not.toBe(true);
    expect(after.status).toBe(403);
  }
}
