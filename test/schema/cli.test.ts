import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CLI_PATH, runNode } from "../support/processes.js";
import { REPO_ROOT } from "../support/runtime.js";
import { DOCUMENT_SCHEMA, lineOf, writeTestFile, writeTestFiles } from "./write-files.js";

/** `tenantgate schema validate …` as a real process, with no configuration in its environment. */
const validate = (...files: string[]) => runNode([CLI_PATH, "schema", "validate", ...files]);

describe("tenantgate schema validate (process)", () => {
  test("a schema and a validation file that hold exit 0 with a summary", async () => {
    const files = writeTestFiles({
      "document.zed": DOCUMENT_SCHEMA,
      "file.yaml": `schemaFile: document.zed
relationships: |
  document:1#viewer@user:ann[on_network:{"allowed_cidr":"10.0.0.0/8"}]
assertions:
  assertCaveated: [document:1#view@user:ann]
  assertTrue: ['document:1#view@user:ann with {"client_ip": "10.0.0.1"}']
validation:
  document:1#view: ["[user:ann[...]] is <document:1#viewer>"]
`,
    });
    const result = await validate(files["document.zed"], files["file.yaml"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("2 files, 3 assertions, 0 failed\n");
    expect(result.code).toBe(0);
  });

  test("a schema syntax error exits 1, reported at its line and column", async () => {
    const content =
      "schema: |\n  definition user {}\n  definition document {\n    relation viewer: user +\n  }\n";
    const file = writeTestFile("file.yaml", content);
    const result = await validate(file);
    expect(result.stdout).toBe(
      `${file}:${lineOf(content, "relation viewer")}:27: schema: Expected end of statement or definition, found: TokenTypePlus\n1 file, 0 assertions, 1 failed\n`,
    );
    expect(result.code).toBe(1);
  });

  test("a false assertTrue and a missing and an extra subject exit 1, each reported", async () => {
    const content = `schema: |
  definition user {}
  definition document {
    relation viewer: user
    permission view = viewer
  }
relationships: |
  document:1#viewer@user:tom
  document:1#viewer@user:ann
assertions:
  assertTrue: [document:1#view@user:eve]
validation:
  document:1#view:
    - "[user:tom] is <document:1#viewer>"
    - "[user:sue] is <document:1#viewer>"
`;
    const file = writeTestFile("file.yaml", content);
    const result = await validate(file);
    expect(result.stdout.split("\n")).toEqual([
      `${file}:${lineOf(content, "assertTrue")}:16: assertTrue document:1#view@user:eve: expected permission, found no permission`,
      `${file}:${lineOf(content, "document:1#view:")}:3: validation document:1#view: found [user:ann], not expected`,
      `${file}:${lineOf(content, "[user:sue]")}:7: validation document:1#view: expected [user:sue], not found`,
      "1 file, 2 assertions, 3 failed",
      "",
    ]);
    expect(result.code).toBe(1);
  });

  test("malformed YAML exits 2 with a clear message", async () => {
    const file = writeTestFile("file.yaml", "schema: |\n  definition user {}\nassertions: [oops\n");
    const result = await validate(file);
    expect(result.stderr).toBe(
      `tenantgate: ${file}:4:1: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n`,
    );
    expect(result.code).toBe(2);
  });

  test("a missing file exits 2, after validating the others", async () => {
    const valid = writeTestFile("valid.zed", DOCUMENT_SCHEMA);
    const missing = join(REPO_ROOT, "no-such-file.yaml");
    const result = await validate(missing, valid);
    expect(result.stderr).toBe(`tenantgate: cannot read ${missing}: no such file\n`);
    expect(result.stdout).toBe("2 files, 0 assertions, 0 failed, 1 unusable\n");
    expect(result.code).toBe(2);
  });

  test("no FILE is a usage error", async () => {
    const result = await validate();
    expect(result.stderr).toMatch(
      /^tenantgate: schema validate needs at least one FILE\n\nusage: tenantgate schema validate/,
    );
    expect(result.code).toBe(2);
  });

  test("the repository's schema.test.yaml holds (npm run schema:validate)", async () => {
    const result = await runNode([
      CLI_PATH,
      "schema",
      "validate",
      "schema.zed",
      "schema.test.yaml",
    ]);
    expect(result.stdout).toMatch(/^2 files, \d+ assertions, 0 failed\n$/);
    expect(result.code).toBe(0);
  });
});
