import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServiceKey } from "../../src/auth/service-keys.js";
import { freshId } from "../support/ids.js";
import { type Harness, startHarness } from "./harness.js";

interface Problem {
  status: number;
  code: string;
  detail: string;
  field?: string;
}

/**
 * The check API under hostile input from one tenant while another tenant works: the outside
 * review's findings 1 (one caller's bad check failing others), 4 (another tenant's roles seen
 * through relations and explain), 8 (500s and misleading 503s) and 9 (users choosing their own
 * client_ip).
 */
describe("the check API keeps callers and tenants apart", () => {
  let h: Harness;
  let alice: Awaited<ReturnType<Harness["signUp"]>>;
  let bob: Awaited<ReturnType<Harness["join"]>>;
  let eve: Awaited<ReturnType<Harness["signUp"]>>;
  let tenantA: string;
  let roleId: string;
  const project = freshId("p");
  const vpnProject = freshId("vpn");

  const post = async (path: string, token: string, json: unknown) => {
    const response = await h.request(path, { method: "POST", token, json });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.signUp("alice");
    ({ tenantId: tenantA } = await h.createTenant(alice.token, "A"));
    bob = await h.join(alice.token, tenantA, "member", "bob");
    eve = await h.signUp("eve");
    await h.createTenant(eve.token, "B");
    await h.write(
      `project:${project}#tenant@tenant:${tenantA}`,
      `project:${project}#viewer@account:${bob.accountId}`,
      `project:${vpnProject}#tenant@tenant:${tenantA}`,
      `project:${vpnProject}#viewer@account:${bob.accountId}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`,
    );
    const role = await post(`/v1/tenants/${tenantA}/roles`, alice.token, {
      name: "editors",
      permissions: ["project_edit"],
    });
    roleId = (role.body.role as { id: string }).id;
  });
  afterAll(async () => h.close());

  describe("finding 1: a bad item fails only its own request", () => {
    const poisons: [string, unknown][] = [
      ["an oversized context", { client_ip: "x".repeat(5_000) }],
      ["a non-finite number", "RAW:1e400"],
      ["a deeply nested context", "RAW:deep"],
      // Found in review: 300,000 values overflowed the encoder's stack (a 500).
      ["a context 300,000 values wide", { tags: Array.from({ length: 300_000 }, () => 0) }],
    ];

    test.each(poisons)(
      "%s: 400 naming the field, and 40 concurrent checks of another tenant all answer",
      async (_, context) => {
        const good = () =>
          post("/v1/check", bob.token, { resource: `project:${project}`, permission: "view" });
        const bad = () => {
          const body =
            context === "RAW:1e400"
              ? `{"resource":"project:${project}","permission":"view","context":{"client_ip":1e400}}`
              : context === "RAW:deep"
                ? `{"resource":"project:${project}","permission":"view","context":{"a":${"[".repeat(3000)}${"]".repeat(3000)}}}`
                : JSON.stringify({ resource: `project:${project}`, permission: "view", context });
          return h.request("/v1/check", {
            method: "POST",
            token: eve.token,
            headers: { "content-type": "application/json" },
            body,
          });
        };
        for (let round = 0; round < 4; round++) {
          const [poisoned, ...answers] = await Promise.all([
            bad(),
            ...Array.from({ length: 10 }, good),
          ]);
          const problem = (await poisoned?.json()) as Problem;
          expect(poisoned?.status, JSON.stringify(problem)).toBe(400);
          expect(problem.field).toMatch(/^context/);
          expect(JSON.stringify(problem)).not.toMatch(/\.go:\d+|goroutine|BUG/);
          for (const answer of answers) {
            expect(answer.status, JSON.stringify(answer.body)).toBe(200);
            expect(answer.body.allowed).toBe(true);
          }
        }
      },
    );

    test("an item the engine refuses on its own fails alone among concurrent checks", async () => {
      // SpiceDB refuses an unknown permission per item (whole-call refusals are split by the
      // batcher: test/check/check-batcher.test.ts).
      const [badOne, ...rest] = await Promise.all([
        post("/v1/check", bob.token, { resource: `project:${project}`, permission: "nonesuch" }),
        ...Array.from({ length: 20 }, () =>
          post("/v1/check", bob.token, { resource: `project:${project}`, permission: "view" }),
        ),
      ]);
      expect(badOne?.status).toBe(400);
      expect(badOne?.body.code).toBe("engine_rejected");
      expect(rest.every((r) => r.status === 200 && r.body.allowed === true)).toBe(true);
    });
  });

  describe("finding 4: nothing about another tenant's objects", () => {
    test("a relation cannot be asked about for an account: no role ids through lookups", async () => {
      const lookup = await post("/v1/lookup/resources", eve.token, {
        resourceType: "role",
        permission: "grant_project_edit",
      });
      expect(lookup.status).toBe(400);
      expect(lookup.body.code).toBe("relation_not_askable");
      expect(lookup.body.field).toBe("permission");
      expect(JSON.stringify(lookup.body)).not.toContain(roleId);
      const check = await post("/v1/check", eve.token, {
        resource: `role:${roleId}`,
        permission: "grant_project_edit",
      });
      expect(check.status).toBe(400);
      expect(check.body.code).toBe("relation_not_askable");
      const bulk = await post("/v1/check/bulk", eve.token, {
        items: [{ resource: `role:${roleId}`, permission: "grant_project_edit" }],
      });
      expect(bulk.body.field).toBe("items.0.permission");
    });

    test("the role's permissions answer no to another tenant's account, and lookups find nothing", async () => {
      const check = await post("/v1/check", eve.token, {
        resource: `role:${roleId}`,
        permission: "project_edit",
      });
      expect(check.status).toBe(200);
      expect(check.body.allowed).toBe(false);
      for (const permission of ["manage", "project_edit", "project_view"]) {
        const lookup = await post("/v1/lookup/resources", eve.token, {
          resourceType: "role",
          permission,
        });
        expect(lookup.status).toBe(200);
        expect(lookup.body.resources).toEqual([]);
      }
    });

    test("explain on another tenant's object gives the answer but withholds the trace", async () => {
      const asked = await post("/v1/check", eve.token, {
        resource: `project:${project}`,
        permission: "view",
        explain: true,
      });
      expect(asked.status).toBe(200);
      expect(asked.body.allowed).toBe(false);
      const explain = asked.body.explain as { withheld?: string; children?: unknown };
      expect(explain.withheld).toBeTruthy();
      expect(explain.children).toBeUndefined();
      expect(JSON.stringify(asked.body)).not.toContain(tenantA);
      expect(JSON.stringify(asked.body)).not.toContain(roleId);
    });

    test("explain on the asker's own tenant's object keeps its trace", async () => {
      const asked = await post("/v1/check", bob.token, {
        resource: `project:${project}`,
        permission: "view",
        explain: true,
      });
      const explain = asked.body.explain as { withheld?: string; children?: unknown[] };
      expect(asked.body.allowed).toBe(true);
      expect(explain.withheld).toBeUndefined();
      expect(explain.children?.length).toBeGreaterThan(0);
    });

    test("a service key naming a subject may still ask about relations", async () => {
      const key = await createServiceKey(
        h.runtime.services.store,
        { name: freshId("svc"), scope: "check" },
        Date.now(),
      );
      const check = await post("/v1/check", key.token, {
        resource: `role:${roleId}`,
        permission: "grant_project_edit",
        subject: "account:someone",
      });
      expect(check.status).toBe(200);
    });
  });

  describe("finding 8: wrong content types and engine errors are 4xx problems", () => {
    test.each(["/v1/check", "/v1/auth/login", "/v1/relationships"])(
      "text/plain on %s is a 415 naming the content type",
      async (path) => {
        const response = await h.request(path, {
          method: "POST",
          token: bob.token,
          headers: { "content-type": "text/plain" },
          body: "{}",
        });
        expect(response.status).toBe(415);
        const problem = (await response.json()) as Problem;
        expect(problem.code).toBe("unsupported_media_type");
        expect(problem.field).toBe("content-type");
      },
    );

    test("a caveat parameter SpiceDB does not know is a 400, not a retryable 503", async () => {
      const write = await post("/v1/relationships", alice.token, {
        updates: [
          {
            operation: "touch",
            relationship: `project:${project}#viewer@account:${bob.accountId}[on_network:{"nonesuch":"x"}]`,
          },
        ],
      });
      expect(write.status).toBe(400);
      expect(write.body.code).toBe("engine_rejected");
      expect(String(write.body.detail)).toContain("nonesuch");
    });
  });

  describe("finding 9: a session's client_ip is its connection's", () => {
    let server: ServerType;
    let port: number;
    beforeAll(async () => {
      server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
      await new Promise<void>((resolve) => server.once("listening", () => resolve()));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const overSocket = (token: string, body: unknown) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const payload = JSON.stringify(body);
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: "/v1/check",
            agent: false,
            headers: {
              authorization: `Bearer ${token}`,
              "content-type": "application/json",
              "content-length": Buffer.byteLength(payload),
            },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk) => {
              text += chunk;
            });
            res.on("end", () => resolve(JSON.parse(text)));
          },
        );
        req.on("error", reject);
        req.end(payload);
      });

    test("claiming an office address from 127.0.0.1 does not satisfy on_network", async () => {
      const answer = await overSocket(bob.token, {
        resource: `project:${vpnProject}`,
        permission: "view",
        context: { client_ip: "10.1.2.3" },
      });
      expect(answer.allowed).toBe(false);
      expect(answer.permissionship).toBe("no_permission");
    });

    test("the same claim in lookup/subjects does not pass the asker's own check", async () => {
      const response = await h.request("/v1/lookup/subjects", {
        method: "POST",
        token: bob.token,
        json: {
          resource: `project:${vpnProject}`,
          permission: "view",
          subjectType: "account",
          context: { client_ip: "10.1.2.3" },
        },
      });
      expect(response.status).toBe(403);
    });

    test("a service key may pass its end user's address", async () => {
      const key = await createServiceKey(
        h.runtime.services.store,
        { name: freshId("svc"), scope: "check" },
        Date.now(),
      );
      const answer = await post("/v1/check", key.token, {
        resource: `project:${vpnProject}`,
        permission: "view",
        sessionToken: bob.token,
        context: { client_ip: "10.1.2.3" },
      });
      expect(answer.body.allowed).toBe(true);
    });
  });
});
