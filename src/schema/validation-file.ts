import { readFile } from "node:fs/promises";
import { dirname, extname, isAbsolute, join } from "node:path";
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import type { SourcePosition } from "./failure.js";
import { type Locate, locateInFile, locateInScalar } from "./scalar-position.js";

/**
 * A validation file as `zed validate` and the Authzed Playground read it, with the place of
 * every entry so failures can point at it. A `.zed` file is a validation file with a schema and
 * nothing else.
 */
export interface ValidationFile {
  file: string;
  schema: { text: string; locate: Locate };
  relationships: TextEntry[];
  assertions: AssertionEntry[];
  expectations: ExpectationEntry[];
}

export interface TextEntry {
  text: string;
  at: SourcePosition;
}

export type AssertionKind = "assertTrue" | "assertCaveated" | "assertFalse";

export interface AssertionEntry extends TextEntry {
  kind: AssertionKind;
}

/** One key of `validation:`: a resource#permission and the subjects it is expected to have. */
export interface ExpectationEntry extends TextEntry {
  subjects: TextEntry[];
}

/** The input cannot be validated at all (missing file, malformed YAML, wrong shape): exit 2. */
export class UnusableInputError extends Error {
  override name = "UnusableInputError";
}

const ASSERTION_KINDS = ["assertTrue", "assertCaveated", "assertFalse"] as const;

const entries = z.array(z.string()).nullish();

// Unknown keys are refused: a misspelt `assertion:` would otherwise pass by checking nothing.
const ValidationYaml = z
  .strictObject({
    schema: z.string().optional(),
    schemaFile: z.string().optional(),
    relationships: z.string().nullish(),
    assertions: z
      .strictObject({ assertTrue: entries, assertCaveated: entries, assertFalse: entries })
      .nullish(),
    validation: z.record(z.string(), entries).nullish(),
  })
  .refine((v) => (v.schema === undefined) !== (v.schemaFile === undefined), {
    message: "give exactly one of `schema` (inline) or `schemaFile` (a path)",
  });

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(error);
    throw new UnusableInputError(`cannot read ${file}: ${reason}`);
  }
}

/** Reads a `.zed` schema or a validation YAML; throws UnusableInputError if it cannot be used. */
export async function loadValidationFile(file: string): Promise<ValidationFile> {
  const source = await readText(file);
  if (extname(file) === ".zed") {
    return {
      file,
      schema: { text: source, locate: locateInFile(file) },
      relationships: [],
      assertions: [],
      expectations: [],
    };
  }
  return parseValidationYaml(file, source);
}

async function parseValidationYaml(file: string, source: string): Promise<ValidationFile> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  const positionOf = (offset: number | undefined): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { file, line, column: col };
  };
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const at = positionOf(syntaxError.pos[0]);
    const reason = syntaxError.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "");
    throw new UnusableInputError(`${at.file}:${at.line}:${at.column}: malformed YAML: ${reason}`);
  }
  const parsed = ValidationYaml.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map(String);
    const unknownKey = issue?.code === "unrecognized_keys" ? String(issue.keys[0]) : undefined;
    const at = positionOf(nodeAt(doc, path, unknownKey)?.range?.[0]);
    const where = [...path, ...(unknownKey ? [unknownKey] : [])].join(".");
    const message = unknownKey ? "unknown key" : issue?.message;
    throw new UnusableInputError(
      `${at.file}:${at.line}:${at.column}: ${where ? `${where}: ` : ""}${message}`,
    );
  }
  const input = parsed.data;

  const nodeText = (path: (string | number)[]) => {
    const node = doc.getIn(path, true);
    return isScalar(node) ? node : undefined;
  };
  const located = (path: (string | number)[]): SourcePosition =>
    positionOf(nodeText(path)?.range?.[0]);

  let schema: ValidationFile["schema"];
  if (input.schemaFile !== undefined) {
    // Relative to the validation file, as zed resolves it, so the pair can move together.
    const schemaPath = isAbsolute(input.schemaFile)
      ? input.schemaFile
      : join(dirname(file), input.schemaFile);
    let text: string;
    try {
      text = await readText(schemaPath);
    } catch (error) {
      const at = located(["schemaFile"]);
      throw new UnusableInputError(
        `${at.file}:${at.line}:${at.column}: schemaFile: ${(error as Error).message}`,
      );
    }
    schema = { text, locate: locateInFile(schemaPath) };
  } else {
    const node = nodeText(["schema"]);
    schema = {
      text: input.schema ?? "",
      locate: node ? locateInScalar(node, file, source, lineCounter) : () => located(["schema"]),
    };
  }

  const relationships: TextEntry[] = [];
  const relationshipsNode = nodeText(["relationships"]);
  if (input.relationships && relationshipsNode) {
    const locate = locateInScalar(relationshipsNode, file, source, lineCounter);
    input.relationships.split("\n").forEach((line, index) => {
      const text = line.trim();
      // Blank lines separate groups and `//` lines comment them, as in zed.
      if (text === "" || text.startsWith("//")) return;
      relationships.push({
        text,
        at: locate(index + 1, line.length - line.trimStart().length + 1),
      });
    });
  }

  const assertions = ASSERTION_KINDS.flatMap((kind) =>
    (input.assertions?.[kind] ?? []).map((text, index) => ({
      kind,
      text,
      at: located(["assertions", kind, index]),
    })),
  );

  const expectations: ExpectationEntry[] = [];
  const validationNode = doc.get("validation", true);
  if (isMap(validationNode)) {
    for (const pair of validationNode.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      expectations.push({
        text: key,
        at: positionOf(pair.key.range?.[0]),
        subjects: (input.validation?.[key] ?? []).map((text, index) => ({
          text,
          at: located(["validation", key, index]),
        })),
      });
    }
  }

  return { file, schema, relationships, assertions, expectations };
}

/** The node at `path` (or the key `unknownKey` in it); a missing key is reported at its parent. */
function nodeAt(doc: Document, path: string[], unknownKey?: string) {
  const keys = path.map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const parent = keys.length > 0 ? doc.getIn(keys, true) : doc.contents;
  if (unknownKey !== undefined && isMap(parent)) {
    const pair = parent.items.find(
      (item) => isScalar(item.key) && String(item.key.value) === unknownKey,
    );
    if (isNode(pair?.key)) return pair.key;
  }
  for (let depth = keys.length; depth > 0; depth--) {
    const node = doc.getIn(keys.slice(0, depth), true);
    if (isNode(node)) return node;
  }
  return doc.contents ?? undefined;
}
