import type { v1 } from "@authzed/authzed-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freshId } from "../support/ids.js";
import {
  readAllRelationships,
  readMatching,
  relationshipFilter,
  storedRelationships,
} from "../support/relationships.js";
import { type Harness, startHarness } from "./harness.js";

/**
 * Relationship writes after the outside review: findings 2 (a caveat context that made SpiceDB
 * and SQLite disagree, unaudited) and 10 (unlinking left grants behind; filter deletes read every
 * tenant's rows).
 */
describe("relationship writes", () => {
  let h: Harness;
  let alice: Awaited<ReturnType<Harness["signUp"]>>;
  let dave: Awaited<ReturnType<Harness["join"]>>;
  let tenantA: string;
  let eve: Awaited<ReturnType<Harness["signUp"]>>;
  let tenantB: string;
  let eveAccount: string;

  const post = async (token: string, json: unknown, method = "POST") => {
    const response = await h.request("/v1/relationships", { method, token, json });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const audit = async (tenantId: string, token: string) =>
    (
      (await (await h.request(`/v1/tenants/${tenantId}/audit?limit=1000`, { token })).json()) as {
        entries: { action: string; updates: unknown }[];
      }
    ).entries;
  /** The embedded engine's durable copy equals the engine (a remote SpiceDB keeps its own). */
  const mirrorMatches = async () => {
    if (h.runtime.services.engine.kind !== "embedded") return;
    expect(storedRelationships(h.runtime.services.db)).toEqual(
      await readAllRelationships(h.runtime.services.engine),
    );
  };

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.signUp("alice");
    ({ tenantId: tenantA } = await h.createTenant(alice.token, "A"));
    dave = await h.join(alice.token, tenantA, "member", "dave");
    eve = await h.signUp("eve");
    ({ tenantId: tenantB, accountId: eveAccount } = await h.createTenant(eve.token, "B"));
  });
  afterAll(async () => h.close());

  test("finding 2: a non-finite caveat context is refused whole, naming the update, and changes nothing", async () => {
    const project = freshId("p");
    expect(
      (
        await post(alice.token, {
          updates: [
            { operation: "touch", relationship: `project:${project}#tenant@tenant:${tenantA}` },
          ],
        })
      ).status,
    ).toBe(200);
    const before = (await audit(tenantA, alice.token)).length;
    const answer = await h.request("/v1/relationships", {
      method: "POST",
      token: alice.token,
      headers: { "content-type": "application/json" },
      // Raw JSON: 1e400 parses to Infinity.
      body: `{"updates":[{"operation":"touch","relationship":"project:${project}#owner@account:${dave.accountId}"},{"operation":"touch","relationship":"project:${project}#viewer@account:${dave.accountId}[on_network:{\\"allowed_cidr\\":1e400}]"}]}`,
    });
    const problem = (await answer.json()) as { field?: string; detail: string };
    expect(answer.status).toBe(400);
    expect(problem.field).toBe("updates.1.relationship");
    expect(problem.detail).toMatch(/finite/);
    const manage = await h.request("/v1/check", {
      method: "POST",
      token: dave.token,
      json: { resource: `project:${project}`, permission: "manage" },
    });
    expect(((await manage.json()) as { allowed: boolean }).allowed).toBe(false);
    expect((await audit(tenantA, alice.token)).length).toBe(before);
    await mirrorMatches();
  });

  test("creating a relationship that exists is a 409 with its own code", async () => {
    const project = freshId("p");
    const create = () =>
      post(alice.token, {
        updates: [
          { operation: "create", relationship: `project:${project}#tenant@tenant:${tenantA}` },
        ],
      });
    expect((await create()).status).toBe(200);
    const again = await create();
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("relationship_exists");
  });

  test("finding 10: unlinking an object removes its other relationships in the same write, audited", async () => {
    const project = freshId("p");
    const role = await h.request(`/v1/tenants/${tenantA}/roles`, {
      method: "POST",
      token: alice.token,
      json: { name: freshId("r"), permissions: ["project_view"] },
    });
    const roleId = ((await role.json()) as { role: { id: string } }).role.id;
    const setup = await post(alice.token, {
      updates: [
        { operation: "touch", relationship: `project:${project}#tenant@tenant:${tenantA}` },
        { operation: "touch", relationship: `project:${project}#viewer@account:${dave.accountId}` },
        { operation: "touch", relationship: `project:${project}#editor@role:${roleId}#assignee` },
      ],
    });
    expect(setup.status).toBe(200);
    const unlinked = await post(alice.token, {
      updates: [
        { operation: "delete", relationship: `project:${project}#tenant@tenant:${tenantA}` },
      ],
    });
    expect(unlinked.status).toBe(200);
    expect(
      await readMatching(
        h.runtime.services.engine,
        relationshipFilter({ resourceType: "project", resourceId: project }),
      ),
    ).toEqual([]);
    const last = (await audit(tenantA, alice.token)).at(-1);
    expect(JSON.stringify(last?.updates)).toContain(
      `project:${project}#editor@role:${roleId}#assignee`,
    );
    await mirrorMatches();
  });

  test("unlinking an object with more relationships than one write holds is refused, leaving it whole", async () => {
    const project = freshId("p");
    await h.write(`project:${project}#tenant@tenant:${tenantA}`);
    const viewers = Array.from(
      { length: 1_000 },
      (_, i) => `project:${project}#viewer@account:v${i}`,
    );
    await h.write(...viewers.slice(0, 500));
    await h.write(...viewers.slice(500));
    const answer = await post(alice.token, {
      updates: [
        { operation: "delete", relationship: `project:${project}#tenant@tenant:${tenantA}` },
      ],
    });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe("unlink_too_large");
    const left = await readMatching(
      h.runtime.services.engine,
      relationshipFilter({ resourceType: "project", resourceId: project }),
    );
    expect(left).toHaveLength(1_001);
    await mirrorMatches();
  });

  // Found in review: the unlink cascade read every relationship of the object, whoever held it.
  test("unlinking another tenant's object is refused, and its relationships stay", async () => {
    const project = freshId("p");
    const theirs = [
      `project:${project}#tenant@tenant:${tenantB}`,
      `project:${project}#owner@account:${eveAccount}`,
    ];
    expect(
      (
        await post(eve.token, {
          updates: theirs.map((r) => ({ operation: "touch", relationship: r })),
        })
      ).status,
    ).toBe(200);
    const answer = await post(alice.token, {
      updates: [
        { operation: "delete", relationship: `project:${project}#tenant@tenant:${tenantA}` },
      ],
    });
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe("cross_tenant");
    const left = await readMatching(
      h.runtime.services.engine,
      relationshipFilter({ resourceType: "project", resourceId: project }),
    );
    expect(left).toEqual([...theirs].sort());
    await mirrorMatches();
  });

  test("finding 10: a filter delete of tenant links unlinks whole objects, and only the acting tenant's", async () => {
    const mine = freshId("p");
    const theirs = freshId("p");
    await post(alice.token, {
      updates: [
        { operation: "touch", relationship: `project:${mine}#tenant@tenant:${tenantA}` },
        { operation: "touch", relationship: `project:${mine}#viewer@account:${dave.accountId}` },
      ],
    });
    await post(eve.token, {
      updates: [{ operation: "touch", relationship: `project:${theirs}#tenant@tenant:${tenantB}` }],
    });
    // Observe what the action reads from the (real) engine while it works.
    const engine = h.runtime.services.engine;
    const read = engine.readRelationships.bind(engine);
    const asked: v1.ReadRelationshipsRequest[] = [];
    engine.readRelationships = (request) => {
      asked.push(request);
      return read(request);
    };
    let deleted: { status: number; body: Record<string, unknown> };
    try {
      deleted = await post(
        alice.token,
        { filter: { resourceType: "project", relation: "tenant" } },
        "DELETE",
      );
    } finally {
      engine.readRelationships = read;
    }
    expect(deleted.status).toBe(200);
    expect(deleted.body.count).toBeGreaterThanOrEqual(2);
    expect(
      await readMatching(engine, relationshipFilter({ resourceType: "project", resourceId: mine })),
    ).toEqual([]);
    expect(
      await readMatching(
        engine,
        relationshipFilter({ resourceType: "project", resourceId: theirs }),
      ),
    ).toEqual([`project:${theirs}#tenant@tenant:${tenantB}`]);
    // Every read was bounded to the acting tenant: its links, or one of its objects.
    expect(asked.length).toBeGreaterThan(0);
    for (const request of asked) {
      const f = request.relationshipFilter;
      expect(f).toBeDefined();
      const bounded =
        f?.optionalSubjectFilter?.optionalSubjectId === tenantA ||
        (f?.optionalResourceId !== "" && f?.optionalResourceId !== theirs);
      expect(bounded, JSON.stringify(f)).toBe(true);
    }
    await mirrorMatches();
  });
});
