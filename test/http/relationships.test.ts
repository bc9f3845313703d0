import { v1 } from "@authzed/authzed-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServiceKey } from "../../src/auth/service-keys.js";
import { type Harness, startHarness } from "./harness.js";

interface Problem {
  code: string;
  detail: string;
  field?: string;
  permission?: string;
}

describe("relationship editing is tenant-scoped and decided by SpiceDB", () => {
  let h: Harness;
  type Person = { token: string; email: string; account: string };
  let adminA: Person;
  let adminB: Person;
  let memberA: Person;
  let tenantA: string;
  let tenantB: string;
  let writeKey: string;
  let checkKey: string;

  const write = (
    token: string,
    updates: { operation: string; relationship: string }[],
    extra: Record<string, unknown> = {},
  ) => h.request("/v1/relationships", { method: "POST", token, json: { updates, ...extra } });
  const relationshipsOf = async (resource: string) =>
    (
      await h.runtime.services.engine.readRelationships(
        v1.ReadRelationshipsRequest.create({
          relationshipFilter: {
            resourceType: resource.split(":")[0] as string,
            optionalResourceId: resource.split(":")[1] as string,
          },
        }),
      )
    ).map((r) => `${r.relationship?.relation}@${r.relationship?.subject?.object?.objectId}`);
  const auditCount = async () => (await h.rows("audit_log")).length;
  const can = async (token: string, resource: string, permission: string, tenantId: string) => {
    const response = await h.request("/v1/check", {
      method: "POST",
      token,
      json: { resource, permission, tenantId },
    });
    return ((await response.json()) as { allowed: boolean }).allowed;
  };

  beforeAll(async () => {
    h = await startHarness();
    const ownerA = await h.signUp("adminA");
    const ownerB = await h.signUp("adminB");
    const a = await h.createTenant(ownerA.token, "A");
    const b = await h.createTenant(ownerB.token, "B");
    tenantA = a.tenantId;
    tenantB = b.tenantId;
    adminA = { ...ownerA, account: a.accountId };
    adminB = { ...ownerB, account: b.accountId };
    const member = await h.join(adminA.token, tenantA, "member", "memberA");
    memberA = { ...member, account: member.accountId };
    writeKey = (
      await createServiceKey(
        h.runtime.services.store,
        { name: `writer-${Date.now()}`, scope: "write" },
        Date.now(),
      )
    ).token;
    checkKey = (
      await createServiceKey(
        h.runtime.services.store,
        { name: `checker-${Date.now()}`, scope: "check" },
        Date.now(),
      )
    ).token;
    // A's admin links a project to A.
    expect(
      (
        await write(adminA.token, [
          { operation: "touch", relationship: `project:pa#tenant@tenant:${tenantA}` },
        ])
      ).status,
    ).toBe(200);
  });
  afterAll(async () => h.close());

  test("an admin of A grants and revokes in A, and each change is audited", async () => {
    const before = await auditCount();
    expect(
      (
        await write(adminA.token, [
          { operation: "touch", relationship: `project:pa#editor@account:${memberA.account}` },
        ])
      ).status,
    ).toBe(200);
    expect(await can(memberA.token, "project:pa", "edit", tenantA)).toBe(true);
    const listed = (await (
      await h.request(`/v1/relationships?resource=project:pa`, { token: adminA.token })
    ).json()) as { relationships: string[] };
    expect(listed.relationships).toContain(`project:pa#editor@account:${memberA.account}`);
    expect(
      (
        await write(adminA.token, [
          { operation: "delete", relationship: `project:pa#editor@account:${memberA.account}` },
        ])
      ).status,
    ).toBe(200);
    expect(await can(memberA.token, "project:pa", "edit", tenantA)).toBe(false);
    expect(await auditCount()).toBe(before + 2);
    const audit = (await (
      await h.request(`/v1/tenants/${tenantA}/audit`, { token: adminA.token })
    ).json()) as {
      entries: {
        action: string;
        actor: { accountId: string };
        updates: { relationship: string }[];
        zedtoken: string;
      }[];
    };
    const last = audit.entries.at(-1);
    expect(last?.action).toBe("relationships.write");
    expect(last?.actor.accountId).toBe(adminA.account);
    expect(last?.updates[0]?.relationship).toBe(`project:pa#editor@account:${memberA.account}`);
    expect(last?.zedtoken).toBeTruthy();
  });

  test.each([
    {
      name: "grant on A's object",
      relationship: () => `project:pa#viewer@account:${adminB.account}`,
      code: "permission_denied",
    },
    {
      name: "link A's object to B",
      relationship: () => `project:pa#tenant@tenant:${tenantB}`,
      code: "belongs_to_other_tenant",
    },
    {
      name: "link a new object to A",
      relationship: () => `project:new_in_a#tenant@tenant:${tenantA}`,
      code: "cross_tenant",
    },
  ])("B's admin is refused: $name", async ({ relationship, code }) => {
    const before = await auditCount();
    const response = await write(adminB.token, [
      { operation: "touch", relationship: relationship() },
    ]);
    expect(response.status).toBe(403);
    expect(((await response.json()) as Problem).code).toBe(code);
    expect(await relationshipsOf("project:pa")).toEqual([`tenant@${tenantA}`]);
    expect(await auditCount()).toBe(before);
  });

  test("A's object cannot be granted to a B account, even by A's admin", async () => {
    const response = await write(adminA.token, [
      { operation: "touch", relationship: `project:pa#viewer@account:${adminB.account}` },
    ]);
    expect(response.status).toBe(403);
    const problem = (await response.json()) as Problem;
    expect(problem.code).toBe("cross_tenant");
    expect(problem.field).toBe("updates.0");
  });

  test("B's project cannot be claimed by A once linked to B, atomically", async () => {
    expect(
      (
        await write(adminB.token, [
          { operation: "create", relationship: `project:pb#tenant@tenant:${tenantB}` },
        ])
      ).status,
    ).toBe(200);
    const claim = await write(adminA.token, [
      { operation: "touch", relationship: `project:pb#tenant@tenant:${tenantA}` },
    ]);
    expect(claim.status).toBe(403);
    const race = await Promise.all([
      write(adminA.token, [
        { operation: "touch", relationship: `project:contested#tenant@tenant:${tenantA}` },
      ]),
      write(adminB.token, [
        { operation: "touch", relationship: `project:contested#tenant@tenant:${tenantB}` },
      ]),
    ]);
    expect(race.filter((r) => r.status === 200)).toHaveLength(1);
    expect(await relationshipsOf("project:contested")).toHaveLength(1);
  });

  test("a member (not admin) cannot write", async () => {
    const response = await write(memberA.token, [
      { operation: "touch", relationship: `project:pa#viewer@account:${memberA.account}` },
    ]);
    expect(response.status).toBe(403);
    expect(((await response.json()) as Problem).permission).toBe("manage");
  });

  test("a write service key can, for the tenant it names; a check key cannot", async () => {
    const ok = await write(
      writeKey,
      [{ operation: "touch", relationship: `project:pa#viewer@account:${memberA.account}` }],
      { tenantId: tenantA },
    );
    expect(ok.status).toBe(200);
    const audit = (await h.rows("audit_log"))
      .sort((a, b) => String(a.id).localeCompare(String(b.id)))
      .at(-1);
    expect(audit?.actor_type).toBe("service");
    const foreign = await write(
      writeKey,
      [{ operation: "touch", relationship: `project:pb#viewer@account:${memberA.account}` }],
      { tenantId: tenantA },
    );
    expect(foreign.status).toBe(403);
    const check = await write(
      checkKey,
      [{ operation: "touch", relationship: `project:pa#viewer@account:${memberA.account}` }],
      { tenantId: tenantA },
    );
    expect(check.status).toBe(403);
    expect(((await check.json()) as Problem).code).toBe("insufficient_scope");
  });

  test("one refused update refuses the whole batch", async () => {
    const response = await write(adminA.token, [
      { operation: "touch", relationship: `project:pa#editor@account:${memberA.account}` },
      { operation: "touch", relationship: `project:pb#editor@account:${memberA.account}` },
    ]);
    expect(response.status).toBe(403);
    expect(((await response.json()) as Problem).field).toBe("updates.1");
    expect(await relationshipsOf("project:pa")).not.toContain(`editor@${memberA.account}`);
  });

  test("the tenancy core is only changed through the membership API", async () => {
    const response = await write(adminA.token, [
      { operation: "touch", relationship: `tenant:${tenantA}#owner@account:${memberA.account}` },
    ]);
    expect(response.status).toBe(403);
    expect(((await response.json()) as Problem).code).toBe("core_relation");
  });

  test("bad relationships are 400s naming the update, never 500s", async () => {
    const cases = [
      "project:pa#editor",
      "Project:pa#editor@account:x",
      "project:pa#nosuchrelation@account:x",
      "project:pa#editor@account:x[broken",
    ];
    for (const relationship of cases) {
      const response = await write(adminA.token, [{ operation: "touch", relationship }]);
      expect([400, 403]).toContain(response.status);
      const problem = (await response.json()) as Problem;
      expect(problem.detail.length).toBeGreaterThan(0);
    }
    const unknownRelation = await write(adminA.token, [
      { operation: "touch", relationship: `project:pa#nosuchrelation@account:${memberA.account}` },
    ]);
    expect(unknownRelation.status).toBe(400);
    expect(((await unknownRelation.json()) as Problem).detail).toContain("nosuchrelation");
  });

  test("a filter delete stays inside the acting tenant", async () => {
    await write(adminA.token, [
      { operation: "touch", relationship: `project:fa#tenant@tenant:${tenantA}` },
      { operation: "touch", relationship: `project:fa#viewer@account:${memberA.account}` },
    ]);
    await write(adminB.token, [
      { operation: "touch", relationship: `project:fb#tenant@tenant:${tenantB}` },
      { operation: "touch", relationship: `project:fb#viewer@account:${adminB.account}` },
    ]);
    const response = await h.request("/v1/relationships", {
      method: "DELETE",
      token: adminA.token,
      json: { filter: { resourceType: "project", relation: "viewer" } },
    });
    expect(response.status).toBe(200);
    expect(await relationshipsOf("project:fa")).toEqual([`tenant@${tenantA}`]);
    expect(await relationshipsOf("project:fb")).toContain(`viewer@${adminB.account}`);
  });

  // Found by `npm run fuzz` (seed 0, input 6428): the refusal named no field.
  test("a filter's malformed subject is a 400 naming filter.subject", async () => {
    const response = await h.request("/v1/relationships", {
      method: "DELETE",
      token: adminA.token,
      json: { filter: { resourceType: "project", subject: "'; DROP TABLE users; --" } },
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as Problem;
    expect(problem.field).toBe("filter.subject");
    expect(problem.detail).toContain("must be type:id");
  });
});

describe("custom roles", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  test("an admin creates a role, assigns it, its grants apply to the tenant's projects, and deleting revokes", async () => {
    const admin = await h.signUp("admin");
    const { tenantId: tenant } = await h.createTenant(admin.token, "Roles");
    const worker = await h.join(admin.token, tenant, "member", "worker");
    const account = worker.accountId;
    await h.request("/v1/relationships", {
      method: "POST",
      token: admin.token,
      json: {
        updates: [{ operation: "touch", relationship: `project:r1#tenant@tenant:${tenant}` }],
      },
    });

    const created = await h.request(`/v1/tenants/${tenant}/roles`, {
      method: "POST",
      token: admin.token,
      json: { name: "Editors", permissions: ["project_edit"] },
    });
    expect(created.status).toBe(201);
    const roleId = ((await created.json()) as { role: { id: string } }).role.id;
    const canEdit = async () =>
      (
        (await (
          await h.request("/v1/check", {
            method: "POST",
            token: worker.token,
            json: { resource: "project:r1", permission: "edit" },
          })
        ).json()) as { allowed: boolean }
      ).allowed;
    expect(await canEdit()).toBe(false);

    expect(
      (
        await h.request(`/v1/tenants/${tenant}/roles/${roleId}/members/${account}`, {
          method: "PUT",
          token: worker.token,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await h.request(`/v1/tenants/${tenant}/roles/${roleId}/members/${account}`, {
          method: "PUT",
          token: admin.token,
        })
      ).status,
    ).toBe(204);
    expect(await canEdit()).toBe(true);

    const roles = (await (
      await h.request(`/v1/tenants/${tenant}/roles`, { token: admin.token })
    ).json()) as { roles: { id: string; permissions: string[]; members: string[] }[] };
    expect(roles.roles).toEqual([
      { id: roleId, name: "Editors", permissions: ["project_edit"], members: [account] },
    ]);

    const bad = await h.request(`/v1/tenants/${tenant}/roles`, {
      method: "POST",
      token: admin.token,
      json: { name: "Bad", permissions: ["launch_rockets"] },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).field).toBe("permissions");

    expect(
      (
        await h.request(`/v1/tenants/${tenant}/roles/${roleId}`, {
          method: "DELETE",
          token: admin.token,
        })
      ).status,
    ).toBe(204);
    expect(await canEdit()).toBe(false);
  });
});
