import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freshId } from "../support/ids.js";
import { type RunningServer, runCli, startServer } from "../support/processes.js";
import { REPO_ROOT } from "../support/runtime.js";
import { tempDirForTest } from "../support/temp-dir.js";

const EXAMPLE = join(REPO_ROOT, "examples/annotation-platform");
const PASSWORD = "correct horse battery staple";

/**
 * The whole tenancy story of examples/annotation-platform — its own role names, guests, job
 * assignment by supervisors, installation admins, personal workspaces — on a real `tenantgate
 * serve` started with that schema and tenancy.yaml, through the HTTP API only.
 */
describe("the annotation platform's tenancy, configured, over HTTP", () => {
  let server: RunningServer;
  let writeKey: string;
  let dataDir: string;

  async function call(
    method: string,
    path: string,
    token?: string,
    json?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(json !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  }

  interface Person {
    token: string;
    userId: string;
    email: string;
  }
  async function signUp(name: string, invitationToken?: string): Promise<Person> {
    const email = `${name}-${freshId("e")}@example.com`;
    const signed = await call("POST", "/v1/auth/signup", undefined, {
      email,
      password: PASSWORD,
      ...(invitationToken ? { invitationToken } : {}),
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(201);
    const user = signed.body.user as { id: string };
    return { token: (signed.body.session as { token: string }).token, userId: user.id, email };
  }
  async function session(person: Person) {
    return (await call("GET", "/v1/session", person.token)).body as {
      activeAccount: { id: string; tenantId: string } | null;
      accounts: { id: string; tenant: { id: string; kind: string | null }; roles: string[] }[];
    };
  }
  async function invite(inviter: Person, tenantId: string, role: string) {
    const email = `${role}-${freshId("e")}@example.com`;
    const invited = await call("POST", `/v1/tenants/${tenantId}/invitations`, inviter.token, {
      email,
      role,
    });
    return { ...invited, email, token: (invited.body.invitation as { token?: string })?.token };
  }
  /** A new person invited into `tenantId` as `role`, signed up through the invitation. */
  async function joinAs(inviter: Person, tenantId: string, role: string) {
    const invited = await invite(inviter, tenantId, role);
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    const email = invited.email;
    const signed = await call("POST", "/v1/auth/signup", undefined, {
      email,
      password: PASSWORD,
      invitationToken: invited.token,
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(201);
    const person: Person = {
      token: (signed.body.session as { token: string }).token,
      userId: (signed.body.user as { id: string }).id,
      email,
    };
    const active = (await session(person)).activeAccount;
    expect(active?.tenantId).toBe(tenantId);
    return { ...person, accountId: active?.id as string };
  }
  const write = (person: Person, tenantId: string | undefined, ...relationships: string[]) =>
    call("POST", "/v1/relationships", person.token, {
      ...(tenantId ? { tenantId } : {}),
      updates: relationships.map((relationship) => ({ operation: "touch", relationship })),
    });
  const can = async (person: Person, resource: string, permission: string) => {
    const answer = await call("POST", "/v1/check", person.token, { resource, permission });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.allowed as boolean;
  };
  const jobsVisibleTo = async (person: Person) => {
    const found = await call("POST", "/v1/lookup/resources", person.token, {
      resourceType: "job",
      permission: "view",
    });
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    return found.body.resources as string[];
  };

  let alice: Person;
  let acme: string;
  const project = freshId("prj");
  const task = freshId("tsk");
  const [j1, j2, j3] = [freshId("job"), freshId("job"), freshId("job")];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "tenantgate-annotation-"));
    const env = {
      DATA_DIR: dataDir,
      SCHEMA_PATH: join(EXAMPLE, "schema.zed"),
      TENANCY_PATH: join(EXAMPLE, "tenancy.yaml"),
    };
    const key = await runCli(
      ["service-key", "create", "--name", "provisioning", "--scope", "write"],
      {
        env,
      },
    );
    expect(key.code, key.stderr).toBe(0);
    writeKey = (JSON.parse(key.stdout) as { token: string }).token;
    const operator = await runCli(
      ["user", "create", "--email", "ops@example.com", "--password-stdin", "--operator"],
      { env, input: PASSWORD },
    );
    expect(operator.code, operator.stderr).toBe(0);
    server = await startServer(env);
    alice = await signUp("alice");
    const created = await call("POST", "/v1/tenants", alice.token, { name: "Acme Labeling" });
    expect(created.status).toBe(201);
    acme = (created.body.tenant as { id: string }).id;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("the model is the configuration's: its role names, highest first, and its guest", async () => {
    const tenancy = (await call("GET", "/v1/tenancy", alice.token)).body;
    expect(tenancy.roles).toEqual(["owner", "maintainer", "supervisor", "worker"]);
    expect(tenancy.guest).toBe("guest");
    expect((tenancy.customRoles as { grants: string[] }).grants).toEqual([
      "job_annotate",
      "job_view",
    ]);
    const refused = await invite(alice, acme, "admin");
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("unknown_role");
    expect(refused.body.field).toBe("role");
  });

  test("a new user outside any organisation works in their personal workspace", async () => {
    const sam = await signUp("sam");
    const view = await session(sam);
    expect(view.accounts).toHaveLength(1);
    expect(view.accounts[0]?.tenant.kind).toBe("personal");
    expect(view.accounts[0]?.roles).toEqual(["owner"]);
    const workspace = view.activeAccount?.tenantId as string;
    const mine = freshId("prj");
    expect((await write(sam, workspace, `project:${mine}#tenant@tenant:${workspace}`)).status).toBe(
      200,
    );
    expect(await can(sam, `project:${mine}`, "manage")).toBe(true);
    // Alice's organisation was made after her own workspace: it is hers, and stays apart.
    const aliceView = await session(alice);
    expect(aliceView.accounts.map((a) => a.tenant.kind).sort()).toEqual([null, "personal"]);
    expect(await can(sam, `tenant:${acme}`, "presence")).toBe(false);
  });

  describe("an organisation with maintainers, supervisors, workers and a guest", () => {
    let mark: Awaited<ReturnType<typeof joinAs>>;
    let sue: Awaited<ReturnType<typeof joinAs>>;
    let will: Awaited<ReturnType<typeof joinAs>>;
    let gail: Awaited<ReturnType<typeof joinAs>>;

    beforeAll(async () => {
      mark = await joinAs(alice, acme, "maintainer");
      sue = await joinAs(mark, acme, "supervisor");
      will = await joinAs(mark, acme, "worker");
      gail = await joinAs(mark, acme, "guest");
      // A supervisor links the work to the organisation.
      const linked = await write(
        sue,
        acme,
        `project:${project}#tenant@tenant:${acme}`,
        `task:${task}#tenant@tenant:${acme}`,
        `task:${task}#project@project:${project}`,
        ...[j1, j2, j3].flatMap((j) => [
          `job:${j}#tenant@tenant:${acme}`,
          `job:${j}#task@task:${task}`,
        ]),
      );
      expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    });

    test("a maintainer cannot make maintainers or owners; an owner can", async () => {
      expect((await invite(mark, acme, "maintainer")).status).toBe(403);
      expect((await invite(mark, acme, "owner")).status).toBe(403);
      expect((await invite(alice, acme, "maintainer")).status).toBe(201);
      // A supervisor manages nobody.
      expect((await invite(sue, acme, "worker")).status).toBe(403);
    });

    test("a supervisor assigns a job; a worker may not", async () => {
      expect((await write(sue, acme, `job:${j1}#assignee@account:${will.accountId}`)).status).toBe(
        200,
      );
      const byWorker = await write(will, acme, `job:${j3}#assignee@account:${will.accountId}`);
      expect(byWorker.status).toBe(403);
      expect(byWorker.body.code).toBe("permission_denied");
    });

    test("a worker sees only the jobs assigned to them", async () => {
      expect(await jobsVisibleTo(will)).toEqual([j1]);
      expect(await can(will, `job:${j1}`, "annotate")).toBe(true);
      expect(await can(will, `job:${j2}`, "view")).toBe(false);
      expect((await jobsVisibleTo(sue)).sort()).toEqual([j1, j2, j3].sort());
    });

    test("a guest assignee sees their job and nothing else, is listed as a guest, and can be removed", async () => {
      expect((await write(sue, acme, `job:${j2}#assignee@account:${gail.accountId}`)).status).toBe(
        200,
      );
      expect(await jobsVisibleTo(gail)).toEqual([j2]);
      expect(await can(gail, `project:${project}`, "view")).toBe(false);
      const members = (await call("GET", `/v1/tenants/${acme}/members`, alice.token)).body
        .members as { accountId: string; roles: string[]; guest: boolean }[];
      const listed = members.find((m) => m.accountId === gail.accountId);
      expect(listed).toMatchObject({ roles: [], guest: true });
      expect(members.find((m) => m.accountId === will.accountId)).toMatchObject({
        roles: ["worker"],
        guest: false,
      });
      // A guest does not see the members list.
      expect((await call("GET", `/v1/tenants/${acme}/members`, gail.token)).status).toBe(403);
      const removed = await call(
        "DELETE",
        `/v1/tenants/${acme}/members/${gail.accountId}`,
        mark.token,
      );
      expect(removed.status).toBe(204);
      expect(
        (await call("POST", "/v1/check", gail.token, { resource: `job:${j2}`, permission: "view" }))
          .status,
      ).toBe(403);
    });

    test("a custom role for jobs, from the schema's grant_job_* relations", async () => {
      const role = await call("POST", `/v1/tenants/${acme}/roles`, mark.token, {
        name: "reviewers",
        permissions: ["job_view"],
      });
      expect(role.status, JSON.stringify(role.body)).toBe(201);
      const roleId = (role.body.role as { id: string }).id;
      expect(
        (
          await call(
            "PUT",
            `/v1/tenants/${acme}/roles/${roleId}/members/${will.accountId}`,
            mark.token,
          )
        ).status,
      ).toBe(204);
      expect((await jobsVisibleTo(will)).sort()).toEqual([j1, j2, j3].sort());
      expect(await can(will, `job:${j3}`, "annotate")).toBe(false);
    });

    test("the tenancy core is protected: no role written through the relationships API", async () => {
      const direct = await write(
        alice,
        acme,
        `tenant:${acme}#supervisor@account:${will.accountId}`,
      );
      expect(direct.status).toBe(403);
      expect(direct.body.code).toBe("core_relation");
      const byKey = await call("POST", "/v1/relationships", writeKey, {
        tenantId: acme,
        updates: [
          { operation: "touch", relationship: `tenant:${acme}#platform@platform:elsewhere` },
        ],
      });
      expect(byKey.status).toBe(403);
    });

    test("an installation admin, made so by a user attribute, acts in every organisation", async () => {
      const ian = await signUp("ian");
      expect(await can(ian, `job:${j3}`, "view")).toBe(false);
      // Only operators and write-scoped keys set attributes.
      const byAlice = await call(
        "PUT",
        `/v1/users/${ian.userId}/attributes/${encodeURIComponent("platform:cvat#group_admin")}`,
        alice.token,
      );
      expect(byAlice.status).toBe(403);
      const set = await call(
        "PUT",
        `/v1/users/${ian.userId}/attributes/${encodeURIComponent("platform:cvat#group_admin")}`,
        writeKey,
      );
      expect(set.status, JSON.stringify(set.body)).toBe(204);
      expect(await can(ian, `job:${j3}`, "view")).toBe(true);
      expect(await can(ian, `tenant:${acme}`, "manage")).toBe(true);
      // The attribute reaches accounts made later too: a new organisation of ian's.
      expect((await call("POST", "/v1/tenants", ian.token, { name: "Ian's second" })).status).toBe(
        201,
      );
      const accounts = (await session(ian)).accounts.map((a) => a.id);
      expect(accounts).toHaveLength(2);
      const attributes = await call("GET", `/v1/users/${ian.userId}/attributes`, writeKey);
      expect(attributes.body.attributes).toEqual(["platform:cvat#group_admin"]);
      const platform = await call(
        "GET",
        "/v1/relationships?resource=platform:cvat&relation=group_admin&limit=1000",
        writeKey,
      );
      expect(platform.status, JSON.stringify(platform.body)).toBe(200);
      for (const account of accounts)
        expect(platform.body.relationships).toContain(
          `platform:cvat#group_admin@account:${account}`,
        );
      // And is taken from every account together.
      const removed = await call(
        "DELETE",
        `/v1/users/${ian.userId}/attributes/${encodeURIComponent("platform:cvat#group_admin")}`,
        writeKey,
      );
      expect(removed.status).toBe(204);
      expect(await can(ian, `job:${j3}`, "view")).toBe(false);
    });

    test("installation-wide objects: written by write keys, not by a tenant's owner", async () => {
      const byOwner = await write(
        alice,
        undefined,
        `platform:cvat#group_user@account:${will.accountId}`,
      );
      expect(byOwner.status).toBe(403);
      expect(byOwner.body.code).toBe("operator_only");
      const byKey = await call("POST", "/v1/relationships", writeKey, {
        updates: [
          { operation: "touch", relationship: `platform:cvat#support@account:${will.accountId}` },
        ],
      });
      expect(byKey.status, JSON.stringify(byKey.body)).toBe(200);
      // A user attribute is written for the person through its own API, never account by account.
      const attribute = await call("POST", "/v1/relationships", writeKey, {
        updates: [
          {
            operation: "touch",
            relationship: `platform:cvat#group_business@account:${will.accountId}`,
          },
        ],
      });
      expect(attribute.status).toBe(403);
      expect(attribute.body.code).toBe("core_relation");
      // An operator (tenantgate user create --operator) may too.
      const operator = await call("POST", "/v1/auth/login", undefined, {
        email: "ops@example.com",
        password: PASSWORD,
      });
      const byOperator = await write(
        { token: (operator.body.session as { token: string }).token, userId: "", email: "" },
        undefined,
        `platform:cvat#support@account:${sue.accountId}`,
      );
      expect(byOperator.status, JSON.stringify(byOperator.body)).toBe(200);
      // A tenant object cannot ride along in an installation batch.
      const mixed = await call("POST", "/v1/relationships", writeKey, {
        tenantId: acme,
        updates: [
          {
            operation: "touch",
            relationship: `platform:cvat#support@account:${mark.accountId}`,
          },
          { operation: "touch", relationship: `job:${j3}#assignee@account:${will.accountId}` },
        ],
      });
      expect(mixed.status).toBe(400);
      expect(mixed.body.code).toBe("mixed_batch");
      const audit = (await call("GET", `/v1/tenants/${acme}/audit?limit=1000`, alice.token)).body
        .entries as { action: string }[];
      // Installation writes belong to no tenant: not in the organisation's log.
      expect(audit.map((e) => e.action)).not.toContain("installation.write");
    });
  });
});

describe("a tenancy configuration the schema does not match", () => {
  test("stops start-up with one line naming what is missing", async () => {
    const dir = tempDirForTest("tenancy-mismatch");
    const result = await runCli(["serve"], {
      env: {
        DATA_DIR: join(dir, "data"),
        PORT: "0",
        // The default schema, and a tenancy that names the annotation platform's roles.
        SCHEMA_PATH: join(REPO_ROOT, "schema.zed"),
        TENANCY_PATH: join(EXAMPLE, "tenancy.yaml"),
      },
    });
    expect(result.code).toBe(2);
    const lines = result.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("tenantgate:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /tenancy\.yaml: tenant\.belongs: relation or permission tenant#presence is not in the deployed schema/,
    );
  });
});
