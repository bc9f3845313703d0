import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EmbeddedEngine } from "../../src/authz/embedded/embedded-engine.js";
import { RelationshipStore } from "../../src/authz/relationship-store.js";
import type { RemoteEngine } from "../../src/authz/remote-engine.js";
import { formatChange, formatRefusal } from "../../src/cli/schema-diff-format.js";
import { DATA_FILE, openEmbeddedDir } from "../../src/data/data-dir.js";
import { lockDataDir } from "../../src/data/data-dir-lock.js";
import { locateInFile } from "../../src/schema/scalar-position.js";
import { planSchemaChange } from "../../src/schema/schema-change.js";
import { diffOutlines } from "../../src/schema/schema-diff.js";
import { outlineSchema } from "../../src/schema/schema-outline.js";
import { type DevServer, remoteEngineFor, startDevServer } from "../support/dev-server.js";
import { openEngineFile } from "../support/engine-file.js";
import { freshId } from "../support/ids.js";
import { runCli } from "../support/processes.js";
import { touchAll } from "../support/relationships.js";
import { SCHEMA_PATH, startTestRuntime } from "../support/runtime.js";
import { tempDirForTest } from "../support/temp-dir.js";
import { lineOf } from "./write-files.js";

/** Replaces `from` with `to`, insisting that `from` is there (an edit that misses is a bad test). */
function edit(schema: string, ...pairs: [from: string, to: string][]): string {
  let result = schema;
  for (const [from, to] of pairs) {
    if (!result.includes(from)) throw new Error(`"${from}" is not in the schema`);
    result = result.replace(from, to);
  }
  return result;
}

describe("diffOutlines", () => {
  const BASE = `definition user {}

definition group {
  relation member: user | group#member
}

definition document {
  relation viewer: user | group#member
  relation owner: user
  permission view = viewer + owner
}
`;

  test.each([
    [
      "the same schema, laid out and commented differently",
      edit(
        BASE,
        ["relation owner: user", "// owners\n  relation owner : user"],
        ["viewer + owner", "viewer+\n    owner"],
      ),
      [],
    ],
    [
      "allowed types in another order",
      edit(BASE, ["viewer: user | group#member", "viewer: group#member | user"]),
      [],
    ],
    [
      "an added definition, spelt out",
      `${BASE}\ndefinition project {\n  relation owner: user\n  permission manage = owner\n}\n`,
      [
        "+ definition project",
        "+ relation project#owner: user",
        "+ permission project#manage = owner",
      ],
    ],
    [
      "a removed definition, as a whole",
      edit(
        BASE,
        ["definition user {}\n", ""],
        ["user | group#member", "group#member"],
        ["viewer: user | group#member", "viewer: group#member"],
        ["relation owner: user", "relation owner: group"],
      ),
      [
        "- definition user",
        "~ relation group#member: user | group#member → group#member",
        "~ relation document#viewer: user | group#member → group#member",
        "~ relation document#owner: user → group",
      ],
    ],
    [
      "a changed permission",
      edit(BASE, ["viewer + owner", "viewer + owner - viewer"]),
      ["~ permission document#view: viewer + owner → viewer + owner - viewer"],
    ],
    [
      "a relation that becomes a permission",
      edit(BASE, ["relation owner: user", "permission owner = viewer"]),
      ["- relation document#owner", "+ permission document#owner = viewer"],
    ],
    [
      "a feature, a caveat and a caveated type",
      edit(`use expiration\n\n${BASE}\ncaveat weekday(day string) {\n  day != "sunday"\n}\n`, [
        "viewer: user | group#member",
        "viewer: user | group#member | user with weekday and expiration",
      ]),
      [
        "+ use expiration",
        '+ caveat weekday(day string) { day != "sunday" }',
        "~ relation document#viewer: user | group#member → user | group#member | user with weekday and expiration",
      ],
    ],
  ])("%s", (_label, proposed, expected) => {
    const diff = diffOutlines(outlineSchema(BASE), outlineSchema(proposed));
    expect(diff.changes.map(formatChange)).toEqual(expected);
  });

  test("caveat parameters in another order are no change", () => {
    const before = "caveat c(a int, b int) {\n  a > b\n}\n";
    const after = "caveat c(b int, a int) {\n  a > b\n}\n";
    expect(diffOutlines(outlineSchema(before), outlineSchema(after)).changes).toEqual([]);
  });

  test("a caveat that loses a parameter or changes its type is refused whatever the data", () => {
    const before = "caveat c(a int, b string, d int) {\n  a > 1 && b != '' && d > 0\n}\n";
    const after = "caveat c(a int, b int) {\n  a > b\n}\n";
    const diff = diffOutlines(outlineSchema(before), outlineSchema(after));
    expect(diff.changes.map(formatChange)).toEqual([
      "~ caveat c: c(a int, b string, d int) { a > 1 && b != '' && d > 0 } → c(a int, b int) { a > b }",
    ]);
    expect(diff.refusals.map(formatRefusal)).toEqual([
      "! SpiceDB would refuse: caveat c changes the type of its parameter b (string → int)",
      "! SpiceDB would refuse: caveat c loses its parameter d",
    ]);
  });
});

/**
 * Every prediction is checked against SpiceDB itself: the plan refuses a change exactly when
 * the engine, holding the same relationships, refuses to write it.
 */
describe("planSchemaChange predicts what SpiceDB does", () => {
  const BASE = `use expiration

definition user {}

caveat weekday(day string, hour int) {
  day != "sunday" && hour < 18
}

definition group {
  relation member: user | group#member
}

definition document {
  relation viewer: user | user:* | group#member | user with weekday | user with expiration
  relation owner: user
  relation parent: group
  permission view = viewer + owner + parent->member
}
`;
  const withoutOwner = edit(BASE, ["  relation owner: user\n", ""], [" + owner", ""]);
  const withoutGroup = edit(
    BASE,
    ["definition group {\n  relation member: user | group#member\n}\n", ""],
    [" | group#member", ""],
    ["relation parent: group", "relation parent: user"],
    [" + parent->member", ""],
  );
  const ACCEPTED = undefined;

  test.each([
    [
      "an added permission",
      ["document:d#owner@user:u"],
      edit(BASE, ["permission view", "permission edit = owner\n  permission view"]),
      ACCEPTED,
    ],
    [
      "a removed relation in use",
      ["document:d#owner@user:u"],
      withoutOwner,
      "relation document#owner is removed, but relationships still use it, e.g. document:d#owner@user:u",
    ],
    ["a removed relation not in use", ["document:d#viewer@user:u"], withoutOwner, ACCEPTED],
    [
      "a relation turned into a permission, in use",
      ["document:d#owner@user:u"],
      edit(BASE, ["relation owner: user", "permission owner = viewer"]),
      "relation document#owner is removed",
    ],
    [
      "a dropped subject type in use",
      ["document:d#viewer@group:g#member"],
      edit(BASE, ["user:* | group#member |", "user:* |"]),
      "relation document#viewer no longer allows group#member, but relationships still use it, e.g. document:d#viewer@group:g#member",
    ],
    [
      "a dropped `user` while only `user:*` is used (SpiceDB counts it)",
      ["document:d#viewer@user:*"],
      edit(BASE, ["viewer: user | ", "viewer: "]),
      "relation document#viewer no longer allows user, ",
    ],
    [
      "a dropped `user:*` while only `user` is used",
      ["document:d#viewer@user:u"],
      edit(BASE, ["user:* | ", ""]),
      ACCEPTED,
    ],
    [
      "a dropped caveated type while only uncaveated ones are used",
      ["document:d#viewer@user:u"],
      edit(BASE, [" | user with weekday", ""]),
      ACCEPTED,
    ],
    [
      "a dropped uncaveated type while only caveated ones are used",
      ['document:d#viewer@user:u[weekday:{"day":"monday"}]'],
      edit(BASE, ["viewer: user | ", "viewer: "]),
      ACCEPTED,
    ],
    [
      "a dropped caveated type in use",
      ["document:d#viewer@user:u", "document:d#viewer@user:v[weekday]"],
      edit(BASE, [" | user with weekday", ""]),
      "no longer allows user with weekday, but relationships still use it, e.g. document:d#viewer@user:v[weekday]",
    ],
    [
      "a dropped expiring type in use",
      ["document:d#viewer@user:u[expiration:2099-01-01T00:00:00Z]"],
      edit(BASE, [" | user with expiration", ""]),
      "no longer allows user with expiration",
    ],
    [
      "a removed definition with relationships under it",
      ["group:g#member@user:u"],
      withoutGroup,
      "definition group is removed, but relationships still use it, e.g. group:g#member@user:u",
    ],
    [
      "a removed definition that relationships name as subject",
      ["document:d#parent@group:g"],
      withoutGroup,
      "definition group is removed, but relationships of document#parent still name it as their subject, e.g. document:d#parent@group:g",
    ],
    [
      "a removed relation that relationships name in their subject",
      ["document:d#viewer@group:g#member"],
      edit(
        BASE,
        ["relation member: user | group#member", "relation admin: user"],
        [" | group#member", ""],
        ["parent->member", "parent->admin"],
      ),
      "relation group#member is removed, but relationships of document#viewer still name it as their subject, e.g. document:d#viewer@group:g#member",
    ],
    [
      "a caveat that loses a parameter",
      [],
      edit(BASE, ["day string, hour int", "day string"], [" && hour < 18", ""]),
      "caveat weekday loses its parameter hour",
    ],
    [
      "a caveat parameter that changes type",
      [],
      edit(BASE, ["hour int", "hour string"], ["hour < 18", 'hour != "late"']),
      "caveat weekday changes the type of its parameter hour (int → string)",
    ],
    [
      "a caveat whose expression changes",
      ["document:d#viewer@user:u[weekday]"],
      edit(BASE, ["hour < 18", "hour < 20"]),
      ACCEPTED,
    ],
  ])("%s", async (_label, relationships, proposed, refusal) => {
    const engine = await EmbeddedEngine.start();
    try {
      await engine.writeSchema(BASE);
      await touchAll(engine, relationships);
      const plan = await planSchemaChange(engine, {
        file: "schema.zed",
        text: proposed,
        locate: locateInFile("schema.zed"),
      });
      expect(plan.changes).not.toEqual([]);
      const reasons = plan.refusals.map(formatRefusal);
      if (refusal === ACCEPTED) expect(reasons).toEqual([]);
      else expect(reasons).toContainEqual(expect.stringContaining(refusal));

      const written = await engine.writeSchema(proposed).then(
        () => "accepted",
        (error: Error) => `refused: ${error.message}`,
      );
      expect(written).toMatch(refusal === ACCEPTED ? /^accepted$/ : /^refused: /);
    } finally {
      await engine.close();
    }
  });
});

const SCHEMA = `/** user is a person. */
definition user {}

definition group {
  relation member: user | group#member
}

definition document {
  // who may read it
  relation viewer: user | group#member
  relation owner: user
  relation archived_by: user
  permission view = viewer + owner
}
`;

/** A data dir whose schema is SCHEMA, with a viewer and an owner of one document. */
async function seedDataDir() {
  const dir = tempDirForTest("schema-diff");
  const schemaPath = join(dir, "schema.zed");
  writeFileSync(schemaPath, SCHEMA);
  const dataDir = join(dir, "data");
  const document = freshId("doc");
  const owner = `document:${document}#owner@user:${freshId("u")}`;
  // A data dir of the embedded engine alone: its schema is no tenancy's, only SpiceDB's.
  const opened = await openEmbeddedDir({ dir: dataDir, file: DATA_FILE, purpose: "seed" });
  try {
    await opened.engine.writeSchema(SCHEMA);
    await touchAll(opened.engine, [`document:${document}#viewer@user:${freshId("u")}`, owner]);
  } finally {
    await opened.close();
  }
  /** Writes a proposed schema next to the data dir; returns its path. */
  const propose = (text: string) => {
    const path = join(dir, `${freshId("proposed")}.zed`);
    writeFileSync(path, text);
    return path;
  };
  return { dataDir, schemaPath, owner, propose };
}

const lines = (text: string) => text.split("\n");

describe("tenantgate schema diff and apply on a data dir (process)", () => {
  test("the deployed schema itself: no changes, exit 0", async () => {
    const { dataDir, schemaPath } = await seedDataDir();
    const result = await runCli(["schema", "diff", schemaPath, "--against-data-dir", dataDir]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("no changes\n");
    expect(result.code).toBe(0);
  });

  test("new comments alone are no change (exit 0), but apply writes them", async () => {
    const { dataDir, propose } = await seedDataDir();
    const text = edit(SCHEMA, ["// who may read it", "/** viewer: who may read it. */"]);
    const file = propose(text);

    const diff = await runCli(["schema", "diff", file, "--against-data-dir", dataDir]);
    expect(diff.stdout).toBe("no changes (only comments differ)\n");
    expect(diff.code).toBe(0);

    const apply = await runCli(["schema", "apply", file, "--against-data-dir", dataDir]);
    expect(apply.stdout).toBe(`schema written to data dir ${dataDir} (comments only)\n`);
    expect(apply.code).toBe(0);
    const again = await runCli(["schema", "apply", file, "--against-data-dir", dataDir]);
    expect(again.stdout).toBe("no changes, nothing written\n");
    expect(again.code).toBe(0);
  });

  test("an added permission is listed (exit 3), applies (exit 0), and is then deployed", async () => {
    const { dataDir, propose } = await seedDataDir();
    const file = propose(
      edit(SCHEMA, ["permission view", "permission edit = owner\n  permission view"]),
    );

    const diff = await runCli(["schema", "diff", file, "--against-data-dir", dataDir]);
    expect(diff.stdout).toBe("+ permission document#edit = owner\n1 change\n");
    expect(diff.code).toBe(3);

    const apply = await runCli(["schema", "apply", file, "--against-data-dir", dataDir]);
    expect(lines(apply.stdout)).toEqual([
      "+ permission document#edit = owner",
      `schema written to data dir ${dataDir} (1 change)`,
      "",
    ]);
    expect(apply.code).toBe(0);

    const again = await runCli(["schema", "diff", file, "--against-data-dir", dataDir]);
    expect(again.stdout).toBe("no changes\n");
    expect(again.code).toBe(0);
  });

  test("removing a relation in use: diff says SpiceDB would refuse (exit 4), apply fails with SpiceDB's message (exit 1)", async () => {
    const { dataDir, owner, propose } = await seedDataDir();
    const text = edit(SCHEMA, ["  relation owner: user\n", ""], ["viewer + owner", "viewer"]);
    const file = propose(text);

    const diff = await runCli(["schema", "diff", file, "--against-data-dir", dataDir]);
    expect(lines(diff.stdout)).toEqual([
      "- relation document#owner",
      "~ permission document#view: viewer + owner → viewer",
      `! SpiceDB would refuse: relation document#owner is removed, but relationships still use it, e.g. ${owner}`,
      "2 changes, SpiceDB would refuse them",
      "",
    ]);
    expect(diff.code).toBe(4);

    const apply = await runCli(["schema", "apply", file, "--against-data-dir", dataDir]);
    expect(lines(apply.stdout).slice(-3)).toEqual([
      `${file}:${lineOf(text, "definition document")}:12: schema: cannot delete relation \`owner\` in object definition \`document\`, as at least one relationship exists under it: ${owner}`,
      "schema not written: SpiceDB refused it",
      "",
    ]);
    expect(apply.code).toBe(1);

    // Nothing was written: the same change is still ahead.
    const again = await runCli(["schema", "diff", file, "--against-data-dir", dataDir]);
    expect(again.code).toBe(4);
  });

  test("removing a relation no one uses applies, and the data dir keeps the new schema", async () => {
    const { dataDir, propose } = await seedDataDir();
    const text = edit(SCHEMA, ["  relation archived_by: user\n", ""]);
    const file = propose(text);

    const diff = await runCli(["schema", "diff", file, "--against-data-dir", dataDir]);
    expect(diff.stdout).toBe("- relation document#archived_by\n1 change\n");
    expect(diff.code).toBe(3);

    const apply = await runCli(["schema", "apply", file, "--against-data-dir", dataDir]);
    expect(apply.stdout).toContain(`schema written to data dir ${dataDir} (1 change)\n`);
    expect(apply.code).toBe(0);

    // Stored as written, so `serve` with this file as SCHEMA_PATH finds it unchanged.
    const db = await openEngineFile(join(dataDir, "tenantgate.sqlite"));
    try {
      expect(new RelationshipStore(db).getState("schema")).toBe(text);
    } finally {
      db.close();
    }
  });

  test("a data dir in use by a server is refused (exit 2), with what to do instead", async () => {
    const { dataDir, schemaPath } = await seedDataDir();
    const unlock = lockDataDir(dataDir, "serve");
    try {
      const result = await runCli(["schema", "apply", schemaPath, "--against-data-dir", dataDir]);
      expect(result.stderr).toContain(
        `data dir ${dataDir} is in use by process ${process.pid} (serve)`,
      );
      expect(result.stderr).toContain("stop the server first");
      expect(result.stderr).toContain("--against HOST:PORT");
      expect(result.stdout).toBe("");
      expect(result.code).toBe(2);
    } finally {
      unlock();
    }
  });

  test("NEW_SCHEMA defaults to ./schema.zed", async () => {
    const dataDir = join(tempDirForTest("schema-diff"), "data");
    const runtime = await startTestRuntime({ DATA_DIR: dataDir, SCHEMA_PATH });
    await runtime.close();
    // The CLI runs in the repository root, next to the repository's schema.zed.
    const result = await runCli(["schema", "diff", "--against-data-dir", dataDir]);
    expect(result.stdout).toBe("no changes\n");
    expect(result.code).toBe(0);
  });

  test.each([
    ["no TARGET", [], /needs exactly one TARGET/],
    [
      "two TARGETs",
      ["--against", "localhost:50051", "--against-data-dir", "data"],
      /needs exactly one TARGET/,
    ],
    [
      "an endpoint that is not host:port",
      ["--against", "localhost", "--preshared-key", "k"],
      /--against expects host:port/,
    ],
    [
      "an endpoint without a key",
      ["--against", "localhost:50051"],
      /needs --preshared-key KEY \(or SPICEDB_PRESHARED_KEY\)/,
    ],
    [
      "a key for a data dir",
      ["--against-data-dir", "data", "--preshared-key", "k"],
      /--preshared-key goes with --against/,
    ],
    [
      "two schemas",
      ["a.zed", "b.zed", "--against-data-dir", "data"],
      /takes one NEW_SCHEMA, not 2/,
    ],
  ])("bad usage (%s) exits 2", async (_label, args, message) => {
    const result = await runCli(["schema", "diff", ...args]);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("usage: tenantgate schema validate");
    expect(result.code).toBe(2);
  });

  test("unusable input or target exits 2: a schema that does not compile, a missing file, a dir that is not a data dir", async () => {
    const { dataDir, propose } = await seedDataDir();
    const broken = edit(SCHEMA, ["relation owner: user", "relation owner: user +"]);
    const file = propose(broken);
    const syntax = await runCli(["schema", "diff", file, "--against-data-dir", dataDir]);
    expect(syntax.stderr).toBe(
      `tenantgate: ${file}:${lineOf(broken, "relation owner")}:24: schema: Expected end of statement or definition, found: TokenTypePlus\n`,
    );
    expect(syntax.code).toBe(2);

    const missing = await runCli([
      "schema",
      "diff",
      `${file}.missing`,
      "--against-data-dir",
      dataDir,
    ]);
    expect(missing.stderr).toBe(`tenantgate: cannot read ${file}.missing: no such file\n`);
    expect(missing.code).toBe(2);

    const notData = tempDirForTest("schema-diff");
    const target = await runCli(["schema", "diff", file, "--against-data-dir", notData]);
    expect(target.stderr).toBe(
      `tenantgate: ${notData} is not a tenantgate data dir: it has no tenantgate.sqlite\n`,
    );
    expect(target.code).toBe(2);
  });
});

describe("tenantgate schema diff and apply on a SpiceDB endpoint (process)", () => {
  let server: DevServer;
  let endpoint: string;
  let presharedKey: string;
  let engine: RemoteEngine;

  beforeAll(async () => {
    server = await startDevServer();
    ({ endpoint, presharedKey } = server);
    engine = remoteEngineFor(server, { timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await engine?.close();
    if (server) await server.stop();
  });

  const against = () => ["--against", endpoint, "--insecure"];

  test("refused, applied, then in place; the key may come from SPICEDB_PRESHARED_KEY", async () => {
    await engine.writeSchema(SCHEMA);
    const owner = `document:${freshId("doc")}#owner@user:${freshId("u")}`;
    await touchAll(engine, [owner]);
    const dir = tempDirForTest("schema-diff");

    const refusedText = edit(
      SCHEMA,
      ["  relation owner: user\n", ""],
      ["viewer + owner", "viewer"],
    );
    const refusedFile = join(dir, "refused.zed");
    writeFileSync(refusedFile, refusedText);
    const diff = await runCli([
      "schema",
      "diff",
      refusedFile,
      ...against(),
      "--preshared-key",
      presharedKey,
    ]);
    expect(diff.stdout).toContain(
      `! SpiceDB would refuse: relation document#owner is removed, but relationships still use it, e.g. ${owner}\n`,
    );
    expect(diff.code).toBe(4);
    const refused = await runCli(["schema", "apply", refusedFile, ...against()], {
      env: { SPICEDB_PRESHARED_KEY: presharedKey },
    });
    expect(refused.stdout).toContain(
      `schema: cannot delete relation \`owner\` in object definition \`document\`, as at least one relationship exists under it: ${owner}\n`,
    );
    expect(refused.code).toBe(1);

    const acceptedText = edit(
      SCHEMA,
      ["  relation archived_by: user\n", ""],
      ["permission view", "permission edit = owner\n  permission view"],
    );
    const acceptedFile = join(dir, "accepted.zed");
    writeFileSync(acceptedFile, acceptedText);
    const apply = await runCli(["schema", "apply", acceptedFile, ...against()], {
      env: { SPICEDB_PRESHARED_KEY: presharedKey },
    });
    expect(lines(apply.stdout)).toEqual([
      "- relation document#archived_by",
      "+ permission document#edit = owner",
      `schema written to ${endpoint} (2 changes)`,
      "",
    ]);
    expect(apply.code).toBe(0);
    expect(await engine.readSchema()).toBe(acceptedText);

    const again = await runCli([
      "schema",
      "diff",
      acceptedFile,
      ...against(),
      "--preshared-key",
      presharedKey,
    ]);
    expect(again.stdout).toBe("no changes\n");
    expect(again.code).toBe(0);
  });

  test("a wrong key is an unusable target (exit 2)", async () => {
    const result = await runCli([
      "schema",
      "diff",
      SCHEMA_PATH,
      ...against(),
      "--preshared-key",
      "wrong",
    ]);
    expect(result.stderr).toMatch(
      new RegExp(`^tenantgate: cannot read the deployed schema from ${endpoint}: `),
    );
    expect(result.stdout).toBe("");
    expect(result.code).toBe(2);
  });
});
