import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServiceKey, revokeServiceKey } from "../../src/auth/service-keys.js";
import { type Harness, startHarness } from "./harness.js";

interface CheckBody {
  allowed: boolean;
  permissionship: string;
  subject: string;
  checkedAt?: string;
  missingContext?: string[];
  explain?: { check: string; result: string; children?: unknown[] };
  code?: string;
  field?: string;
  detail?: string;
}

describe("the check API", () => {
  let h: Harness;
  let owner: Awaited<ReturnType<Harness["signUp"]>>;
  let member: Awaited<ReturnType<Harness["join"]>>;
  let tenantId: string;
  let memberAccount: string;
  let serviceToken: string;

  const check = async (token: string, json: Record<string, unknown>) => {
    const response = await h.request("/v1/check", { method: "POST", token, json });
    return {
      status: response.status,
      body: (await response.json()) as CheckBody,
      headers: response.headers,
    };
  };

  beforeAll(async () => {
    h = await startHarness();
    owner = await h.signUp("owner");
    ({ tenantId } = await h.createTenant(owner.token, "Checks"));
    member = await h.join(owner.token, tenantId, "member", "member");
    memberAccount = member.accountId;
    await h.write(
      `project:open#tenant@tenant:${tenantId}`,
      `project:open#viewer@account:${memberAccount}`,
      `project:vpn#tenant@tenant:${tenantId}`,
      `project:vpn#viewer@account:${memberAccount}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`,
      `project:closed#tenant@tenant:${tenantId}`,
    );
    serviceToken = (
      await createServiceKey(
        h.runtime.services.store,
        { name: `svc-${Date.now()}`, scope: "check" },
        Date.now(),
      )
    ).token;
  });
  afterAll(async () => h.close());

  test.each([
    { resource: "project:open", permission: "view", allowed: true },
    { resource: "project:open", permission: "edit", allowed: false },
    { resource: "project:closed", permission: "view", allowed: false },
    { resource: "tenant:TENANT", permission: "membership", allowed: true },
    { resource: "tenant:TENANT", permission: "manage", allowed: false },
  ])("member: $permission on $resource → $allowed", async ({ resource, permission, allowed }) => {
    const { status, body } = await check(member.token, {
      resource: resource.replace("TENANT", tenantId),
      permission,
    });
    expect(status).toBe(200);
    expect(body.allowed).toBe(allowed);
    expect(body.subject).toBe(`account:${memberAccount}`);
    expect(body.checkedAt).toBeTruthy();
  });

  test("a service key asks for an end user's session", async () => {
    const { status, body } = await check(serviceToken, {
      resource: "project:open",
      permission: "view",
      sessionToken: member.token,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ allowed: true, subject: `account:${memberAccount}` });
  });

  test("a service key asks for an explicit subject", async () => {
    const { body } = await check(serviceToken, {
      resource: "project:open",
      permission: "view",
      subject: `account:${memberAccount}`,
    });
    expect(body.allowed).toBe(true);
    const other = await check(serviceToken, {
      resource: "project:open",
      permission: "view",
      subject: "account:nobody",
    });
    expect(other.body.allowed).toBe(false);
  });

  test("a user may not name a subject; a service key must name one", async () => {
    expect(
      (
        await check(member.token, {
          resource: "project:open",
          permission: "view",
          subject: "account:x",
        })
      ).status,
    ).toBe(403);
    const nothing = await check(serviceToken, { resource: "project:open", permission: "view" });
    expect(nothing.status).toBe(400);
  });

  test("a revoked or forged service key is refused with 401", async () => {
    const { token, key } = await createServiceKey(
      h.runtime.services.store,
      { name: `doomed-${Date.now()}`, scope: "check" },
      Date.now(),
    );
    expect(
      (await check(token, { resource: "project:open", permission: "view", subject: "account:a" }))
        .status,
    ).toBe(200);
    await revokeServiceKey(h.runtime.services.store, { id: key.id }, Date.now());
    expect(
      (await check(token, { resource: "project:open", permission: "view", subject: "account:a" }))
        .status,
    ).toBe(401);
    expect(
      (
        await check(`${token.split(".")[0]}.forged`, {
          resource: "project:open",
          permission: "view",
          subject: "account:a",
        })
      ).status,
    ).toBe(401);
  });

  test("bulk checks answer each item in order", async () => {
    // A service asking for its end user passes that user's address (a session's own claim is
    // ignored: check.security.test.ts).
    const response = await h.request("/v1/check/bulk", {
      method: "POST",
      token: serviceToken,
      json: {
        sessionToken: member.token,
        items: [
          { resource: "project:open", permission: "view" },
          { resource: "project:open", permission: "edit" },
          { resource: "project:closed", permission: "view" },
          { resource: "project:vpn", permission: "view", context: { client_ip: "10.1.2.3" } },
        ],
      },
    });
    const body = (await response.json()) as { results: { allowed: boolean }[] };
    expect(body.results.map((r) => r.allowed)).toEqual([true, false, false, true]);
  });

  test("a caveat without context is conditional and names what is missing; with context it decides", async () => {
    const missing = await check(member.token, { resource: "project:vpn", permission: "view" });
    expect(missing.body).toMatchObject({ allowed: false, permissionship: "conditional" });
    expect(missing.body.missingContext).toContain("client_ip");
    const inside = await check(serviceToken, {
      sessionToken: member.token,
      resource: "project:vpn",
      permission: "view",
      context: { client_ip: "10.9.9.9" },
    });
    expect(inside.body).toMatchObject({ allowed: true, permissionship: "has_permission" });
    const outside = await check(serviceToken, {
      sessionToken: member.token,
      resource: "project:vpn",
      permission: "view",
      context: { client_ip: "192.168.1.1" },
    });
    expect(outside.body).toMatchObject({ allowed: false, permissionship: "no_permission" });
  });

  test("explain shows the path that granted access", async () => {
    const { body } = await check(member.token, {
      resource: "project:open",
      permission: "view",
      explain: true,
    });
    expect(body.explain?.check).toBe(`project:open#view@account:${memberAccount}`);
    expect(body.explain?.result).toBe("has_permission");
    expect(JSON.stringify(body.explain)).toContain(`project:open#viewer@account:${memberAccount}`);
    // The trimmed path holds no branch that failed.
    expect(JSON.stringify(body.explain)).not.toContain("no_permission");
  });

  test("unknown types and permissions are 400 problems naming them, not 500", async () => {
    const type = await check(member.token, { resource: "spaceship:x", permission: "view" });
    expect(type.status).toBe(400);
    expect(type.body.detail).toContain("spaceship");
    const permission = await check(member.token, { resource: "project:open", permission: "fly" });
    expect(permission.status).toBe(400);
    expect(permission.body.detail).toContain("fly");
    const malformed = await check(member.token, { resource: "no colon", permission: "view" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe("resource");
    const missing = await check(member.token, { permission: "view" });
    expect(missing.body.field).toBe("resource");
  });

  test("consistency modes are accepted", async () => {
    for (const consistency of ["minimize_latency", "fully_consistent"]) {
      expect(
        (await check(member.token, { resource: "project:open", permission: "view", consistency }))
          .body.allowed,
      ).toBe(true);
    }
    const first = await check(member.token, { resource: "project:open", permission: "view" });
    const fresh = await check(member.token, {
      resource: "project:open",
      permission: "view",
      consistency: { atLeastAsFresh: first.body.checkedAt },
    });
    expect(fresh.body.allowed).toBe(true);
  });

  test("lookup subjects answers those who hold the permission themselves", async () => {
    const response = await h.request("/v1/lookup/subjects", {
      method: "POST",
      token: member.token,
      json: { resource: "project:open", permission: "view", subjectType: "account" },
    });
    const body = (await response.json()) as { subjects: { id: string }[] };
    expect(body.subjects.map((s) => s.id)).toContain(memberAccount);
    const refused = await h.request("/v1/lookup/subjects", {
      method: "POST",
      token: member.token,
      json: { resource: "project:closed", permission: "view", subjectType: "account" },
    });
    expect(refused.status).toBe(403);
  });

  test("revoke, then check at once: never a stale allow", async () => {
    for (let i = 0; i < 30; i++) {
      const project = `project:loop${i}`;
      await h.write(
        `${project}#tenant@tenant:${tenantId}`,
        `${project}#editor@account:${memberAccount}`,
      );
      expect(
        (await check(member.token, { resource: project, permission: "edit" })).body.allowed,
      ).toBe(true);
      const removed = await h.request("/v1/relationships", {
        method: "DELETE",
        token: owner.token,
        json: { filter: { resourceType: "project", resourceId: `loop${i}`, relation: "editor" } },
      });
      expect(removed.status).toBe(200);
      const after = await check(member.token, { resource: project, permission: "edit" });
      expect(after.body.allowed).toBe(false);
    }
  });
});

describe("when the engine is down", () => {
  test("checks answer 503 with Retry-After, never allowed", async () => {
    const h = await startHarness();
    const user = await h.signUp();
    await h.request("/v1/tenants", { method: "POST", token: user.token, json: { name: "Down" } });
    await h.runtime.services.engine.close();
    const response = await h.request("/v1/check", {
      method: "POST",
      token: user.token,
      json: { resource: "project:p", permission: "view" },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBeTruthy();
    const body = (await response.json()) as { allowed?: boolean; code: string };
    expect(body.allowed).toBeUndefined();
    expect(body.code).toBe("engine_unavailable");
    const ready = await h.request("/readyz");
    expect(ready.status).toBe(503);
    await h.close();
  });
});
