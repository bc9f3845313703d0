import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServiceKey } from "../../src/auth/service-keys.js";
import { createUser } from "../../src/auth/sign-in.js";
import { type Harness, startHarness } from "../http/harness.js";
import { freshId } from "../support/ids.js";
import { readAllRelationships, storedRelationships } from "../support/relationships.js";
import { bodyText, fromSchema, type KnownIds, pathParameter, type Schema } from "./arbitraries.js";

/**
 * Every route of the OpenAPI document, driven with generated requests: bodies shaped by the
 * route's schema with hostile values mixed in, hostile path and query parameters, wrong content
 * types, and every kind of caller. Properties, for every response:
 *   - no 5xx (the engine is up all along, so no 503 is honest either);
 *   - every 4xx is an RFC 9457 problem with a code, and a 400, 413 or 415 names its field;
 *   - no stack trace, source path or engine internals in any response;
 * and after each family, SpiceDB and the durable SQLite copy hold the same relationships.
 *
 * `npm test` runs FUZZ_RUNS (default 120) inputs per family with a fixed seed; `npm run fuzz`
 * runs 10,000 per family with a random seed, printed for replay (FUZZ_SEED=…).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const SEED = fuzzSeed(process.env.FUZZ_SEED);

/** A number replays a run; `random` (what `npm run fuzz` passes unless told) draws one and says it. */
function fuzzSeed(value: string | undefined): number {
  if (value === "random") {
    const seed = Math.floor(Math.random() * 2 ** 31);
    process.stderr.write(`fuzz: FUZZ_SEED=${seed} replays this run\n`);
    return seed;
  }
  const seed = Number(value || 20261129);
  if (!Number.isSafeInteger(seed))
    throw new Error(`FUZZ_SEED must be an integer or random: ${value}`);
  return seed;
}
const LEAKS = /\n\s+at |\.go:\d+|\.ts:\d+|node_modules|goroutine|BUG:|spicedb@v/;

interface Operation {
  method: string;
  path: string;
  family: string;
  parameters: { name: string; in: string; schema?: Schema }[];
  body?: Schema;
}

type Caller =
  | "anonymous"
  | "owner"
  | "member"
  | "outsider"
  | "checkKey"
  | "writeKey"
  | "operator"
  | "garbage"
  | "staleCookie";
const CALLERS: Caller[] = [
  "operator",
  "anonymous",
  "owner",
  "member",
  "outsider",
  "checkKey",
  "writeKey",
  "garbage",
  "staleCookie",
];

describe("fuzzing every route", () => {
  let h: Harness;
  let ids: KnownIds;
  const tokens = new Map<Caller, string>();
  let operations: Operation[];

  beforeAll(async () => {
    h = await startHarness({ INVITATION_TTL_SECONDS: "3600" });
    const owner = await h.signUp("owner");
    const { tenantId, accountId } = await h.createTenant(owner.token, "Fuzzed");
    const member = await h.join(owner.token, tenantId, "member", "member");
    const outsider = await h.signUp("outsider");
    const other = await h.createTenant(outsider.token, "Other");
    const projects = [freshId("p"), freshId("p")];
    await h.write(
      ...projects.map((p) => `project:${p}#tenant@tenant:${tenantId}`),
      `project:${projects[0]}#viewer@account:${member.accountId}`,
    );
    const role = await h.request(`/v1/tenants/${tenantId}/roles`, {
      method: "POST",
      token: owner.token,
      json: { name: "fuzzers", permissions: ["project_view"] },
    });
    const roleId = ((await role.json()) as { role: { id: string } }).role.id;
    const invited = await h.request(`/v1/tenants/${tenantId}/invitations`, {
      method: "POST",
      token: owner.token,
      json: { email: `later-${Date.now()}@example.com`, role: "member" },
    });
    const invitationId = ((await invited.json()) as { invitation: { id: string } }).invitation.id;
    const sessions = (await (await h.request("/v1/sessions", { token: owner.token })).json()) as {
      sessions: { id: string }[];
    };
    const key = async (scope: "check" | "write") =>
      (
        await createServiceKey(
          h.runtime.services.store,
          { name: freshId(scope), scope },
          Date.now(),
        )
      ).token;
    tokens.set("owner", owner.token);
    tokens.set("member", member.token);
    tokens.set("outsider", outsider.token);
    const operatorEmail = `operator-${Date.now()}@example.com`;
    await createUser(h.runtime.services, {
      email: operatorEmail,
      password: "correct horse battery staple",
      name: null,
      operator: true,
    });
    const operatorLogin = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: operatorEmail, password: "correct horse battery staple" },
    });
    tokens.set(
      "operator",
      ((await operatorLogin.json()) as { session: { token: string } }).session.token,
    );
    tokens.set("checkKey", await key("check"));
    tokens.set("writeKey", await key("write"));
    ids = {
      tenants: [tenantId, other.tenantId],
      accounts: [accountId, member.accountId, other.accountId],
      roles: [roleId],
      projects,
      invitations: [invitationId],
      sessions: sessions.sessions.map((s) => s.id),
    };
    const document = h.app.getOpenAPIDocument({
      openapi: "3.0.3",
      info: { title: "t", version: "0" },
    }) as unknown as {
      paths: Record<
        string,
        Record<
          string,
          {
            tags?: string[];
            parameters?: Operation["parameters"];
            requestBody?: { content: Record<string, { schema: Schema }> };
          }
        >
      >;
    };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        family: op.tags?.[0] ?? "other",
        parameters: op.parameters ?? [],
        body: op.requestBody?.content["application/json"]?.schema,
      })),
    );
  });
  afterAll(async () => h.close());

  /**
   * A caller whose session an input may end (sign-out, sign-out everywhere, a password change)
   * gets a throwaway user instead, so the other callers keep theirs for the rest of the run.
   */
  const ENDS_SESSION =
    /^(POST \/v1\/auth\/logout|DELETE \/v1\/sessions|PUT \/v1\/auth\/password|DELETE \/v1\/sessions\/\{sessionId\})$/;

  async function authorization(
    caller: Caller,
    operation: Operation,
  ): Promise<Record<string, string>> {
    if (caller === "anonymous") return {};
    if (caller === "garbage") return { authorization: "Bearer not.a-token" };
    if (caller === "staleCookie")
      return {
        cookie: `__Host-tenantgate_session=${"a".repeat(24)}.${"b".repeat(24)}`,
        origin: "http://localhost",
        host: "localhost",
      };
    if (
      (caller === "owner" ||
        caller === "member" ||
        caller === "outsider" ||
        caller === "operator") &&
      ENDS_SESSION.test(`${operation.method} ${operation.path}`)
    )
      return { authorization: `Bearer ${(await h.signUp("throwaway")).token}` };
    return { authorization: `Bearer ${tokens.get(caller)}` };
  }

  function requestFor(operation: Operation) {
    const pathParameters = operation.parameters.filter((p) => p.in === "path");
    const queryParameters = operation.parameters.filter((p) => p.in === "query");
    return fc
      .record({
        caller: fc.constantFrom(...CALLERS),
        path: fc
          .tuple(...pathParameters.map((p) => pathParameter(p.name, p.schema, ids)))
          .map((values) =>
            pathParameters.reduce(
              (path, p, i) => path.replace(`{${p.name}}`, encodeURIComponent(values[i] as string)),
              operation.path,
            ),
          ),
        query: fc.tuple(
          ...queryParameters.map((p) =>
            fc.option(
              fromSchema(p.schema, ids, p.name).map((v) =>
                typeof v === "string" ? v : (JSON.stringify(v) ?? ""),
              ),
              { nil: undefined },
            ),
          ),
        ),
        body: operation.body
          ? bodyText(operation.body, ids)
          : fc.option(fc.constantFrom("{}", "garbage"), { nil: undefined }),
        contentType: fc.oneof(
          { weight: 12, arbitrary: fc.constant("application/json") },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              undefined,
              "text/plain",
              "application/x-www-form-urlencoded",
              "multipart/form-data; boundary=x",
              "application/json; charset=latin1",
              "application/problem+json",
            ),
          },
        ),
        tenantHeader: fc.option(
          fc.oneof(fc.constantFrom(...ids.tenants), fc.string({ maxLength: 80 })),
          { nil: undefined, freq: 8 },
        ),
        forwardedFor: fc.option(fc.string({ maxLength: 60 }), { nil: undefined, freq: 8 }),
      })
      .map((r) => ({
        ...r,
        query: queryParameters.flatMap((p, i) =>
          r.query[i] === undefined ? [] : [[p.name, r.query[i] as string] as [string, string]],
        ),
      }));
  }

  type Input = ReturnType<typeof requestFor> extends fc.Arbitrary<infer T> ? T : never;

  async function send(operation: Operation, input: Input) {
    const headers: Record<string, string> = await authorization(input.caller, operation);
    if (input.contentType) headers["content-type"] = input.contentType;
    if (input.tenantHeader !== undefined) headers["x-tenant-id"] = input.tenantHeader;
    if (input.forwardedFor !== undefined) headers["x-forwarded-for"] = input.forwardedFor;
    const query = new URLSearchParams(input.query).toString();
    const hasBody = operation.method !== "GET" && operation.method !== "HEAD";
    let response: Response;
    try {
      response = await h.app.request(`${input.path}${query ? `?${query}` : ""}`, {
        method: operation.method,
        headers: Object.entries(headers).filter(([, v]) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v)),
        body: hasBody ? input.body : undefined,
      });
    } catch (error) {
      throw new Error(`the app threw instead of answering: ${(error as Error).stack}`);
    }
    return response;
  }

  async function assertProperties(operation: Operation, input: unknown, response: Response) {
    const text = await response.text();
    const context = `${operation.method} ${operation.path} → ${response.status} ${text.slice(0, 300)}\ninput: ${JSON.stringify(input).slice(0, 600)}`;
    expect(response.status, context).toBeLessThan(500);
    expect(LEAKS.test(text), context).toBe(false);
    if (response.status >= 400) {
      expect(response.headers.get("content-type"), context).toContain("application/problem+json");
      const problem = JSON.parse(text) as {
        status: number;
        code?: unknown;
        detail?: unknown;
        field?: unknown;
      };
      expect(problem.status, context).toBe(response.status);
      expect(typeof problem.code, context).toBe("string");
      expect(typeof problem.detail, context).toBe("string");
      if ([400, 413, 415].includes(response.status)) {
        expect(typeof problem.field === "string" && problem.field.length > 0, context).toBe(true);
      }
    }
  }

  const families = [
    "auth",
    "sessions",
    "tenants",
    "check",
    "relationships",
    "roles",
    "audit",
    "installation",
    "schema",
    "operator",
    "operations",
  ];

  test.each(families)(
    `%s: ${RUNS} generated requests each`,
    async (family) => {
      const ofFamily = operations.filter((o) => o.family === family);
      expect(ofFamily.length).toBeGreaterThan(0);
      const arbitrary = fc.oneof(
        ...ofFamily.map((op) => requestFor(op).map((input) => ({ op, input }))),
      );
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ op, input }) => {
          await assertProperties(op, input, await send(op, input));
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      expect(storedRelationships(h.runtime.services.db)).toEqual(
        await readAllRelationships(h.runtime.services.engine),
      );
    },
    3_600_000,
  );

  test("every route of the API belongs to a fuzzed family", () => {
    const unfuzzed = operations.filter((o) => !families.includes(o.family));
    expect(unfuzzed.map((o) => `${o.method} ${o.path} (${o.family})`)).toEqual([]);
  });
});
