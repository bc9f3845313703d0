import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.js";

/**
 * The product's central promise: Bob signs in once, belongs to tenants A and B with one account
 * in each, and what his account may do in A never shows through B (and the reverse).
 */
describe("login once, one account per tenant", () => {
  let h: Harness;
  let alice: Awaited<ReturnType<Harness["signUp"]>>;
  let carol: Awaited<ReturnType<Harness["signUp"]>>;
  let bob: Awaited<ReturnType<Harness["signUp"]>>;
  let tenantA: string;
  let tenantB: string;
  let bobA: string;
  let bobB: string;
  let carolB: string;

  const check = async (
    token: string,
    resource: string,
    permission: string,
    extra: Record<string, unknown> = {},
  ) => {
    const response = await h.request("/v1/check", {
      method: "POST",
      token,
      json: { resource, permission, ...extra },
    });
    return {
      status: response.status,
      body: (await response.json()) as { allowed?: boolean; subject?: string; code?: string },
    };
  };
  const switchTo = async (token: string, tenantId: string) =>
    h.request("/v1/session/active-tenant", { method: "PUT", token, json: { tenantId } });

  async function invite(ownerToken: string, tenantId: string, email: string, role: string) {
    const response = await h.request(`/v1/tenants/${tenantId}/invitations`, {
      method: "POST",
      token: ownerToken,
      json: { email, role },
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { invitation: { token: string } }).invitation.token;
  }

  async function accept(token: string, invitation: string) {
    const response = await h.request("/v1/invitations/accept", {
      method: "POST",
      token,
      json: { token: invitation },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { account: { id: string } }).account.id;
  }

  beforeAll(async () => {
    h = await startHarness();
    [alice, carol, bob] = await Promise.all([
      h.signUp("alice"),
      h.signUp("carol"),
      h.signUp("bob"),
    ]);
    const a = await h.createTenant(alice.token, "Tenant A");
    const b = await h.createTenant(carol.token, "Tenant B");
    tenantA = a.tenantId;
    tenantB = b.tenantId;
    carolB = b.accountId;
    bobA = await accept(bob.token, await invite(alice.token, tenantA, bob.email, "member"));
    bobB = await accept(bob.token, await invite(carol.token, tenantB, bob.email, "member"));
    // In A, a custom role grants edit on A's projects; Bob's account in A holds it.
    await h.write(
      `project:p1#tenant@tenant:${tenantA}`,
      `project:p2#tenant@tenant:${tenantB}`,
      `role:editors_a#tenant@tenant:${tenantA}`,
      `tenant:${tenantA}#role@role:editors_a`,
      "role:editors_a#grant_project_edit@account:*",
      `role:editors_a#assignee@account:${bobA}`,
      // In B, Bob's account may view B's project p2 directly.
      `project:p2#viewer@account:${bobB}`,
    );
  });
  afterAll(async () => h.close());

  test("Bob's session lists both accounts and switching needs no password", async () => {
    const response = await h.request("/v1/session", { token: bob.token });
    const session = (await response.json()) as {
      accounts: { id: string; tenant: { id: string } }[];
    };
    expect(session.accounts.map((a) => a.tenant.id).sort()).toEqual([tenantA, tenantB].sort());
    expect((await switchTo(bob.token, tenantA)).status).toBe(200);
  });

  test("A active: yes; B active: no; A again: yes", async () => {
    expect((await switchTo(bob.token, tenantA)).status).toBe(200);
    expect((await check(bob.token, "project:p1", "edit")).body).toMatchObject({
      allowed: true,
      subject: `account:${bobA}`,
    });

    expect((await switchTo(bob.token, tenantB)).status).toBe(200);
    expect((await check(bob.token, "project:p1", "edit")).body).toMatchObject({
      allowed: false,
      subject: `account:${bobB}`,
    });
    expect((await check(bob.token, "project:p1", "view")).body.allowed).toBe(false);

    expect((await switchTo(bob.token, tenantA)).status).toBe(200);
    expect((await check(bob.token, "project:p1", "edit")).body.allowed).toBe(true);
  });

  test("nothing of A is visible through B, and nothing of B through A", async () => {
    await switchTo(bob.token, tenantB);
    const fromB = await h.request("/v1/lookup/resources", {
      method: "POST",
      token: bob.token,
      json: { resourceType: "project", permission: "view" },
    });
    expect(((await fromB.json()) as { resources: string[] }).resources).toEqual(["p2"]);
    expect((await check(bob.token, "project:p2", "view")).body.allowed).toBe(true);

    await switchTo(bob.token, tenantA);
    const fromA = await h.request("/v1/lookup/resources", {
      method: "POST",
      token: bob.token,
      json: { resourceType: "project", permission: "view" },
    });
    expect(((await fromA.json()) as { resources: string[] }).resources).toEqual(["p1"]);
    expect((await check(bob.token, "project:p2", "view")).body.allowed).toBe(false);
  });

  test("a request may name its tenant: two tabs on two tenants", async () => {
    await switchTo(bob.token, tenantB);
    expect((await check(bob.token, "project:p1", "edit", { tenantId: tenantA })).body.allowed).toBe(
      true,
    );
    const viaHeader = await h.request("/v1/check", {
      method: "POST",
      token: bob.token,
      headers: { "x-tenant-id": tenantA },
      json: { resource: "project:p1", permission: "edit" },
    });
    expect(((await viaHeader.json()) as { allowed: boolean }).allowed).toBe(true);
    expect((await check(bob.token, "project:p1", "edit")).body.allowed).toBe(false);
  });

  test("a grant written by B on A's object gives nothing, to B's accounts or anyone", async () => {
    await h.write(
      `project:p1#editor@account:${carolB}`,
      `project:p1#editor@account:${bobB}`,
      `project:p1#owner@account:${carolB}`,
    );
    expect((await check(carol.token, "project:p1", "edit")).body.allowed).toBe(false);
    expect((await check(carol.token, "project:p1", "view")).body.allowed).toBe(false);
    expect((await check(bob.token, "project:p1", "edit", { tenantId: tenantB })).body.allowed).toBe(
      false,
    );
  });

  test("switching into a tenant without an account is refused, and so is naming one", async () => {
    const outsider = await h.signUp("outsider");
    const refused = await switchTo(outsider.token, tenantA);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("not_a_member");
    const named = await check(outsider.token, "project:p1", "view", { tenantId: tenantA });
    expect(named.status).toBe(403);
  });

  test("removing Bob from A revokes at once: the next check says no and A cannot be switched to", async () => {
    expect((await check(bob.token, "project:p1", "edit", { tenantId: tenantA })).body.allowed).toBe(
      true,
    );
    const removed = await h.request(`/v1/tenants/${tenantA}/members/${bobA}`, {
      method: "DELETE",
      token: alice.token,
    });
    expect(removed.status).toBe(204);
    expect((await check(bob.token, "project:p1", "edit", { tenantId: tenantA })).status).toBe(403);
    expect((await switchTo(bob.token, tenantA)).status).toBe(403);
    expect((await switchTo(bob.token, tenantB)).status).toBe(200);
    expect((await check(bob.token, "project:p2", "view")).body.allowed).toBe(true);
  });
});
