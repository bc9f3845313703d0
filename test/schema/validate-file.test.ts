import { describe, expect, test } from "vitest";
import { validateFile } from "../../src/schema/validate.js";
import { UnusableInputError } from "../../src/schema/validation-file.js";
import { DOCUMENT_SCHEMA, lineOf, writeTestFile, writeTestFiles } from "./write-files.js";

/** A validation YAML with DOCUMENT_SCHEMA inline, followed by `rest`. */
function withInlineSchema(rest: string): string {
  const body = DOCUMENT_SCHEMA.split("\n")
    .map((line) => (line ? `  ${line}` : line))
    .join("\n");
  return `schema: |\n${body}\n${rest}`;
}

const messages = (report: Awaited<ReturnType<typeof validateFile>>) =>
  report.failures.map((f) => `${f.at.line}:${f.at.column}: ${f.message}`);

describe("validateFile: what holds passes", () => {
  test("schema, relationships, assertions of every kind and expected subjects", async () => {
    const file = writeTestFile(
      "file.yaml",
      withInlineSchema(`relationships: >-
  document:1#viewer@user:tom

  document:1#viewer@user:ann[on_network:{"allowed_cidr":"10.0.0.0/8"}]

  // a comment line

  document:1#viewer@group:eng#member

  group:eng#member@user:sue
assertions:
  assertTrue:
    - document:1#view@user:tom
    - document:1#view@user:sue#...
    - 'document:1#view@user:ann with {"client_ip": "10.1.2.3"}'
  assertCaveated:
    - document:1#view@user:ann
  assertFalse:
    - document:1#view@user:eve
    - 'document:1#view@user:ann with {"client_ip": "192.168.0.1"}'
validation:
  document:1#view:
    - "[user:tom] is <document:1#viewer>"
    - "[user:ann[...]] is <document:1#viewer>"
    - "[group:eng#member] is <document:1#viewer>"
    - "[user:sue] is <group:eng#member>"
  document:2#view: []
`),
    );
    const report = await validateFile(file);
    expect(messages(report)).toEqual([]);
    expect(report.assertions).toBe(8);
  });

  test("a .zed file only has to compile", async () => {
    const file = writeTestFile("schema.zed", DOCUMENT_SCHEMA);
    expect(await validateFile(file)).toEqual({ file, assertions: 0, failures: [] });
  });

  test("schemaFile is read relative to the YAML file", async () => {
    const files = writeTestFiles({
      "document.zed": DOCUMENT_SCHEMA,
      "file.yaml": `schemaFile: document.zed
relationships: document:1#viewer@user:tom
assertions:
  assertTrue: [document:1#view@user:tom]
`,
    });
    expect(messages(await validateFile(files["file.yaml"]))).toEqual([]);
  });
});

describe("validateFile: assertions", () => {
  test("each kind demands exactly its answer; a caveat without its context is conditional", async () => {
    const content = withInlineSchema(`relationships: |
  document:1#viewer@user:tom
  document:1#viewer@user:ann[on_network:{"allowed_cidr":"10.0.0.0/8"}]
assertions:
  assertTrue:
    - document:1#view@user:ann
    - document:1#view@user:eve
  assertCaveated:
    - document:1#view@user:tom
  assertFalse:
    - 'document:1#view@user:ann with {"client_ip": "10.9.9.9"}'
`);
    const report = await validateFile(writeTestFile("file.yaml", content));
    expect(messages(report)).toEqual([
      `${lineOf(content, "- document:1#view@user:ann")}:7: assertTrue document:1#view@user:ann: expected permission, found caveated permission (context missing: client_ip)`,
      `${lineOf(content, "@user:eve")}:7: assertTrue document:1#view@user:eve: expected permission, found no permission`,
      `${lineOf(content, "- document:1#view@user:tom")}:7: assertCaveated document:1#view@user:tom: expected caveated permission, found permission`,
      `${lineOf(content, "10.9.9.9")}:7: assertFalse document:1#view@user:ann with {"client_ip": "10.9.9.9"}: expected no permission, found permission`,
    ]);
  });

  test("an assertion that does not parse or names an unknown permission fails at its line", async () => {
    const content = withInlineSchema(`assertions:
  assertTrue:
    - document:1#view@user:tom[on_network]
    - 'document:1#view@user:tom with {"client_ip": '
    - document:1#nope@user:tom
`);
    expect(messages(await validateFile(writeTestFile("file.yaml", content)))).toEqual([
      `${lineOf(content, "[on_network]")}:7: assertTrue document:1#view@user:tom[on_network]: an assertion cannot name a caveat: give its context with \`with {...}\``,
      `${lineOf(content, "with {")}:7: assertTrue document:1#view@user:tom with {"client_ip":: caveat context is not valid JSON: {"client_ip":`,
      `${lineOf(content, "#nope")}:7: assertTrue document:1#nope@user:tom: relation/permission \`nope\` not found under definition \`document\``,
    ]);
  });

  test("an expired relationship grants nothing", async () => {
    const file = writeTestFile(
      "file.yaml",
      `schema: |
  use expiration
  definition user {}
  definition document {
    relation viewer: user with expiration
    permission view = viewer
  }
relationships: |
  document:1#viewer@user:tom[expiration:2020-01-01T00:00:00Z]
  document:1#viewer@user:ann[expiration:2999-01-01T00:00:00Z]
assertions:
  assertTrue: [document:1#view@user:ann]
  assertFalse: [document:1#view@user:tom]
`,
    );
    expect(messages(await validateFile(file))).toEqual([]);
  });
});

describe("validateFile: expected subjects", () => {
  const relationships = `relationships: |
  document:1#viewer@user:*
  document:1#banned@user:bad
  document:1#banned@user:maybe[on_network:{"allowed_cidr":"10.0.0.0/8"}]
  document:1#viewer@user:tom
  document:1#parent@group:eng
  group:eng#member@user:sue
  group:eng#member@group:ops#member
  group:ops#member@user:kim
  group:all#member@group:eng#member
`;

  test("wildcards, exclusions and usersets are compared as zed lists them", async () => {
    // group:eng#member is reached through the arrow, not named by a relationship on the way:
    // zed does not list it as a subject of document:1#read.
    const content = withInlineSchema(`${relationships}validation:
  document:1#view:
    - "[user:* - {user:bad, user:maybe[...]}] is <document:1#viewer>"
    - "[user:tom] is <document:1#viewer>"
  document:1#read:
    - "[user:sue] is <group:eng#member>"
    - "[group:ops#member] is <group:eng#member>"
    - "[user:kim] is <group:ops#member>"
`);
    expect(messages(await validateFile(writeTestFile("file.yaml", content)))).toEqual([]);
  });

  test("a missing, an extra, a caveat and an exclusion mismatch are each reported", async () => {
    const content = withInlineSchema(`${relationships}validation:
  document:1#view:
    - "[user:* - {user:bad}] is <document:1#viewer>"
    - "[user:tom[...]] is <document:1#viewer>"
    - "[user:eve] is <document:1#viewer>"
  document:1#read:
    - "[user:sue] is <group:eng#member>"
    - "[user:kim] is <group:ops#member>"
`);
    expect(messages(await validateFile(writeTestFile("file.yaml", content)))).toEqual([
      `${lineOf(content, "[user:* -")}:7: validation document:1#view: expected [user:* - {user:bad}], found [user:* - {user:bad, user:maybe[...]}]`,
      `${lineOf(content, "[user:tom[...]]")}:7: validation document:1#view: expected [user:tom[...]], found [user:tom]`,
      `${lineOf(content, "[user:eve]")}:7: validation document:1#view: expected [user:eve], not found`,
      `${lineOf(content, "document:1#read:")}:3: validation document:1#read: found [group:ops#member], not expected`,
    ]);
  });
});

describe("validateFile: schema and relationship errors point at their line", () => {
  test("a syntax error in an inline literal schema, in the YAML file's lines", async () => {
    const content = `# header
schema: |-
  definition user {}

  definition document {
    relation viewer: user
    permission view = viewer +
  }
`;
    expect(messages(await validateFile(writeTestFile("file.yaml", content)))).toEqual([
      `${lineOf(content, "  }")}:3: schema: Expected right hand expression, found: TokenTypeRightBrace`,
    ]);
  });

  test("a syntax error in a folded inline schema", async () => {
    const content = `schema: >-
  definition user {}

  definition document {
    relation viewer: user
    permission view = viewer &
  }
`;
    expect(messages(await validateFile(writeTestFile("file.yaml", content)))).toEqual([
      `${lineOf(content, "  }")}:3: schema: Expected right hand expression, found: TokenTypeRightBrace`,
    ]);
  });

  test("an error in a schemaFile is reported in that file, at the name it complains about", async () => {
    const files = writeTestFiles({
      "bad.zed": "definition user {}\ndefinition document {\n  relation viewer: usr\n}\n",
      "file.yaml": "schemaFile: bad.zed\n",
    });
    expect((await validateFile(files["file.yaml"])).failures).toEqual([
      {
        at: { file: files["bad.zed"], line: 3, column: 20 },
        message:
          "schema: could not lookup definition `usr` for relation `viewer`: object definition `usr` not found",
      },
    ]);
  });

  test("bad, repeated and refused relationships are each reported, and nothing is checked", async () => {
    const content = withInlineSchema(`relationships: |
  document:1#viewer@user:tom
  document:1#viewer@user:tom[on_network]
  document:1#viewr@user:tom
  not a relationship
assertions:
  assertTrue: [document:1#view@user:nobody]
`);
    const report = await validateFile(writeTestFile("file.yaml", content));
    const first = lineOf(content, "document:1#viewer@user:tom");
    expect(messages(report)).toEqual([
      `${first + 1}:3: relationship document:1#viewer@user:tom repeats line ${first}`,
      `${lineOf(content, "#viewr")}:3: relationship document:1#viewr@user:tom: relation/permission \`viewr\` not found under definition \`document\``,
      `${lineOf(content, "not a relationship")}:3: relationship syntax: relationship "not a relationship" must be resource#relation@subject`,
    ]);
    expect(report.assertions).toBe(1);
  });
});

describe("validateFile: unusable input", () => {
  test.each([
    [
      "malformed YAML",
      "schema: |\n  definition user {}\nassertions: [oops\n",
      /file.yaml:4:1: malformed YAML: /,
    ],
    [
      "an unknown key",
      "schema: x\nassertion:\n  assertTrue: []\n",
      /file.yaml:2:1: assertion: unknown key$/,
    ],
    [
      "both schema and schemaFile",
      "schema: x\nschemaFile: y.zed\n",
      /give exactly one of `schema`/,
    ],
    [
      "an assertion that is not a string",
      "schema: x\nassertions:\n  assertTrue: [{a: 1}]\n",
      /file.yaml:3:16: assertions.assertTrue.0: Invalid input: expected string/,
    ],
    [
      "a missing schemaFile",
      "schemaFile: nowhere.zed\n",
      /file.yaml:1:13: schemaFile: cannot read .*nowhere.zed: no such file$/,
    ],
  ])("%s", async (_, content, message) => {
    const failure = await validateFile(writeTestFile("file.yaml", content)).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UnusableInputError);
    expect((failure as Error).message).toMatch(message);
  });

  test("a missing file", async () => {
    await expect(validateFile("/nonexistent/file.yaml")).rejects.toThrow(
      "cannot read /nonexistent/file.yaml: no such file",
    );
  });
});
