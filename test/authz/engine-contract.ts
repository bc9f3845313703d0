import { readFileSync } from "node:fs";
import { v1 } from "@authzed/authzed-node";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { AuthzEngine } from "../../src/authz/engine.js";
import { EngineError } from "../../src/authz/engine-error.js";
import { freshId } from "../support/ids.js";
import {
  check,
  create,
  fullyConsistent,
  mustMatch,
  mustNotMatch,
  objectRef,
  readMatching,
  relationshipFilter,
  remove,
  subjectRef,
  touch,
  touchAll,
  write,
} from "../support/relationships.js";
import { SCHEMA_PATH } from "../support/runtime.js";

const { Permissionship } = { Permissionship: v1.CheckPermissionResponse_Permissionship };

/**
 * What every AuthzEngine must do, whatever runs behind it: the embedded DurableEngine and a
 * remote SpiceDB alike. Call it from a test file with a factory:
 *
 *   engineContract("embedded DurableEngine", async () => DurableEngine.open(...));
 *   engineContract("remote SpiceDB", async () => new RemoteEngine({ endpoint, ... }));
 *
 * The factory is called once for the suite and the engine closed after it. The suite deploys the
 * repo's schema.zed, and every test makes its own objects with fresh ids, so it is safe against a
 * shared SpiceDB that already holds other data (the one schema change it tries is refused).
 */
export function engineContract(name: string, makeEngine: () => Promise<AuthzEngine>): void {
  describe(`AuthzEngine contract: ${name}`, () => {
    const schema = readFileSync(SCHEMA_PATH, "utf8");
    let engine: AuthzEngine;

    beforeAll(async () => {
      engine = await makeEngine();
      await engine.writeSchema(schema);
    });
    afterAll(async () => {
      await engine?.close();
    });

    /** A tenant with an owner, an admin, a member, two projects, and an outsider elsewhere. */
    async function tenantFixture() {
      const f = {
        tenant: freshId("t"),
        other: freshId("t"),
        owner: freshId("a"),
        admin: freshId("a"),
        member: freshId("a"),
        outsider: freshId("a"),
        p1: freshId("p"),
        p2: freshId("p"),
      };
      await touchAll(engine, [
        `tenant:${f.tenant}#owner@account:${f.owner}`,
        `tenant:${f.tenant}#admin@account:${f.admin}`,
        `tenant:${f.tenant}#member@account:${f.member}`,
        `tenant:${f.other}#member@account:${f.outsider}`,
        `project:${f.p1}#tenant@tenant:${f.tenant}`,
        `project:${f.p2}#tenant@tenant:${f.tenant}`,
        `project:${f.p1}#viewer@account:${f.member}`,
        // A grant to an account of another tenant: tenant membership must still cut it off.
        `project:${f.p1}#editor@account:${f.outsider}`,
      ]);
      return f;
    }

    describe("schema", () => {
      test("reads back the schema it was given", async () => {
        const deployed = await engine.readSchema();
        for (const definition of ["user", "account", "tenant", "role", "project"]) {
          expect(deployed).toMatch(new RegExp(`definition ${definition} \\{`));
        }
        expect(deployed).toMatch(/caveat on_network\(/);
        expect(deployed).toMatch(/relation viewer: account \| account with on_network/);
      });

      test("refuses a schema with a syntax error, naming line and column, and keeps the deployed one", async () => {
        const before = await engine.readSchema();
        const broken = "definition user {}\n\ndefinition doc {\n  relation viewer user\n}\n";
        const error = await engine.writeSchema(broken).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EngineError);
        expect((error as EngineError).rejected).toBe(true);
        expect((error as EngineError).message).toMatch(/line 4, column \d+/);
        expect(await engine.readSchema()).toBe(before);
      });

      test("refuses a schema change that would orphan existing relationships", async () => {
        const { p1, member } = await tenantFixture();
        const withoutViewer = schema
          .replace(/^\s*relation viewer: .*$/m, "")
          .replace("owner + editor + viewer +", "owner + editor +");
        expect(withoutViewer).not.toMatch(/relation viewer/);
        const before = await engine.readSchema();

        const error = await engine.writeSchema(withoutViewer).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EngineError);
        expect((error as EngineError).rejected).toBe(true);
        expect((error as EngineError).message).toMatch(/viewer/);
        expect(await engine.readSchema()).toBe(before);
        expect(await check(engine, `project:${p1}`, "view", `account:${member}`)).toBe("yes");
      });

      test("accepts rewriting the deployed schema", async () => {
        await expect(engine.writeSchema(schema)).resolves.toBeDefined();
      });
    });

    describe("check", () => {
      let f: Awaited<ReturnType<typeof tenantFixture>>;
      beforeAll(async () => {
        f = await tenantFixture();
      });

      test.each([
        ["owner", "p1", "manage", "yes"],
        ["owner", "p1", "delete", "yes"],
        ["admin", "p2", "edit", "yes"],
        ["member", "p1", "view", "yes"],
        ["member", "p1", "edit", "no"],
        ["member", "p2", "view", "no"],
        ["outsider", "p1", "edit", "no"],
        ["outsider", "p1", "view", "no"],
      ] as const)("%s on %s: %s → %s", async (who, project, permission, expected) => {
        expect(await check(engine, `project:${f[project]}`, permission, `account:${f[who]}`)).toBe(
          expected,
        );
      });

      test("tenant permissions follow the tenant's roles", async () => {
        expect(
          await check(engine, `tenant:${f.tenant}`, "manage_owners", `account:${f.owner}`),
        ).toBe("yes");
        expect(
          await check(engine, `tenant:${f.tenant}`, "manage_owners", `account:${f.admin}`),
        ).toBe("no");
        expect(
          await check(engine, `tenant:${f.tenant}`, "view_members", `account:${f.member}`),
        ).toBe("yes");
        expect(
          await check(engine, `tenant:${f.tenant}`, "view_members", `account:${f.outsider}`),
        ).toBe("no");
      });

      test("a custom role grants its permission to its assignees only", async () => {
        const role = freshId("r");
        const assignee = freshId("a");
        await touchAll(engine, [
          `tenant:${f.tenant}#member@account:${assignee}`,
          `tenant:${f.tenant}#role@role:${role}`,
          `role:${role}#tenant@tenant:${f.tenant}`,
          `role:${role}#assignee@account:${assignee}`,
          `role:${role}#grant_project_edit@account:*`,
        ]);
        expect(await check(engine, `project:${f.p2}`, "edit", `account:${assignee}`)).toBe("yes");
        expect(await check(engine, `project:${f.p2}`, "delete", `account:${assignee}`)).toBe("no");
        expect(await check(engine, `project:${f.p2}`, "edit", `account:${f.member}`)).toBe("no");
      });

      test("an unknown permission is an error the caller sees as rejected", async () => {
        const error = await check(engine, `project:${f.p1}`, "fly", `account:${f.member}`).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(EngineError);
        expect((error as EngineError).rejected).toBe(true);
      });
    });

    test("bulk check answers every item in order, an invalid item with its own error", async () => {
      const f = await tenantFixture();
      const item = (project: string, permission: string, account: string) =>
        v1.CheckBulkPermissionsRequestItem.create({
          resource: objectRef(`project:${project}`),
          permission,
          subject: subjectRef(`account:${account}`),
        });
      const response = await engine.checkBulkPermissions(
        v1.CheckBulkPermissionsRequest.create({
          consistency: fullyConsistent(),
          items: [
            item(f.p1, "view", f.member),
            item(f.p1, "edit", f.member),
            item(f.p1, "fly", f.member),
            item(f.p2, "manage", f.admin),
          ],
        }),
      );
      const answers = response.pairs.map((pair) =>
        pair.response.oneofKind === "item" ? pair.response.item.permissionship : "error",
      );
      expect(answers).toEqual([
        Permissionship.HAS_PERMISSION,
        Permissionship.NO_PERMISSION,
        "error",
        Permissionship.HAS_PERMISSION,
      ]);
      expect(response.pairs.map((pair) => pair.request?.permission)).toEqual([
        "view",
        "edit",
        "fly",
        "manage",
      ]);
    });

    test("lookup resources finds exactly the projects a subject may view", async () => {
      const f = await tenantFixture();
      const lookup = async (account: string) =>
        (
          await engine.lookupResources(
            v1.LookupResourcesRequest.create({
              consistency: fullyConsistent(),
              resourceObjectType: "project",
              permission: "view",
              subject: subjectRef(`account:${account}`),
            }),
          )
        )
          .map((r) => r.resourceObjectId)
          .sort();
      expect(await lookup(f.admin)).toEqual([f.p1, f.p2].sort());
      expect(await lookup(f.member)).toEqual([f.p1]);
      expect(await lookup(f.outsider)).toEqual([]);
    });

    test("lookup subjects finds exactly the accounts that may view a project", async () => {
      const f = await tenantFixture();
      const subjects = await engine.lookupSubjects(
        v1.LookupSubjectsRequest.create({
          consistency: fullyConsistent(),
          resource: objectRef(`project:${f.p1}`),
          permission: "view",
          subjectObjectType: "account",
        }),
      );
      expect(subjects.map((s) => s.subject?.subjectObjectId).sort()).toEqual(
        [f.owner, f.admin, f.member].sort(),
      );
    });

    test("expand shows the tree behind a permission, down to the granted accounts", async () => {
      const f = await tenantFixture();
      const response = await engine.expandPermissionTree(
        v1.ExpandPermissionTreeRequest.create({
          consistency: fullyConsistent(),
          resource: objectRef(`project:${f.p1}`),
          permission: "view",
        }),
      );
      const root = response.treeRoot;
      expect(root?.expandedObject).toEqual(objectRef(`project:${f.p1}`));
      expect(root?.expandedRelation).toBe("view");
      expect(root?.treeType.oneofKind).toBe("intermediate");

      const leaves = new Map<string, string[]>();
      const walk = (node: v1.PermissionRelationshipTree | undefined) => {
        if (!node) return;
        if (node.treeType.oneofKind === "leaf") {
          const key = `${node.expandedObject?.objectType}:${node.expandedObject?.objectId}#${node.expandedRelation}`;
          leaves.set(key, node.treeType.leaf.subjects.map((s) => s.object?.objectId ?? "").sort());
        } else if (node.treeType.oneofKind === "intermediate") {
          node.treeType.intermediate.children.forEach(walk);
        }
      };
      walk(root);
      expect(leaves.get(`project:${f.p1}#viewer`)).toEqual([f.member]);
      expect(leaves.get(`project:${f.p1}#editor`)).toEqual([f.outsider]);
      expect(leaves.get(`tenant:${f.tenant}#member`)).toEqual([f.member]);
    });

    describe("read, write and delete relationships", () => {
      test("reads by resource, by relation and by subject", async () => {
        const f = await tenantFixture();
        expect(
          await readMatching(
            engine,
            relationshipFilter({ resourceType: "project", resourceId: f.p1 }),
          ),
        ).toEqual(
          [
            `project:${f.p1}#editor@account:${f.outsider}`,
            `project:${f.p1}#tenant@tenant:${f.tenant}`,
            `project:${f.p1}#viewer@account:${f.member}`,
          ].sort(),
        );
        expect(
          await readMatching(
            engine,
            relationshipFilter({ resourceType: "project", resourceId: f.p1, relation: "viewer" }),
          ),
        ).toEqual([`project:${f.p1}#viewer@account:${f.member}`]);
        expect(
          await readMatching(
            engine,
            relationshipFilter({
              resourceType: "tenant",
              subjectType: "account",
              subjectId: f.admin,
            }),
          ),
        ).toEqual([`tenant:${f.tenant}#admin@account:${f.admin}`]);
      });

      test("writes with a holding precondition apply", async () => {
        const f = await tenantFixture();
        const newcomer = freshId("a");
        await write(
          engine,
          [touch(`project:${f.p2}#viewer@account:${newcomer}`)],
          [
            mustMatch(
              relationshipFilter({ resourceType: "project", resourceId: f.p2, relation: "tenant" }),
            ),
          ],
        );
        expect(
          await readMatching(
            engine,
            relationshipFilter({ resourceType: "project", resourceId: f.p2, relation: "viewer" }),
          ),
        ).toEqual([`project:${f.p2}#viewer@account:${newcomer}`]);
      });

      test.each([
        [
          "MUST_MATCH on nothing",
          (p: string) =>
            mustMatch(
              relationshipFilter({ resourceType: "project", resourceId: p, relation: "owner" }),
            ),
        ],
        [
          "MUST_NOT_MATCH on something",
          (p: string) =>
            mustNotMatch(
              relationshipFilter({ resourceType: "project", resourceId: p, relation: "tenant" }),
            ),
        ],
      ])("a write whose precondition fails (%s) changes nothing", async (_label, precondition) => {
        const f = await tenantFixture();
        const before = await readMatching(
          engine,
          relationshipFilter({ resourceType: "project", resourceId: f.p1 }),
        );
        const error = await write(
          engine,
          [
            touch(`project:${f.p1}#owner@account:${f.member}`),
            remove(`project:${f.p1}#viewer@account:${f.member}`),
          ],
          [precondition(f.p1)],
        ).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EngineError);
        expect((error as EngineError).rejected).toBe(true);
        expect(
          await readMatching(
            engine,
            relationshipFilter({ resourceType: "project", resourceId: f.p1 }),
          ),
        ).toEqual(before);
      });

      test("CREATE of an existing relationship fails the whole batch", async () => {
        const f = await tenantFixture();
        const newcomer = freshId("a");
        const error = await write(engine, [
          touch(`project:${f.p1}#viewer@account:${newcomer}`),
          create(`project:${f.p1}#viewer@account:${f.member}`),
        ]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EngineError);
        expect((error as EngineError).rejected).toBe(true);
        expect(
          await readMatching(
            engine,
            relationshipFilter({ resourceType: "project", resourceId: f.p1, relation: "viewer" }),
          ),
        ).toEqual([`project:${f.p1}#viewer@account:${f.member}`]);
      });

      test("a relation the schema lacks fails the whole batch", async () => {
        const f = await tenantFixture();
        const error = await write(engine, [
          touch(`project:${f.p2}#viewer@account:${f.member}`),
          touch(`project:${f.p2}#auditor@account:${f.member}`),
        ]).catch((e: unknown) => e);
        expect((error as EngineError).rejected).toBe(true);
        expect(await check(engine, `project:${f.p2}`, "view", `account:${f.member}`)).toBe("no");
      });

      test("TOUCH replaces a caveat, DELETE removes, and deleting what is absent is fine", async () => {
        const f = await tenantFixture();
        const rel = `project:${f.p1}#viewer@account:${f.member}`;
        await write(engine, [touch(`${rel}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`)]);
        expect(
          await readMatching(
            engine,
            relationshipFilter({ resourceType: "project", resourceId: f.p1, relation: "viewer" }),
          ),
        ).toEqual([`${rel}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`]);
        await write(engine, [remove(rel)]);
        await write(engine, [remove(rel)]);
        expect(
          await readMatching(
            engine,
            relationshipFilter({ resourceType: "project", resourceId: f.p1, relation: "viewer" }),
          ),
        ).toEqual([]);
      });

      test("delete by filter removes what matches and nothing else", async () => {
        const f = await tenantFixture();
        const response = await engine.deleteRelationships(
          v1.DeleteRelationshipsRequest.create({
            relationshipFilter: relationshipFilter({
              resourceType: "project",
              resourceId: f.p1,
              relation: "editor",
            }),
          }),
        );
        expect(response.deletionProgress).toBe(
          v1.DeleteRelationshipsResponse_DeletionProgress.COMPLETE,
        );
        expect(
          await readMatching(
            engine,
            relationshipFilter({ resourceType: "project", resourceId: f.p1 }),
          ),
        ).toEqual(
          [
            `project:${f.p1}#tenant@tenant:${f.tenant}`,
            `project:${f.p1}#viewer@account:${f.member}`,
          ].sort(),
        );
      });

      test("delete by filter with a failing precondition deletes nothing", async () => {
        const f = await tenantFixture();
        const before = await readMatching(
          engine,
          relationshipFilter({ resourceType: "project", resourceId: f.p1 }),
        );
        const error = await engine
          .deleteRelationships(
            v1.DeleteRelationshipsRequest.create({
              relationshipFilter: relationshipFilter({ resourceType: "project", resourceId: f.p1 }),
              optionalPreconditions: [
                mustMatch(
                  relationshipFilter({
                    resourceType: "project",
                    resourceId: f.p1,
                    relation: "owner",
                  }),
                ),
              ],
            }),
          )
          .catch((e: unknown) => e);
        expect((error as EngineError).rejected).toBe(true);
        expect(
          await readMatching(
            engine,
            relationshipFilter({ resourceType: "project", resourceId: f.p1 }),
          ),
        ).toEqual(before);
      });

      test("delete by filter with a limit deletes part, and says so", async () => {
        const project = freshId("p");
        const viewers = [freshId("a"), freshId("a"), freshId("a")];
        await touchAll(
          engine,
          viewers.map((a) => `project:${project}#viewer@account:${a}`),
        );
        const filter = relationshipFilter({ resourceType: "project", resourceId: project });
        const refused = await engine
          .deleteRelationships(
            v1.DeleteRelationshipsRequest.create({ relationshipFilter: filter, optionalLimit: 2 }),
          )
          .catch((e: unknown) => e);
        expect((refused as EngineError).rejected).toBe(true);
        expect(await readMatching(engine, filter)).toHaveLength(3);

        const partial = await engine.deleteRelationships(
          v1.DeleteRelationshipsRequest.create({
            relationshipFilter: filter,
            optionalLimit: 2,
            optionalAllowPartialDeletions: true,
          }),
        );
        expect(partial.deletionProgress).toBe(
          v1.DeleteRelationshipsResponse_DeletionProgress.PARTIAL,
        );
        expect(await readMatching(engine, filter)).toHaveLength(1);
      });
    });

    describe("caveats", () => {
      test("without context the permission is conditional; the context decides", async () => {
        const f = await tenantFixture();
        const vpnOnly = freshId("a");
        await touchAll(engine, [
          `tenant:${f.tenant}#member@account:${vpnOnly}`,
          `project:${f.p2}#viewer@account:${vpnOnly}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`,
        ]);
        const response = await engine.checkPermission(
          v1.CheckPermissionRequest.create({
            consistency: fullyConsistent(),
            resource: objectRef(`project:${f.p2}`),
            permission: "view",
            subject: subjectRef(`account:${vpnOnly}`),
          }),
        );
        expect(response.permissionship).toBe(Permissionship.CONDITIONAL_PERMISSION);
        expect(response.partialCaveatInfo?.missingRequiredContext).toEqual(["client_ip"]);

        const view = (clientIp: string) =>
          check(engine, `project:${f.p2}`, "view", `account:${vpnOnly}`, { client_ip: clientIp });
        expect(await view("10.1.2.3")).toBe("yes");
        expect(await view("192.168.1.1")).toBe("no");
        // The caveat narrows this grant only: the account still may not edit.
        expect(
          await check(engine, `project:${f.p2}`, "edit", `account:${vpnOnly}`, {
            client_ip: "10.1.2.3",
          }),
        ).toBe("no");
      });

      test("a caveat the relation does not allow is refused", async () => {
        const f = await tenantFixture();
        const error = await write(engine, [
          touch(
            `project:${f.p2}#editor@account:${f.member}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`,
          ),
        ]).catch((e: unknown) => e);
        expect((error as EngineError).rejected).toBe(true);
      });
    });

    describe("expiration", () => {
      test("an expired grant is absent; a live one counts until it expires", async () => {
        const f = await tenantFixture();
        const [past, future, soon] = [freshId("a"), freshId("a"), freshId("a")];
        const soonAt = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000)
          .toISOString()
          .replace(".000Z", "Z");
        await touchAll(engine, [
          ...[past, future, soon].map((a) => `tenant:${f.tenant}#member@account:${a}`),
          `project:${f.p2}#editor@account:${past}[expiration:2020-01-01T00:00:00Z]`,
          `project:${f.p2}#editor@account:${future}[expiration:2100-01-01T00:00:00Z]`,
          `project:${f.p2}#editor@account:${soon}[expiration:${soonAt}]`,
        ]);
        expect(await check(engine, `project:${f.p2}`, "edit", `account:${past}`)).toBe("no");
        expect(await check(engine, `project:${f.p2}`, "edit", `account:${future}`)).toBe("yes");
        expect(
          await readMatching(
            engine,
            relationshipFilter({ resourceType: "project", resourceId: f.p2, relation: "editor" }),
          ),
        ).toEqual(
          [
            `project:${f.p2}#editor@account:${future}[expiration:2100-01-01T00:00:00Z]`,
            `project:${f.p2}#editor@account:${soon}[expiration:${soonAt}]`,
          ].sort(),
        );
        // Any check before `soonAt` may still say yes; the grant must lapse on its own after it.
        // Real SpiceDB may answer from its dispatch cache, keyed by revision, until the head
        // revision moves: on Postgres at the latest at the next revision heartbeat (its
        // quantization interval, 5 s by default), so allow that much past `soonAt`.
        await vi.waitFor(
          async () =>
            expect(await check(engine, `project:${f.p2}`, "edit", `account:${soon}`)).toBe("no"),
          { timeout: 10_000, interval: 200 },
        );
        expect(await check(engine, `project:${f.p2}`, "edit", `account:${future}`)).toBe("yes");
      });

      test("an expiration on a relation that does not allow one is refused", async () => {
        const f = await tenantFixture();
        const error = await write(engine, [
          touch(`project:${f.p2}#owner@account:${f.member}[expiration:2100-01-01T00:00:00Z]`),
        ]).catch((e: unknown) => e);
        expect((error as EngineError).rejected).toBe(true);
      });
    });
  });
}
