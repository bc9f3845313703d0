import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { isSeq, parseDocument } from "yaml";
import { validateFile } from "../../src/schema/validate.js";
import { CLI_PATH, runNode } from "../support/processes.js";
import { REPO_ROOT } from "../support/runtime.js";
import { lineOf, writeTestFile } from "./write-files.js";

// SpiceDB's own consistency-test files, kept beside the repository (CI clones it with shared/).
const FIXTURES = resolve(REPO_ROOT, "../shared/fixtures/spicedb-testconfigs");
const present = existsSync(FIXTURES);
const fixtures = present
  ? readdirSync(FIXTURES)
      .filter((name) => name.endsWith(".yaml"))
      .sort()
  : [];
const title = present
  ? "SpiceDB's testconfigs"
  : `SpiceDB's testconfigs (skipped: ${FIXTURES} does not exist)`;

describe.skipIf(!present)(title, () => {
  test("all of them are there", () => {
    expect(fixtures).toHaveLength(73);
  });

  test.each(fixtures)("%s holds", async (name) => {
    const report = await validateFile(join(FIXTURES, name));
    expect(report.failures).toEqual([]);
  });

  test("one command validates the whole directory", async () => {
    const result = await runNode(
      [CLI_PATH, "schema", "validate", ...fixtures.map((name) => join(FIXTURES, name))],
      {
        timeoutMs: 120_000,
      },
    );
    expect(result.stdout).toMatch(/^73 files, \d+ assertions, 0 failed\n$/);
    expect(result.code).toBe(0);
  });

  test("a copy with one assertion flipped fails, and the failure names it", async () => {
    // basiccaveat.yaml asserts that tracy, who has an uncaveated grant, may view.
    const doc = parseDocument(readFileSync(join(FIXTURES, "basiccaveat.yaml"), "utf8"));
    const assertTrue = doc.getIn(["assertions", "assertTrue"]);
    const assertFalse = doc.getIn(["assertions", "assertFalse"]);
    if (!isSeq(assertTrue) || !isSeq(assertFalse))
      throw new Error("basiccaveat.yaml changed shape");
    const flipped = "document:firstdoc#view@user:tracy";
    expect(assertTrue.items.map(String)).toContain(flipped);
    assertTrue.items = assertTrue.items.filter((item) => String(item) !== flipped);
    assertFalse.add(flipped);
    const content = doc.toString();
    const copy = writeTestFile("basiccaveat-flipped.yaml", content);

    const result = await runNode([
      CLI_PATH,
      "schema",
      "validate",
      join(FIXTURES, "basiccaveat.yaml"),
      copy,
    ]);
    expect(result.stdout.split("\n")).toEqual([
      `${copy}:${lineOf(content, `- ${flipped}`)}:7: assertFalse ${flipped}: expected no permission, found permission`,
      expect.stringMatching(/^2 files, \d+ assertions, 1 failed$/),
      "",
    ]);
    expect(result.code).toBe(1);
  });
});
