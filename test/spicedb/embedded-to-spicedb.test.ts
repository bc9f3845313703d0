import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { call, joinTenant, tenantWithProject } from "../e2e/replica-scenarios.js";
import { type RunningServer, runCli, startServer } from "../support/processes.js";
import { readAllRelationships, touchAll } from "../support/relationships.js";
import { SCHEMA_PATH, startTestRuntime } from "../support/runtime.js";
import { describeWithSpicedb, type SpicedbServer, startSpicedb } from "../support/spicedb.js";
import { tempDirPool } from "../support/temp-dir.js";

/**
 * The way from the embedded default to SpiceDB (docs/operations.md, "From embedded to
 * SpiceDB"): an installation that ran embedded is stopped, `tenantgate relationships export`
 * reads its DATA_DIR, `tenantgate relationships import` (SPICEDB_ENDPOINT set) writes into real
 * SpiceDB, and the same DATA_DIR then serves in remote mode. Every relationship must arrive, and
 * every question must get the answer it got before, for the same sessions.
 */
const BULK = 1_200; // projects, each linked and granted: more than SpiceDB's 1,000 per call

const lines = (text: string) => text.split("\n").filter((line) => line !== "");

describeWithSpicedb("from embedded to real SpiceDB: export, import, serve", () => {
  const dirs = tempDirPool("embedded-to-spicedb");
  let dataDir: string;
  let spicedb: SpicedbServer;
  let server: RunningServer | undefined;
  let member: { token: string; accountId: string };
  let outsider: { token: string; accountId: string };
  let project: string;

  const remote = () => ({
    DATA_DIR: dataDir,
    SCHEMA_PATH,
    SPICEDB_ENDPOINT: spicedb.endpoint,
    SPICEDB_PRESHARED_KEY: spicedb.presharedKey,
    SPICEDB_INSECURE: "true",
  });

  /** The questions asked before and after, with what each answered. */
  async function answers(via: RunningServer) {
    const ask = async (who: { token: string }, body: Record<string, unknown>) => {
      const answer = await call(via, "/v1/check", who.token, body);
      return `${answer.status} ${answer.body.permissionship ?? answer.body.code}`;
    };
    const view = (resource: string, context?: Record<string, unknown>) => ({
      resource,
      permission: "view",
      ...(context ? { context } : {}),
    });
    const lookup = await call(via, "/v1/lookup/resources", member.token, {
      resourceType: "project",
      permission: "view",
    });
    return {
      memberView: await ask(member, view(`project:${project}`)),
      memberEdit: await ask(member, { resource: `project:${project}`, permission: "edit" }),
      // A session's caveat context carries its connection's address (127.0.0.1 here), whatever
      // the body claims.
      onNetwork: await ask(member, view(`project:${project}_vpn`)),
      offNetwork: await ask(member, view(`project:${project}_office`)),
      claimed: await ask(member, view(`project:${project}_office`, { client_ip: "10.1.2.3" })),
      expiring: await ask(member, view(`project:${project}_until2100`)),
      bulkGranted: await ask(member, view(`project:bulk_${BULK - 1}`)),
      bulkNotGranted: await ask(member, view(`project:bulk_${BULK}`)),
      outsiderView: await ask(outsider, view(`project:${project}`)),
      lookupStatus: lookup.status,
      lookupCount: (lookup.body.resources as string[] | undefined)?.length,
    };
  }

  beforeAll(async () => {
    dataDir = dirs.make();
    spicedb = await startSpicedb({ label: "migration" });
  });
  afterAll(async () => {
    await server?.stop();
    await spicedb?.stop();
    dirs.removeAll();
  });

  test("every relationship arrives and every check answers as before", async () => {
    // An embedded installation, used through its API.
    server = await startServer({ DATA_DIR: dataDir, SCHEMA_PATH });
    const tenant = await tenantWithProject(server, "mig");
    project = tenant.project;
    member = await joinTenant(server, server, tenant.ownerToken, tenant.tenantId, "member");
    const other = await tenantWithProject(server, "other");
    outsider = await joinTenant(server, server, other.ownerToken, other.tenantId, "outsider");
    const wrote = await call(server, "/v1/relationships", tenant.ownerToken, {
      updates: [
        `project:${project}#viewer@account:${member.accountId}`,
        `project:${project}_vpn#tenant@tenant:${tenant.tenantId}`,
        `project:${project}_vpn#viewer@account:${member.accountId}[on_network:{"allowed_cidr":"127.0.0.0/8"}]`,
        `project:${project}_office#tenant@tenant:${tenant.tenantId}`,
        `project:${project}_office#viewer@account:${member.accountId}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`,
        `project:${project}_until2100#tenant@tenant:${tenant.tenantId}`,
        `project:${project}_until2100#editor@account:${member.accountId}[expiration:2100-01-01T00:00:00Z]`,
      ].map((relationship) => ({ operation: "touch", relationship })),
    });
    expect(wrote.status, JSON.stringify(wrote.body)).toBe(200);
    await server.stop();
    server = undefined;

    // Enough relationships of one type that export and import cross SpiceDB's per-call limits.
    const runtime = await startTestRuntime({ DATA_DIR: dataDir }, { applySchema: false });
    try {
      const bulk = Array.from({ length: BULK + 1 }, (_, i) => [
        `project:bulk_${i}#tenant@tenant:${tenant.tenantId}`,
        ...(i < BULK ? [`project:bulk_${i}#viewer@account:${member.accountId}`] : []),
      ]).flat();
      // A grant to another tenant's account (the API refuses to write it; an operator's import
      // could): membership still cuts it off.
      bulk.push(`project:${project}#editor@account:${outsider.accountId}`);
      for (let i = 0; i < bulk.length; i += 1_000) {
        await touchAll(runtime.services.engine, bulk.slice(i, i + 1_000));
      }
    } finally {
      await runtime.close();
    }

    server = await startServer({ DATA_DIR: dataDir, SCHEMA_PATH });
    const before = await answers(server);
    expect(before).toMatchObject({
      memberView: "200 has_permission",
      memberEdit: "200 no_permission",
      onNetwork: "200 has_permission",
      offNetwork: "200 no_permission",
      claimed: "200 no_permission",
      expiring: "200 has_permission",
      bulkGranted: "200 has_permission",
      bulkNotGranted: "200 no_permission",
      outsiderView: "200 no_permission",
      lookupStatus: 200,
      lookupCount: BULK + 3,
    });
    await server.stop();
    server = undefined;

    // 1. Export from the stopped installation's DATA_DIR.
    const exported = await runCli(["relationships", "export"], { env: { DATA_DIR: dataDir } });
    expect(exported.code, exported.stderr).toBe(0);
    const relationships = lines(exported.stdout).sort();
    expect(relationships.length).toBeGreaterThan(2 * BULK);
    const file = join(dirs.make(), "relationships.txt");
    writeFileSync(file, exported.stdout);

    // 2. Import into SpiceDB, with the same DATA_DIR: the schema is written first, and the
    // freshness token the installation keeps becomes SpiceDB's.
    const imported = await runCli(["relationships", "import", file], {
      env: remote(),
      timeoutMs: 120_000,
    });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain(
      `imported ${relationships.length} relationships from ${file}`,
    );
    expect(await readAllRelationships(spicedb.engine())).toEqual(relationships);

    // Importing again changes nothing; exporting from SpiceDB gives the same lines.
    expect((await runCli(["relationships", "import", file], { env: remote() })).code).toBe(0);
    const reexported = await runCli(["relationships", "export"], { env: remote() });
    expect(reexported.code, reexported.stderr).toBe(0);
    expect(lines(reexported.stdout).sort()).toEqual(relationships);

    // 3. The same DATA_DIR serves in remote mode: same sessions, same answers.
    server = await startServer(remote());
    expect(await answers(server)).toEqual(before);
  }, 300_000);
});
