import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { freshId } from "../support/ids.js";
import { type RunningServer, runCli, startServer } from "../support/processes.js";
import { readAllRelationships, storedRelationships, touchAll } from "../support/relationships.js";
import { SCHEMA_PATH, startTestRuntime } from "../support/runtime.js";
import { tempDirForTest } from "../support/temp-dir.js";

/** A data dir holding the repo's schema and a varied set of relationships; returns them sorted. */
async function seededDataDir(dataDir: string): Promise<string[]> {
  const [t, r, p, a, b] = [freshId("t"), freshId("r"), freshId("p"), freshId("a"), freshId("a")];
  const runtime = await startTestRuntime({ DATA_DIR: dataDir });
  try {
    await touchAll(runtime.services.engine, [
      `account:${a}#tenant@tenant:${t}`,
      `account:${a}#user@user:${freshId("u")}`,
      `tenant:${t}#owner@account:${a}`,
      `tenant:${t}#member@account:${b}`,
      `tenant:${t}#role@role:${r}`,
      `role:${r}#tenant@tenant:${t}`,
      `role:${r}#assignee@account:${b}`,
      `role:${r}#grant_project_edit@account:*`,
      `project:${p}#tenant@tenant:${t}`,
      `project:${p}#editor@role:${r}#assignee`,
      `project:${p}#editor@account:${b}[expiration:2100-01-01T00:00:00Z]`,
      `project:${p}#viewer@account:${b}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`,
      // Expired: the engine treats it as absent, so it is not exported.
      `project:${p}#viewer@account:${a}[expiration:2020-01-01T00:00:00Z]`,
    ]);
    return await readAllRelationships(runtime.services.engine);
  } finally {
    await runtime.close();
  }
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

describe("tenantgate relationships export / import", () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  test("export, then import into an empty data dir, reproduces the same set", async () => {
    const dir = tempDirForTest("cli");
    const source = join(dir, "source");
    const relationships = await seededDataDir(source);
    expect(relationships).toHaveLength(12);

    const exported = await runCli(["relationships", "export"], { env: { DATA_DIR: source } });
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(lines(exported.stdout).sort()).toEqual(relationships);

    const file = join(dir, "relationships.txt");
    writeFileSync(file, `// exported for the test\n\n${exported.stdout}`);
    const target = join(dir, "target");
    const imported = await runCli(["relationships", "import", file], {
      env: { DATA_DIR: target, SCHEMA_PATH },
    });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain(
      `imported ${relationships.length} relationships from ${file}`,
    );

    // Importing again is a no-op (touch).
    expect(
      (await runCli(["relationships", "import", file], { env: { DATA_DIR: target, SCHEMA_PATH } }))
        .code,
    ).toBe(0);

    const reexported = await runCli(["relationships", "export"], { env: { DATA_DIR: target } });
    expect(reexported.code).toBe(0);
    expect(lines(reexported.stdout).sort()).toEqual(relationships);
    const runtime = await startTestRuntime({ DATA_DIR: target }, { applySchema: false });
    try {
      expect(storedRelationships(runtime.services.db)).toEqual(relationships);
    } finally {
      await runtime.close();
    }
  });

  test("import of a file with a bad line names the line and writes nothing", async () => {
    const dir = tempDirForTest("cli");
    const file = join(dir, "bad.txt");
    writeFileSync(file, "project:p1#viewer@account:a1\nproject:p1#viewer@account\n");
    const target = join(dir, "target");
    const result = await runCli(["relationships", "import", file], {
      env: { DATA_DIR: target, SCHEMA_PATH },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:2: subject "account" must be type:id`);

    const exported = await runCli(["relationships", "export"], { env: { DATA_DIR: target } });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe("");
  });

  test("a relationship given twice is imported once (the later line wins)", async () => {
    const dir = tempDirForTest("cli");
    const file = join(dir, "twice.txt");
    writeFileSync(
      file,
      [
        "project:p1#viewer@account:a1",
        'project:p1#viewer@account:a1[on_network:{"allowed_cidr":"10.0.0.0/8"}]',
        "project:p1#editor@account:a2",
        "project:p1#editor@account:a2",
      ].join("\n"),
    );
    const target = join(dir, "target");
    const result = await runCli(["relationships", "import", file], {
      env: { DATA_DIR: target, SCHEMA_PATH },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("imported 2 relationships");
    expect(result.stderr).toContain("2 repeated lines counted once");
    const exported = await runCli(["relationships", "export"], { env: { DATA_DIR: target } });
    expect(lines(exported.stdout).sort()).toEqual([
      "project:p1#editor@account:a2",
      'project:p1#viewer@account:a1[on_network:{"allowed_cidr":"10.0.0.0/8"}]',
    ]);
  });

  test("a line the engine refuses is named in one line; what came before it is in, and said so", async () => {
    const dir = tempDirForTest("cli");
    const file = join(dir, "refused.txt");
    writeFileSync(
      file,
      [
        "project:p1#viewer@account:a1",
        "project:p2#viewer@account:a1",
        "project:p3#auditor@account:a1",
        "project:p4#viewer@account:a1",
      ].join("\n"),
    );
    const target = join(dir, "target");
    const result = await runCli(["relationships", "import", file], {
      env: { DATA_DIR: target, SCHEMA_PATH },
    });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(`${file}:3: `);
    expect(result.stderr).toContain("auditor");
    expect(result.stderr).toContain("2 relationships before it were imported, nothing after");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const exported = await runCli(["relationships", "export"], { env: { DATA_DIR: target } });
    expect(lines(exported.stdout).sort()).toEqual([
      "project:p1#viewer@account:a1",
      "project:p2#viewer@account:a1",
    ]);
  });

  test("export refuses, with a clear message and exit 1, while a server holds the data dir", async () => {
    const dir = tempDirForTest("cli");
    const dataDir = join(dir, "data");
    const relationships = await seededDataDir(dataDir);
    server = await startServer({ DATA_DIR: dataDir, SCHEMA_PATH });

    const refused = await runCli(["relationships", "export"], { env: { DATA_DIR: dataDir } });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(lines(refused.stderr)).toEqual([
      `tenantgate: data dir ${dataDir} is in use by process ${server.pid} (serve); stop it first, or point DATA_DIR elsewhere`,
    ]);
    expect(JSON.parse(readFileSync(join(dataDir, "tenantgate.lock"), "utf8"))).toMatchObject({
      pid: server.pid,
    });

    // Once the server has stopped (SIGTERM, graceful), the same export works.
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    server = undefined;
    const exported = await runCli(["relationships", "export"], { env: { DATA_DIR: dataDir } });
    expect(exported.code).toBe(0);
    expect(lines(exported.stdout).sort()).toEqual(relationships);
  });
});
