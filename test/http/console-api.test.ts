import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { csvField } from "../../src/audit/audit-export-format.js";
import { auditRow } from "../../src/audit/audit-record.js";
import { appendAuditRow } from "../../src/audit/store.js";
import { VIEW_AS_TTL_MS } from "../../src/operator/view-as.js";
import { freshId } from "../support/ids.js";
import { type Harness, startHarness, type User } from "./harness.js";

/**
 * The routes the console needs, through the real app: operators and view-as (read-only, audited,
 * bounded in time), questions about a tenant's accounts, bulk invitations, browsing a tenant's
 * relationships, the schema, and the audit log's filters and export. Who may call each route is
 * in cross-tenant-matrix.test.ts; this file checks what the answers say.
 */
let h: Harness;
let owner: User;
let tenantId: string;
let member: User & { accountId: string };
let operator: User;

beforeAll(async () => {
  h = await startHarness({ INVITATION_TTL_SECONDS: "3600" });
  owner = await h.signUp("owner");
  ({ tenantId } = await h.createTenant(owner.token, "Console"));
  member = await h.join(owner.token, tenantId, "member", "member");
  operator = await h.signUp("operator");
  // What `tenantgate user create --operator` stores.
  await h.runtime.services.store
    .updateTable("users")
    .set({ operator: 1 })
    .where("id", "=", operator.userId)
    .execute();
});
afterAll(async () => h.close());

const json = async (response: Response) => {
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
};

describe("operators", () => {
  test("GET /v1/session says who is an operator", async () => {
    expect(
      (await json(await h.request("/v1/session", { token: operator.token }))).body,
    ).toMatchObject({ operator: true, viewAs: null });
    expect((await json(await h.request("/v1/session", { token: owner.token }))).body.operator).toBe(
      false,
    );
  });

  test("status, tenants and users, a page at a time", async () => {
    const status = await json(await h.request("/v1/operator/status", { token: operator.token }));
    expect(status.status).toBe(200);
    const { engine, config } = h.runtime.services;
    // The engine the vitest project runs (vitest.config.ts): real SpiceDB or the embedded one.
    const expected = process.env.TEST_ENGINE === "spicedb" ? "remote" : "embedded";
    expect(engine.kind).toBe(expected);
    expect(status.body.engine).toMatchObject({ kind: expected, ready: true });
    expect(status.body.store).toMatchObject({
      kind: config.DATABASE_URL ? "postgres" : "sqlite",
      ready: true,
    });
    expect(status.body.counts.tenants).toBeGreaterThanOrEqual(1);
    expect(status.body.metrics.map((m: { name: string }) => m.name)).toContain(
      "tenantgate_http_requests_total",
    );
    const first = await json(
      await h.request("/v1/operator/users?limit=1", { token: operator.token }),
    );
    expect(first.body.users).toHaveLength(1);
    const second = await json(
      await h.request(`/v1/operator/users?limit=1&cursor=${first.body.nextCursor}`, {
        token: operator.token,
      }),
    );
    expect(second.body.users[0].id > first.body.users[0].id).toBe(true);
    const tenants = await json(await h.request("/v1/operator/tenants", { token: operator.token }));
    expect(tenants.body.tenants).toContainEqual(
      expect.objectContaining({ id: tenantId, name: "Console", accounts: 2 }),
    );
  });

  test("a service key's token is in the creating answer only; revoking is audited", async () => {
    const created = await json(
      await h.request("/v1/operator/service-keys", {
        method: "POST",
        token: operator.token,
        json: { name: freshId("svc"), scope: "write" },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^tgs_/);
    const listed = await h.request("/v1/operator/service-keys", { token: operator.token });
    const text = await listed.text();
    expect(text).toContain(created.body.serviceKey.id);
    expect(text).not.toContain(created.body.token);
    const revoked = await h.request(`/v1/operator/service-keys/${created.body.serviceKey.id}`, {
      method: "DELETE",
      token: operator.token,
    });
    expect(revoked.status).toBe(204);
    const again = await h.request(`/v1/operator/service-keys/${created.body.serviceKey.id}`, {
      method: "DELETE",
      token: operator.token,
    });
    expect(again.status).toBe(404);
    const actions = (await h.rows("audit_log")).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["service_key.create", "service_key.revoke"]));
  });
});

describe("view as", () => {
  async function startViewing(accountId: string) {
    const started = await json(
      await h.request("/v1/operator/view-as", {
        method: "POST",
        token: operator.token,
        json: { accountId, reason: "ticket 7: member cannot see project" },
      }),
    );
    expect(started.status).toBe(201);
    return started.body.viewAs.id as string;
  }
  const as = (viewAs: string, token = operator.token) => ({
    token,
    headers: { "x-view-as": viewAs },
  });

  test("answers as the viewed account would be answered, and is in the tenant's audit log", async () => {
    const viewAs = await startViewing(member.accountId);
    const session = await json(await h.request("/v1/session", as(viewAs)));
    expect(session.body.user.id).toBe(member.userId);
    expect(session.body.activeAccount).toEqual({ id: member.accountId, tenantId });
    expect(session.body.viewAs).toMatchObject({
      id: viewAs,
      reason: expect.stringContaining("ticket 7"),
    });
    expect(session.body.operator).toBe(false);
    // A member may list members but not invitations: so may the view.
    expect((await h.request(`/v1/tenants/${tenantId}/members`, as(viewAs))).status).toBe(200);
    expect((await h.request(`/v1/tenants/${tenantId}/invitations`, as(viewAs))).status).toBe(403);
    // Operator pages are not the viewed account's.
    expect((await h.request("/v1/operator/status", as(viewAs))).status).toBe(403);
    const audit = await json(
      await h.request(`/v1/tenants/${tenantId}/audit?order=desc&limit=5`, { token: owner.token }),
    );
    expect(audit.body.entries[0]).toMatchObject({
      action: "operator.view_as",
      actor: { type: "operator", id: operator.userId },
      updates: { viewAs: { id: viewAs, accountId: member.accountId } },
    });
  });

  test("is read-only: questions are answered, every change is refused", async () => {
    const viewAs = await startViewing(member.accountId);
    const question = await h.request(`/v1/tenants/${tenantId}/check`, {
      method: "POST",
      ...as(viewAs),
      json: { resource: "project:nothing", permission: "view" },
    });
    expect(question.status).toBe(200);
    for (const [method, path, body] of [
      ["POST", "/v1/tenants", { name: "Sneaky" }],
      ["PUT", "/v1/session/active-tenant", { tenantId }],
      ["DELETE", "/v1/sessions", undefined],
      ["POST", "/v1/auth/logout", undefined],
      ["POST", "/v1/relationships", { updates: [] }],
    ] as const) {
      const response = await json(
        await h.request(path, { method, ...as(viewAs), ...(body ? { json: body } : {}) }),
      );
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body.code).toBe("view_as_read_only");
    }
    // The operator's own session survived all of it.
    expect((await h.request("/v1/session", { token: operator.token })).status).toBe(200);
  });

  test("shows the viewed account's tenant only, not the person's other tenants", async () => {
    // The member also belongs to a second tenant, whose admins never saw an audit entry.
    const other = await h.createTenant(owner.token, "Elsewhere");
    const invited = await json(
      await h.request(`/v1/tenants/${other.tenantId}/invitations`, {
        method: "POST",
        token: owner.token,
        json: { email: member.email, role: "admin" },
      }),
    );
    const accepted = await h.request("/v1/invitations/accept", {
      method: "POST",
      token: member.token,
      json: { token: invited.body.invitation.token },
    });
    expect(accepted.status).toBe(200);
    const viewAs = await startViewing(member.accountId);
    for (const [method, path, body] of [
      ["GET", `/v1/tenants/${other.tenantId}/members`, undefined],
      ["GET", `/v1/tenants/${other.tenantId}/audit`, undefined],
      ["GET", `/v1/tenants/${other.tenantId}/permissions`, undefined],
      ["GET", `/v1/tenants/${other.tenantId}/roles`, undefined],
      ["GET", `/v1/tenants/${other.tenantId}/relationships?resourceType=project`, undefined],
      [
        "POST",
        "/v1/lookup/resources",
        { tenantId: other.tenantId, resourceType: "project", permission: "view" },
      ],
      [
        "POST",
        `/v1/tenants/${other.tenantId}/check`,
        { resource: "project:x", permission: "view" },
      ],
      [
        "POST",
        "/v1/check",
        { tenantId: other.tenantId, resource: "project:x", permission: "view" },
      ],
    ] as const) {
      const response = await json(
        await h.request(path, { method, ...as(viewAs), ...(body ? { json: body } : {}) }),
      );
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body.code, `${method} ${path}`).toBe("view_as_other_tenant");
    }
    expect((await h.request(`/v1/tenants/${tenantId}/members`, as(viewAs))).status).toBe(200);
  });

  test("belongs to its operator, ends when ended, and lapses after an hour", async () => {
    const viewAs = await startViewing(member.accountId);
    const stolen = await json(await h.request("/v1/session", as(viewAs, owner.token)));
    expect(stolen.status).toBe(403);
    expect(stolen.body.code).toBe("operator_only");
    const ended = await h.request(`/v1/operator/view-as/${viewAs}`, {
      method: "DELETE",
      token: operator.token,
    });
    expect(ended.status).toBe(204);
    expect((await json(await h.request("/v1/session", as(viewAs)))).body.code).toBe(
      "view_as_ended",
    );
    const later = await startViewing(member.accountId);
    h.now.ms += VIEW_AS_TTL_MS + 1;
    try {
      expect((await json(await h.request("/v1/session", as(later)))).body.code).toBe(
        "view_as_ended",
      );
    } finally {
      h.now.ms -= VIEW_AS_TTL_MS + 1;
    }
  });
});

describe("questions about the tenant's accounts", () => {
  test("managers ask about anyone in the tenant with a trace; members about themselves only", async () => {
    const project = freshId("p");
    await h.write(
      `project:${project}#tenant@tenant:${tenantId}`,
      `project:${project}#viewer@account:${member.accountId}`,
    );
    const asked = await json(
      await h.request(`/v1/tenants/${tenantId}/check`, {
        method: "POST",
        token: owner.token,
        json: {
          accountId: member.accountId,
          resource: `project:${project}`,
          permission: "view",
          explain: true,
        },
      }),
    );
    expect(asked.body).toMatchObject({
      allowed: true,
      subject: `account:${member.accountId}`,
      explain: { result: "has_permission" },
    });
    const edit = await json(
      await h.request(`/v1/tenants/${tenantId}/check`, {
        method: "POST",
        token: member.token,
        json: { resource: `project:${project}`, permission: "edit" },
      }),
    );
    expect(edit.body.allowed).toBe(false);
    const nosy = await json(
      await h.request(`/v1/tenants/${tenantId}/check`, {
        method: "POST",
        token: member.token,
        json: { accountId: freshId("acc"), resource: `project:${project}`, permission: "view" },
      }),
    );
    expect(nosy.status).toBe(403);
    const stranger = await json(
      await h.request(`/v1/tenants/${tenantId}/check`, {
        method: "POST",
        token: owner.token,
        json: { accountId: freshId("acc"), resource: `project:${project}`, permission: "view" },
      }),
    );
    expect(stranger.status).toBe(404);
  });
});

describe("the tenant's data", () => {
  test("bulk invitations answer row by row", async () => {
    const fresh = `${freshId("bulk")}@example.com`;
    const answer = await json(
      await h.request(`/v1/tenants/${tenantId}/invitations/bulk`, {
        method: "POST",
        token: owner.token,
        json: {
          invitations: [
            { email: fresh, role: "member" },
            { email: "no address", role: "member" },
            { email: member.email, role: "member" },
            { email: `${freshId("x")}@example.com`, role: "emperor" },
            { email: fresh.toUpperCase(), role: "admin" },
          ],
        },
      }),
    );
    expect(answer.body.results.map((r: { status: string }) => r.status)).toEqual([
      "invited",
      "invalid",
      "already_member",
      "invalid",
      "invalid",
    ]);
    expect(answer.body.results[0].invitation.token).toMatch(/^tgi_/);
  });

  test("bulk invitations: a row the inviter may not make is refused, the others are made", async () => {
    const admin = await h.join(owner.token, tenantId, "admin", "bulk-admin");
    const answer = await json(
      await h.request(`/v1/tenants/${tenantId}/invitations/bulk`, {
        method: "POST",
        token: admin.token,
        json: {
          invitations: [
            { email: `${freshId("o")}@example.com`, role: "owner" },
            { email: `${freshId("m")}@example.com`, role: "member" },
            { email: `${freshId("o")}@example.com`, role: "owner" },
          ],
        },
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.results.map((r: { status: string }) => r.status)).toEqual([
      "refused",
      "invited",
      "refused",
    ]);
    expect(answer.body.results[0].detail).toContain("manage_owners");
    const pending = await json(
      await h.request(`/v1/tenants/${tenantId}/invitations`, { token: owner.token }),
    );
    const roles = pending.body.invitations
      .filter((i: { email: string }) =>
        answer.body.results.some((r: { email: string }) => r.email === i.email),
      )
      .map((i: { role: string }) => i.role);
    expect(roles).toEqual(["member"]);
  });

  test("browsing relationships by type pages across objects, marks the core, refuses types outside tenants", async () => {
    const ids = [freshId("b"), freshId("b"), freshId("b")].sort();
    await h.write(
      ...ids.flatMap((id) => [
        `project:${id}#tenant@tenant:${tenantId}`,
        `project:${id}#viewer@account:${member.accountId}`,
      ]),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      pages++;
      const page = await json(
        await h.request(
          `/v1/tenants/${tenantId}/relationships?resourceType=project&resourceIdPrefix=b_&limit=4${cursor ? `&cursor=${cursor}` : ""}`,
          { token: owner.token },
        ),
      );
      expect(page.status).toBe(200);
      expect(page.body.relationships.length).toBeLessThanOrEqual(4);
      seen.push(...page.body.relationships.map((r: { relationship: string }) => r.relationship));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    const tenantRows = await json(
      await h.request(`/v1/tenants/${tenantId}/relationships?resourceType=tenant`, {
        token: owner.token,
      }),
    );
    expect(tenantRows.body.relationships).toContainEqual({
      relationship: `tenant:${tenantId}#member@account:${member.accountId}`,
      core: true,
    });
    const users = await json(
      await h.request(`/v1/tenants/${tenantId}/relationships?resourceType=user`, {
        token: owner.token,
      }),
    );
    expect(users.status).toBe(400);
    expect(users.body.field).toBe("resourceType");
    const exported = await h.request(`/v1/tenants/${tenantId}/relationships/export`, {
      token: owner.token,
    });
    const lines = (await exported.text()).trim().split("\n");
    expect(lines).toEqual(expect.arrayContaining(seen));
    expect(lines.every((l) => !l.includes("@tenant:") || l.includes(tenantId))).toBe(true);
  });

  test("the schema, with its doc comments and what each permission is made of", async () => {
    const schema = await json(await h.request("/v1/schema", { token: member.token }));
    const project = schema.body.definitions.find((d: { name: string }) => d.name === "project");
    expect(project.doc).toContain("example domain");
    expect(project.permissions).toContainEqual({
      name: "edit",
      doc: "edit: change the project; implies view.",
      expression: expect.stringContaining("editor"),
    });
    expect(project.relations).toContainEqual(
      expect.objectContaining({
        name: "editor",
        subjects: expect.arrayContaining(["role#assignee"]),
      }),
    );
    expect(schema.body.caveats[0]).toMatchObject({ name: "on_network" });
    expect((await h.request("/v1/schema")).status).toBe(401);
  });

  test("the audit log filters by actor, object and time, newest first, and exports CSV and JSON lines", async () => {
    const project = freshId("audited");
    const write = (relationship: string) =>
      h.request("/v1/relationships", {
        method: "POST",
        token: owner.token,
        json: { tenantId, updates: [{ operation: "touch", relationship }] },
      });
    const before = new Date(h.now.ms).toISOString();
    await write(`project:${project}#tenant@tenant:${tenantId}`);
    await write(`project:${project}#viewer@account:${member.accountId}`);
    const query = `object=project:${project}&actor=${owner.userId}&since=${before}`;
    const newest = await json(
      await h.request(`/v1/tenants/${tenantId}/audit?order=desc&${query}`, { token: owner.token }),
    );
    expect(
      newest.body.entries.map(
        (e: { updates: { relationship: string }[] }) => e.updates[0]?.relationship,
      ),
    ).toEqual([
      `project:${project}#viewer@account:${member.accountId}`,
      `project:${project}#tenant@tenant:${tenantId}`,
    ]);
    const nobody = await json(
      await h.request(
        `/v1/tenants/${tenantId}/audit?object=project:${project}&actor=${member.accountId}`,
        {
          token: owner.token,
        },
      ),
    );
    expect(nobody.body.entries).toEqual([]);
    const beforeAll = await json(
      await h.request(`/v1/tenants/${tenantId}/audit?object=project:${project}&until=${before}`, {
        token: owner.token,
      }),
    );
    expect(beforeAll.body.entries).toEqual([]);
    const csv = await h.request(`/v1/tenants/${tenantId}/audit/export?format=csv&${query}`, {
      token: owner.token,
    });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const rows = (await csv.text()).trim().split("\r\n");
    expect(rows).toHaveLength(3);
    const jsonl = await h.request(`/v1/tenants/${tenantId}/audit/export?format=jsonl&${query}`, {
      token: owner.token,
    });
    const entries = (await jsonl.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entries.map((e) => e.action)).toEqual(["relationships.write", "relationships.write"]);
    const refused = await h.request(`/v1/tenants/${tenantId}/audit/export`, {
      token: member.token,
    });
    expect(refused.status).toBe(403);
  });

  test("an export of thousands of entries is every entry once, oldest first, across pages and chunks", async () => {
    const { tenantId: big } = await h.createTenant(owner.token, "Big log");
    const { store } = h.runtime.services;
    const count = 2_500;
    for (let i = 0; i < count; i++) {
      await appendAuditRow(
        store,
        auditRow(
          {
            tenantId: big,
            actorType: "user",
            actorId: owner.userId,
            accountId: null,
            ip: null,
            action: "bench.entry",
            at: 1_700_000_000_000 + i,
          },
          { n: i, padding: "x".repeat(100) },
          undefined,
        ),
      );
    }
    const exported = await h.request(`/v1/tenants/${big}/audit/export?format=jsonl`, {
      token: owner.token,
    });
    expect(exported.status).toBe(200);
    const numbers = (await exported.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e) => e.action === "bench.entry")
      .map((e) => e.updates.n);
    expect(numbers).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  test("CSV fields are quoted, and never start a spreadsheet formula", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField(null)).toBe("");
  });

  test("the tenancy vocabulary and the caller's own permissions on the tenant", async () => {
    expect((await json(await h.request("/v1/tenancy"))).status).toBe(401);
    expect(
      (await json(await h.request("/v1/tenancy", { token: member.token }))).body,
    ).toMatchObject({
      roles: ["owner", "admin", "member"],
      // The console shows a control when the account holds the permission behind it.
      permissions: {
        viewMembers: "view_members",
        readAudit: "view_audit",
        invite: "manage_members",
        manageRole: { owner: "manage_owners", admin: "manage_members", member: "manage_members" },
      },
    });
    const mine = await json(
      await h.request(`/v1/tenants/${tenantId}/permissions`, { token: member.token }),
    );
    expect(mine.body).toMatchObject({
      accountId: member.accountId,
      roles: ["member"],
      permissions: { membership: true, view_members: true, manage_members: false, manage: false },
    });
  });
});
