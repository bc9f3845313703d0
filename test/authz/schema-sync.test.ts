import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SchemaRejectedError, syncSchema } from "../../src/authz/schema-sync.js";
import { freshId } from "../support/ids.js";
import { check, readAllRelationships, touchAll } from "../support/relationships.js";
import { SCHEMA_PATH, startTestRuntime } from "../support/runtime.js";
import { tempDirForTest } from "../support/temp-dir.js";

const schema = readFileSync(SCHEMA_PATH, "utf8");

/** A schema file in the test's temp dir. */
function schemaFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("the schema at start-up", () => {
  test("a schema with a syntax error stops start-up, naming the file, line and column", async () => {
    const dir = tempDirForTest("schema");
    const lines = schema.split("\n");
    const at = lines.findIndex((l) => l.includes("relation owner: account"));
    lines[at] = "    relation owner account"; // the colon is missing
    const broken = schemaFile(dir, "broken.zed", lines.join("\n"));

    const error = await startTestRuntime({
      DATA_DIR: join(dir, "data"),
      SCHEMA_PATH: broken,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaRejectedError);
    const message = (error as Error).message;
    expect(message).toContain(broken);
    expect(message).toMatch(new RegExp(`line ${at + 1}, column \\d+`));
    expect(message.split("\n")).toHaveLength(1);

    // Start-up stopped cleanly: the data dir is free, and the right schema starts on it.
    const runtime = await startTestRuntime({ DATA_DIR: join(dir, "data") });
    await runtime.close();
  });

  test("a schema change that would orphan stored relationships is refused, and nothing changes", async () => {
    const dir = tempDirForTest("schema");
    const dataDir = join(dir, "data");
    const [t, p, a] = [freshId("t"), freshId("p"), freshId("a")];
    const first = await startTestRuntime({ DATA_DIR: dataDir });
    await touchAll(first.services.engine, [
      `tenant:${t}#member@account:${a}`,
      `project:${p}#tenant@tenant:${t}`,
      `project:${p}#viewer@account:${a}`,
    ]);
    const deployed = await first.services.engine.readSchema();
    const relationships = await readAllRelationships(first.services.engine);
    await first.close();

    const withoutViewer = schemaFile(
      dir,
      "without-viewer.zed",
      schema
        .replace(/^\s*relation viewer: .*$/m, "")
        .replace("owner + editor + viewer +", "owner + editor +"),
    );
    const error = await startTestRuntime({ DATA_DIR: dataDir, SCHEMA_PATH: withoutViewer }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaRejectedError);
    expect((error as Error).message).toContain(withoutViewer);
    expect((error as Error).message).toMatch(/viewer/);

    const again = await startTestRuntime({ DATA_DIR: dataDir });
    try {
      expect(await again.services.engine.readSchema()).toBe(deployed);
      expect(await readAllRelationships(again.services.engine)).toEqual(relationships);
      expect(await check(again.services.engine, `project:${p}`, "view", `account:${a}`)).toBe(
        "yes",
      );
    } finally {
      await again.close();
    }
  });

  test("a compatible change (a new relation) is deployed at start and kept", async () => {
    const dir = tempDirForTest("schema");
    const dataDir = join(dir, "data");
    await (await startTestRuntime({ DATA_DIR: dataDir })).close();

    const extended = schemaFile(
      dir,
      "extended.zed",
      schema.replace(
        "relation owner: account\n",
        "relation owner: account\n\n    /** auditor is new. */\n    relation auditor: account\n",
      ),
    );
    const runtime = await startTestRuntime({ DATA_DIR: dataDir, SCHEMA_PATH: extended });
    await runtime.close();
    const reopened = await startTestRuntime(
      { DATA_DIR: dataDir, SCHEMA_PATH: extended },
      { applySchema: false },
    );
    try {
      expect(await reopened.services.engine.readSchema()).toMatch(/relation auditor: account/);
    } finally {
      await reopened.close();
    }
  });

  test("syncSchema writes only when the schema differs, whitespace aside", async () => {
    const dir = tempDirForTest("schema");
    const runtime = await startTestRuntime({ DATA_DIR: dir });
    try {
      const { engine } = runtime.services;
      const deployed = await engine.readSchema();
      expect(await syncSchema(engine, deployed, "deployed")).toBe("unchanged");
      expect(await syncSchema(engine, deployed.replace(/\n/g, "\n\n  "), "reflowed")).toBe(
        "unchanged",
      );
      expect(await syncSchema(engine, `${deployed}\ndefinition extra {}\n`, "extended")).toBe(
        "written",
      );
    } finally {
      await runtime.close();
    }
  });
});
