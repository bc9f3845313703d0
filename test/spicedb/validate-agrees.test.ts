import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { isMap, isSeq, parseDocument, type YAMLSeq } from "yaml";
import { validateFile } from "../../src/schema/validate.js";
import { REPO_ROOT } from "../support/runtime.js";
import { describeWithSpicedb, type SpicedbVerdict, spicedbValidate } from "../support/spicedb.js";
import { tempDirPool } from "../support/temp-dir.js";

/**
 * `tenantgate schema validate` and SpiceDB's own validation (spicedb-validate: SpiceDB's
 * development package, what `zed validate` runs; see scripts/spicedb-validate) must give every
 * file the same verdict, and fail the same assertions, at the same lines: SpiceDB's consistency
 * test files, copies of them with every assertion flipped, and the repository's own validation
 * file. The one deliberate difference (docs/schema-validation.md) is tested as such.
 */
const FIXTURES = resolve(REPO_ROOT, "../shared/fixtures/spicedb-testconfigs");
const present = existsSync(FIXTURES);
const fixtures = present
  ? readdirSync(FIXTURES)
      .filter((name) => name.endsWith(".yaml"))
      .sort()
      .map((name) => join(FIXTURES, name))
  : [];

/** A file's verdict: the lines of its failures, sorted and without repeats; [] when it holds. */
type Verdict = { file: string; failedLines: number[] };

const lines = (numbers: number[]) => [...new Set(numbers)].sort((x, y) => x - y);

async function tenantgateVerdicts(files: string[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const file of files) {
    const report = await validateFile(file);
    verdicts.push({
      file: basename(file),
      failedLines: lines(report.failures.map((f) => f.at.line)),
    });
  }
  return verdicts;
}

async function spicedbVerdicts(files: string[]): Promise<Verdict[]> {
  const verdicts: SpicedbVerdict[] = await spicedbValidate(files);
  expect(verdicts.map((v) => v.file)).toEqual(files);
  return verdicts.map((v) => ({
    file: basename(v.file),
    failedLines: lines(v.errors.map((e) => e.line)),
  }));
}

/**
 * The file with assertTrue and assertFalse swapped, and assertCaveated moved to assertTrue (a
 * caveated answer is not a yes): every assertion it states is false. undefined when it has none.
 */
function flipped(text: string): string | undefined {
  const doc = parseDocument(text);
  const list = (key: string): YAMLSeq | undefined => {
    const node = doc.getIn(["assertions", key]);
    if (node === undefined || node === null) return undefined;
    if (!isSeq(node)) throw new Error(`assertions.${key} is not a list`);
    return node;
  };
  const [yes, caveated, no] = [list("assertTrue"), list("assertCaveated"), list("assertFalse")];
  const items = (seq: YAMLSeq | undefined) => [...(seq?.items ?? [])];
  const newYes = [...items(no), ...items(caveated)];
  const newNo = items(yes);
  if (newYes.length + newNo.length === 0) return undefined;
  const seqOf = (values: unknown[]) => {
    const seq = doc.createNode([]) as YAMLSeq;
    seq.items = values;
    return seq;
  };
  doc.setIn(["assertions", "assertTrue"], seqOf(newYes));
  doc.setIn(["assertions", "assertFalse"], seqOf(newNo));
  if (caveated) doc.deleteIn(["assertions", "assertCaveated"]);
  return doc.toString();
}

/**
 * The file with every `validation` entry changed: its first expected subject dropped (found but
 * not expected) and a subject no relationship names added (expected but not found).
 */
function misexpected(text: string): string {
  const doc = parseDocument(text);
  const validation = doc.get("validation");
  if (!isMap(validation)) throw new Error("no validation block");
  for (const entry of validation.items) {
    if (!isSeq(entry.value)) throw new Error(`validation.${String(entry.key)} is not a list`);
    const dropped = String(entry.value.items[0]);
    const type = /^\[([a-z_/]+):/.exec(dropped)?.[1];
    entry.value.items.splice(0, 1);
    entry.value.add(`[${type}:tg_nobody] is <${String(entry.key)}>`);
  }
  return doc.toString();
}

describeWithSpicedb("schema validate agrees with SpiceDB's validation (zed validate)", () => {
  const dirs = tempDirPool("validate-agrees");
  let dir: string;
  beforeAll(() => {
    dir = dirs.make();
    // Copies of schema.test.yaml name `schemaFile: schema.zed`, relative to themselves (SpiceDB
    // reads it through a file system rooted at the file's directory: no absolute paths).
    writeFileSync(join(dir, "schema.zed"), readFileSync(join(REPO_ROOT, "schema.zed")));
  });
  afterAll(() => dirs.removeAll());

  test.skipIf(!present)("SpiceDB's consistency test files: every one holds for both", async () => {
    expect(fixtures).toHaveLength(73);
    const spicedb = await spicedbVerdicts(fixtures);
    expect(spicedb.filter((v) => v.failedLines.length > 0)).toEqual([]);
    expect(await tenantgateVerdicts(fixtures)).toEqual(spicedb);
  });

  test.skipIf(!present)(
    "copies with every assertion flipped: both fail each file, at the same assertions",
    async () => {
      const copies: string[] = [];
      for (const fixture of fixtures) {
        const text = flipped(readFileSync(fixture, "utf8"));
        if (text === undefined) continue;
        const copy = join(dir, `flipped-${basename(fixture)}`);
        writeFileSync(copy, text);
        copies.push(copy);
      }
      // 9 of the 73 state no assertions, only expected subjects.
      expect(copies).toHaveLength(64);
      const spicedb = await spicedbVerdicts(copies);
      expect(spicedb.filter((v) => v.failedLines.length === 0)).toEqual([]);
      expect(await tenantgateVerdicts(copies)).toEqual(spicedb);
    },
  );

  test("schema.test.yaml with expected subjects dropped, added, and a caveat unmarked: both fail at the same entries", async () => {
    const original = readFileSync(join(REPO_ROOT, "schema.test.yaml"), "utf8");
    const caveated = '"[account:acme_remote[...]] is';
    expect(original).toContain(caveated);
    const copies = {
      "misexpected.yaml": misexpected(original),
      "uncaveated.yaml": original.replace(caveated, '"[account:acme_remote] is'),
    };
    const paths = Object.entries(copies).map(([name, text]) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    });
    const spicedb = await spicedbVerdicts(paths);
    expect(spicedb.map((v) => v.failedLines.length)).toEqual([6, 1]);
    expect(await tenantgateVerdicts(paths)).toEqual(spicedb);
  });

  test("the repository's schema.zed and schema.test.yaml hold for both; flipped, both fail alike", async () => {
    const files = [join(REPO_ROOT, "schema.zed"), join(REPO_ROOT, "schema.test.yaml")];
    const spicedb = await spicedbVerdicts(files);
    expect(spicedb).toEqual([
      { file: "schema.zed", failedLines: [] },
      { file: "schema.test.yaml", failedLines: [] },
    ]);
    expect(await tenantgateVerdicts(files)).toEqual(spicedb);

    const copy = join(dir, "schema.test.yaml");
    writeFileSync(copy, flipped(readFileSync(files[1] as string, "utf8")) as string);
    const flippedVerdict = await spicedbVerdicts([copy]);
    expect(flippedVerdict[0]?.failedLines.length).toBeGreaterThan(20);
    expect(await tenantgateVerdicts([copy])).toEqual(flippedVerdict);
  });

  test("deliberate difference: a schemaFile outside the file's directory is read by tenantgate only", async () => {
    const nested = join(dir, "nested");
    mkdirSync(nested, { recursive: true });
    const outside = join(nested, "outside.yaml");
    writeFileSync(
      outside,
      readFileSync(join(REPO_ROOT, "schema.test.yaml"), "utf8").replace(
        "schemaFile: schema.zed",
        "schemaFile: ../schema.zed",
      ),
    );
    const [verdict] = await spicedbValidate([outside]);
    expect(verdict?.errors).toEqual([
      expect.objectContaining({
        source: "FILE",
        message: expect.stringMatching(/\.\.\/schema\.zed/),
      }),
    ]);
    expect(await tenantgateVerdicts([outside])).toEqual([
      { file: "outside.yaml", failedLines: [] },
    ]);
  });

  test("deliberate difference: the `is <...>` part of an expected subject counts for zed only", async () => {
    const original = readFileSync(join(REPO_ROOT, "schema.test.yaml"), "utf8");
    const entry = '"[account:acme_viewer] is <project:acme_p1#viewer>/<tenant:acme#member>"';
    expect(original).toContain(entry);
    const reworded = join(dir, "reworded.yaml");
    writeFileSync(
      reworded,
      original.replace(entry, '"[account:acme_viewer] is <project:acme_p1#viewer>"'),
    );
    const line = original.split("\n").findIndex((l) => l.includes(entry)) + 1;
    expect(await spicedbVerdicts([reworded])).toEqual([
      { file: "reworded.yaml", failedLines: [line] },
    ]);
    expect(await tenantgateVerdicts([reworded])).toEqual([
      { file: "reworded.yaml", failedLines: [] },
    ]);
  });
});
