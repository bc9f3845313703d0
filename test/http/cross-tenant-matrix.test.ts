import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServiceKey } from "../../src/auth/service-keys.js";
import { createUser } from "../../src/auth/sign-in.js";
import { freshId } from "../support/ids.js";
import { type Harness, startHarness, type User } from "./harness.js";

/**
 * Every route × every kind of caller → the status it must answer, for requests about tenant A.
 *
 * The callers: A's owner, an admin and a plain member of A; the owner of another tenant B; a
 * member removed from A (signed in, still holding a session); an operator of the installation
 * (`user create --operator`, in no tenant: running the installation gives no power inside one);
 * a service key with scope check and one with scope write. The table is checked against the app's own route list, so a route added
 * without a row here fails this test: deciding who may call it is part of adding it.
 */
type Caller =
  | "owner"
  | "admin"
  | "member"
  | "outsider"
  | "removed"
  | "operator"
  | "checkKey"
  | "writeKey";
const CALLERS: Caller[] = [
  "owner",
  "admin",
  "member",
  "outsider",
  "removed",
  "operator",
  "checkKey",
  "writeKey",
];
type Expected = Record<Caller, number>;

interface Fixtures {
  h: Harness;
  tenantA: string;
  project: string;
  roleId: string;
  owner: User & { accountId: string };
  memberA: User & { accountId: string };
  /** A member of A made for this one request (to be changed or removed). */
  freshMember(): Promise<User & { accountId: string }>;
  freshInvitation(email?: string): Promise<{ id: string; token: string }>;
  freshRole(): Promise<string>;
  /** A new session of A's owner. */
  ownerSession(): Promise<string>;
}

interface Call {
  method: string;
  path: string;
  json?: unknown;
  /** For the owner's own session-ending calls: which session is meant. */
  asCaller?: (token: string) => Promise<Partial<Call>>;
}

interface Row {
  call: (f: Fixtures) => Promise<Call> | Call;
  expected: Expected;
  /** For questions: what `allowed` must say to each caller that gets a 200. */
  allowed?: Partial<Record<Caller, boolean>>;
}

const row = (
  users: Partial<Record<Exclude<Caller, "checkKey" | "writeKey">, number>> & { all?: number },
  keys: { checkKey: number; writeKey: number } | number,
): Expected => ({
  owner: users.owner ?? users.all ?? 0,
  admin: users.admin ?? users.all ?? 0,
  member: users.member ?? users.all ?? 0,
  outsider: users.outsider ?? users.all ?? 0,
  removed: users.removed ?? users.all ?? 0,
  // Unless a row says otherwise, an operator is answered as any user from outside A is.
  operator: users.operator ?? users.outsider ?? users.all ?? 0,
  checkKey: typeof keys === "number" ? keys : keys.checkKey,
  writeKey: typeof keys === "number" ? keys : keys.writeKey,
});
/** A's owner and admins may; its members, outsiders and removed members may not; keys are no users. */
const admins = (ok: number) =>
  row({ owner: ok, admin: ok, member: 403, outsider: 403, removed: 403 }, 401);
/** Any member of A may. */
const members = (ok: number) =>
  row({ owner: ok, admin: ok, member: ok, outsider: 403, removed: 403 }, 401);

/** Operators only. */
const operators = (ok: number) => row({ all: 403, operator: ok }, 401);

const PASSWORD = "correct horse battery staple";

const MATRIX: Record<string, Row> = {
  "GET /healthz": {
    call: () => ({ method: "GET", path: "/healthz" }),
    expected: row({ all: 200 }, 200),
  },
  "GET /readyz": {
    call: () => ({ method: "GET", path: "/readyz" }),
    expected: row({ all: 200 }, 200),
  },
  "GET /metrics": {
    call: () => ({ method: "GET", path: "/metrics" }),
    expected: row({ all: 200 }, 200),
  },
  "GET /openapi.json": {
    call: () => ({ method: "GET", path: "/openapi.json" }),
    expected: row({ all: 200 }, 200),
  },
  "GET /docs": { call: () => ({ method: "GET", path: "/docs" }), expected: row({ all: 200 }, 200) },
  "GET /docs/assets/:file": {
    call: () => ({ method: "GET", path: "/docs/assets/swagger-ui.css" }),
    expected: row({ all: 200 }, 200),
  },
  // The console is a page and its files: the data it shows comes from the routes below.
  "GET /": { call: () => ({ method: "GET", path: "/" }), expected: row({ all: 200 }, 200) },
  "GET /invite/:token": {
    call: () => ({ method: "GET", path: "/invite/tgi_whatever" }),
    expected: row({ all: 200 }, 200),
  },
  "GET /assets/:file": {
    call: () => ({ method: "GET", path: "/assets/console.js" }),
    expected: row({ all: 200 }, 200),
  },

  "POST /v1/auth/signup": {
    call: () => ({
      method: "POST",
      path: "/v1/auth/signup",
      json: { email: `${freshId("new")}@example.com`, password: PASSWORD },
    }),
    expected: row({ all: 201 }, 201),
  },
  "POST /v1/auth/login": {
    call: (f) => ({
      method: "POST",
      path: "/v1/auth/login",
      json: { email: f.memberA.email, password: PASSWORD },
    }),
    expected: row({ all: 200 }, 200),
  },
  "POST /v1/auth/logout": {
    call: () => ({ method: "POST", path: "/v1/auth/logout" }),
    expected: row({ all: 204 }, 204),
  },
  "PUT /v1/auth/password": {
    call: () => ({
      method: "PUT",
      path: "/v1/auth/password",
      json: { currentPassword: PASSWORD, newPassword: PASSWORD },
    }),
    expected: row({ all: 204 }, 401),
  },
  "GET /v1/sessions": {
    call: () => ({ method: "GET", path: "/v1/sessions" }),
    expected: row({ all: 200 }, 401),
  },
  "DELETE /v1/sessions": {
    call: () => ({ method: "DELETE", path: "/v1/sessions" }),
    expected: row({ all: 204 }, 401),
  },
  "DELETE /v1/sessions/:sessionId": {
    // Somebody's session: A's owner's own. Nobody else's sessions can be ended.
    call: async (f) => {
      const login = await f.h.request("/v1/auth/login", {
        method: "POST",
        json: { email: f.owner.email, password: PASSWORD },
      });
      const token = ((await login.json()) as { session: { token: string } }).session.token;
      return { method: "DELETE", path: `/v1/sessions/${token.split(".")[0]}` };
    },
    expected: row({ owner: 204, admin: 404, member: 404, outsider: 404, removed: 404 }, 401),
  },
  "GET /v1/session": {
    call: () => ({ method: "GET", path: "/v1/session" }),
    expected: row({ all: 200 }, 401),
  },
  "PUT /v1/session/active-tenant": {
    call: (f) => ({
      method: "PUT",
      path: "/v1/session/active-tenant",
      json: { tenantId: f.tenantA },
    }),
    expected: members(200),
  },

  "POST /v1/tenants": {
    call: () => ({ method: "POST", path: "/v1/tenants", json: { name: "Another" } }),
    expected: row({ all: 201 }, 401),
  },
  "GET /v1/tenants/:tenantId/members": {
    call: (f) => ({ method: "GET", path: `/v1/tenants/${f.tenantA}/members` }),
    expected: members(200),
  },
  "POST /v1/tenants/:tenantId/invitations": {
    call: (f) => ({
      method: "POST",
      path: `/v1/tenants/${f.tenantA}/invitations`,
      json: { email: `${freshId("inv")}@example.com`, role: "member" },
    }),
    expected: admins(201),
  },
  "GET /v1/tenants/:tenantId/invitations": {
    call: (f) => ({ method: "GET", path: `/v1/tenants/${f.tenantA}/invitations` }),
    expected: admins(200),
  },
  "DELETE /v1/tenants/:tenantId/invitations/:invitationId": {
    call: async (f) => ({
      method: "DELETE",
      path: `/v1/tenants/${f.tenantA}/invitations/${(await f.freshInvitation()).id}`,
    }),
    expected: admins(204),
  },
  "POST /v1/invitations/accept": {
    // An invitation to somebody else: nobody but its invitee may use it.
    call: async (f) => ({
      method: "POST",
      path: "/v1/invitations/accept",
      json: { token: (await f.freshInvitation()).token },
    }),
    expected: row({ all: 403 }, 401),
  },
  "POST /v1/tenants/:tenantId/invitations/bulk": {
    call: (f) => ({
      method: "POST",
      path: `/v1/tenants/${f.tenantA}/invitations/bulk`,
      json: { invitations: [{ email: `${freshId("bulk")}@example.com`, role: "member" }] },
    }),
    expected: admins(200),
  },
  "GET /v1/tenancy": {
    call: () => ({ method: "GET", path: "/v1/tenancy" }),
    expected: row({ all: 200 }, 200),
  },
  "GET /v1/tenants/:tenantId/permissions": {
    call: (f) => ({ method: "GET", path: `/v1/tenants/${f.tenantA}/permissions` }),
    expected: members(200),
  },
  "PUT /v1/tenants/:tenantId/members/:accountId": {
    call: async (f) => ({
      method: "PUT",
      path: `/v1/tenants/${f.tenantA}/members/${(await f.freshMember()).accountId}`,
      json: { role: "admin" },
    }),
    expected: admins(200),
  },
  "DELETE /v1/tenants/:tenantId/members/:accountId": {
    call: async (f) => ({
      method: "DELETE",
      path: `/v1/tenants/${f.tenantA}/members/${(await f.freshMember()).accountId}`,
    }),
    expected: admins(204),
  },

  // Questions about A's project: A's accounts get answers; another tenant's account gets "no";
  // a removed member has no active tenant; a service key must say for whom it asks.
  "POST /v1/check": {
    call: (f) => ({
      method: "POST",
      path: "/v1/check",
      json: { resource: `project:${f.project}`, permission: "view" },
    }),
    expected: row({ owner: 200, admin: 200, member: 200, outsider: 200, removed: 403 }, 400),
    allowed: { owner: true, admin: true, member: true, outsider: false },
  },
  // About A's owner's account: A's managers may ask; a member may ask only about itself.
  "POST /v1/tenants/:tenantId/check": {
    call: (f) => ({
      method: "POST",
      path: `/v1/tenants/${f.tenantA}/check`,
      json: {
        accountId: f.owner.accountId,
        resource: `project:${f.project}`,
        permission: "view",
        explain: true,
      },
    }),
    expected: admins(200),
    allowed: { owner: true, admin: true },
  },
  "POST /v1/check/bulk": {
    call: (f) => ({
      method: "POST",
      path: "/v1/check/bulk",
      json: { items: [{ resource: `project:${f.project}`, permission: "view" }] },
    }),
    expected: row({ owner: 200, admin: 200, member: 200, outsider: 200, removed: 403 }, 400),
  },
  "POST /v1/lookup/resources": {
    call: () => ({
      method: "POST",
      path: "/v1/lookup/resources",
      json: { resourceType: "project", permission: "view" },
    }),
    expected: row({ owner: 200, admin: 200, member: 200, outsider: 200, removed: 403 }, 400),
  },
  "POST /v1/lookup/subjects": {
    call: (f) => ({
      method: "POST",
      path: "/v1/lookup/subjects",
      json: { resource: `project:${f.project}`, permission: "view", subjectType: "account" },
    }),
    expected: row({ owner: 200, admin: 200, member: 200, outsider: 403, removed: 403 }, 400),
  },

  // Relationship editing in A (every caller names A): A's managers, and a key with scope write.
  "GET /v1/relationships": {
    call: (f) => ({
      method: "GET",
      path: `/v1/relationships?resource=project:${f.project}&tenantId=${f.tenantA}`,
    }),
    expected: row(
      { owner: 200, admin: 200, member: 403, outsider: 403, removed: 403 },
      { checkKey: 403, writeKey: 200 },
    ),
  },
  "POST /v1/relationships": {
    call: (f) => ({
      method: "POST",
      path: "/v1/relationships",
      json: {
        tenantId: f.tenantA,
        updates: [
          {
            operation: "touch",
            relationship: `project:${f.project}#viewer@account:${f.memberA.accountId}`,
          },
        ],
      },
    }),
    expected: row(
      { owner: 200, admin: 200, member: 403, outsider: 403, removed: 403 },
      { checkKey: 403, writeKey: 200 },
    ),
  },
  "DELETE /v1/relationships": {
    // A member's filter delete matches nothing it may change: an empty 200, as for any filter.
    call: (f) => ({
      method: "DELETE",
      path: "/v1/relationships",
      json: {
        tenantId: f.tenantA,
        filter: { resourceType: "project", resourceId: freshId("gone"), relation: "viewer" },
      },
    }),
    expected: row(
      { owner: 200, admin: 200, member: 200, outsider: 403, removed: 403 },
      { checkKey: 403, writeKey: 200 },
    ),
  },

  "GET /v1/tenants/:tenantId/relationships": {
    call: (f) => ({
      method: "GET",
      path: `/v1/tenants/${f.tenantA}/relationships?resourceType=project`,
    }),
    expected: admins(200),
  },
  "GET /v1/tenants/:tenantId/relationships/export": {
    call: (f) => ({ method: "GET", path: `/v1/tenants/${f.tenantA}/relationships/export` }),
    expected: admins(200),
  },
  "GET /v1/schema": {
    call: () => ({ method: "GET", path: "/v1/schema" }),
    expected: row({ all: 200 }, 200),
  },

  "POST /v1/tenants/:tenantId/roles": {
    call: (f) => ({
      method: "POST",
      path: `/v1/tenants/${f.tenantA}/roles`,
      json: { name: freshId("role"), permissions: ["project_view"] },
    }),
    expected: admins(201),
  },
  "GET /v1/tenants/:tenantId/roles": {
    call: (f) => ({ method: "GET", path: `/v1/tenants/${f.tenantA}/roles` }),
    expected: members(200),
  },
  "PUT /v1/tenants/:tenantId/roles/:roleId": {
    call: (f) => ({
      method: "PUT",
      path: `/v1/tenants/${f.tenantA}/roles/${f.roleId}`,
      json: { permissions: ["project_view"] },
    }),
    expected: admins(200),
  },
  "DELETE /v1/tenants/:tenantId/roles/:roleId": {
    call: async (f) => ({
      method: "DELETE",
      path: `/v1/tenants/${f.tenantA}/roles/${await f.freshRole()}`,
    }),
    expected: admins(204),
  },
  "PUT /v1/tenants/:tenantId/roles/:roleId/members/:accountId": {
    call: (f) => ({
      method: "PUT",
      path: `/v1/tenants/${f.tenantA}/roles/${f.roleId}/members/${f.memberA.accountId}`,
    }),
    expected: admins(204),
  },
  "DELETE /v1/tenants/:tenantId/roles/:roleId/members/:accountId": {
    call: (f) => ({
      method: "DELETE",
      path: `/v1/tenants/${f.tenantA}/roles/${f.roleId}/members/${f.memberA.accountId}`,
    }),
    expected: admins(204),
  },
  // The installation's own: operators and write-scoped keys.
  "GET /v1/users/:userId/attributes": {
    call: (f) => ({ method: "GET", path: `/v1/users/${f.memberA.userId}/attributes` }),
    expected: row({ all: 403, operator: 200 }, { checkKey: 403, writeKey: 200 }),
  },
  "PUT /v1/users/:userId/attributes/:attribute": {
    // Past authorization, a write key meets the default tenancy: it has no user attributes.
    call: (f) => ({
      method: "PUT",
      path: `/v1/users/${f.memberA.userId}/attributes/platform:main%23admin`,
    }),
    expected: row({ all: 403, operator: 400 }, { checkKey: 403, writeKey: 400 }),
  },
  "DELETE /v1/users/:userId/attributes/:attribute": {
    call: (f) => ({
      method: "DELETE",
      path: `/v1/users/${f.memberA.userId}/attributes/platform:main%23admin`,
    }),
    expected: row({ all: 403, operator: 400 }, { checkKey: 403, writeKey: 400 }),
  },
  "GET /v1/tenants/:tenantId/audit": {
    call: (f) => ({ method: "GET", path: `/v1/tenants/${f.tenantA}/audit?order=desc` }),
    expected: admins(200),
  },
  "GET /v1/tenants/:tenantId/audit/export": {
    call: (f) => ({ method: "GET", path: `/v1/tenants/${f.tenantA}/audit/export?format=csv` }),
    expected: admins(200),
  },

  "GET /v1/operator/status": {
    call: () => ({ method: "GET", path: "/v1/operator/status" }),
    expected: operators(200),
  },
  "GET /v1/operator/tenants": {
    call: () => ({ method: "GET", path: "/v1/operator/tenants" }),
    expected: operators(200),
  },
  "GET /v1/operator/users": {
    call: () => ({ method: "GET", path: "/v1/operator/users" }),
    expected: operators(200),
  },
  "GET /v1/operator/service-keys": {
    call: () => ({ method: "GET", path: "/v1/operator/service-keys" }),
    expected: operators(200),
  },
  "POST /v1/operator/service-keys": {
    call: () => ({
      method: "POST",
      path: "/v1/operator/service-keys",
      json: { name: freshId("key"), scope: "write" },
    }),
    expected: operators(201),
  },
  "DELETE /v1/operator/service-keys/:keyId": {
    call: async (f) => ({
      method: "DELETE",
      path: `/v1/operator/service-keys/${(await createServiceKey(f.h.runtime.services.store, { name: freshId("doomed"), scope: "check" }, Date.now())).key.id}`,
    }),
    expected: operators(204),
  },
  "POST /v1/operator/view-as": {
    call: (f) => ({
      method: "POST",
      path: "/v1/operator/view-as",
      json: { accountId: f.memberA.accountId, reason: "looking into a support ticket" },
    }),
    expected: operators(201),
  },
  "DELETE /v1/operator/view-as/:viewAsId": {
    call: () => ({ method: "DELETE", path: `/v1/operator/view-as/vas_${"a".repeat(24)}` }),
    expected: operators(404),
  },
};

describe("cross-tenant matrix", () => {
  let h: Harness;
  let f: Fixtures;
  const keys = new Map<Caller, string>();
  const emails = new Map<Caller, string>();

  beforeAll(async () => {
    h = await startHarness({ INVITATION_TTL_SECONDS: "3600" });
    const owner = await h.signUp("owner");
    const { tenantId: tenantA, accountId } = await h.createTenant(owner.token, "A");
    const admin = await h.join(owner.token, tenantA, "admin", "admin");
    const memberA = await h.join(owner.token, tenantA, "member", "member");
    const outsider = await h.signUp("outsider");
    const operatorEmail = `${freshId("operator")}@example.com`;
    await createUser(h.runtime.services, {
      email: operatorEmail,
      password: PASSWORD,
      name: null,
      operator: true,
    });
    emails.set("operator", operatorEmail);
    await h.createTenant(outsider.token, "B");
    // The owner's own calls in the table end its sessions (sign-out everywhere, a password
    // change), so each fixture call signs in anew.
    const asOwner = async () => {
      const login = await h.request("/v1/auth/login", {
        method: "POST",
        json: { email: owner.email, password: PASSWORD },
      });
      return ((await login.json()) as { session: { token: string } }).session.token;
    };
    const project = freshId("p");
    await h.write(
      `project:${project}#tenant@tenant:${tenantA}`,
      `project:${project}#viewer@account:${memberA.accountId}`,
    );
    const createRole = async () => {
      const response = await h.request(`/v1/tenants/${tenantA}/roles`, {
        method: "POST",
        token: await asOwner(),
        json: { name: freshId("role"), permissions: ["project_view"] },
      });
      return ((await response.json()) as { role: { id: string } }).role.id;
    };
    for (const [caller, user] of [
      ["owner", owner],
      ["admin", admin],
      ["member", memberA],
      ["outsider", outsider],
    ] as const)
      emails.set(caller, user.email);
    for (const scope of ["check", "write"] as const)
      keys.set(
        `${scope}Key`,
        (
          await createServiceKey(
            h.runtime.services.store,
            { name: freshId(scope), scope },
            Date.now(),
          )
        ).token,
      );
    f = {
      h,
      tenantA,
      project,
      roleId: await createRole(),
      owner: { ...owner, accountId },
      memberA,
      freshMember: async () => h.join(await asOwner(), tenantA, "member", "fresh"),
      async freshInvitation(email = `${freshId("someone")}@example.com`) {
        const response = await h.request(`/v1/tenants/${tenantA}/invitations`, {
          method: "POST",
          token: await asOwner(),
          json: { email, role: "member" },
        });
        return ((await response.json()) as { invitation: { id: string; token: string } })
          .invitation;
      },
      freshRole: createRole,
      ownerSession: asOwner,
    };
  });
  afterAll(async () => h.close());

  /**
   * A fresh session for every request, so that calls that end sessions spoil nothing; and a fresh
   * removed member, who has done nothing since (not even created a tenant of their own).
   */
  async function token(caller: Caller): Promise<string> {
    const key = keys.get(caller);
    if (key) return key;
    if (caller === "removed") {
      const removed = await f.freshMember();
      await f.h.request(`/v1/tenants/${f.tenantA}/members/${removed.accountId}`, {
        method: "DELETE",
        token: await f.ownerSession(),
      });
      return removed.token;
    }
    const login = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: emails.get(caller), password: PASSWORD },
    });
    return ((await login.json()) as { session: { token: string } }).session.token;
  }

  test("every route of the app has a row, and every row a route", () => {
    const routes = new Set(
      h.app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`),
    );
    expect([...routes].filter((r) => !(r in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !routes.has(r))).toEqual([]);
  });

  test.each(
    Object.entries(MATRIX).flatMap(([route, r]) =>
      CALLERS.map((caller) => [route, caller, r] as const),
    ),
  )("%s as %s", async (route, caller, r) => {
    const call = await r.call(f);
    const response = await h.request(call.path, {
      method: call.method,
      token: await token(caller),
      ...(call.json !== undefined ? { json: call.json } : {}),
    });
    const body = await response.text();
    expect(response.status, `${route} as ${caller}: ${body.slice(0, 300)}`).toBe(
      r.expected[caller],
    );
    const allowed = r.allowed?.[caller];
    if (allowed !== undefined)
      expect((JSON.parse(body) as { allowed: boolean }).allowed).toBe(allowed);
  });
});
