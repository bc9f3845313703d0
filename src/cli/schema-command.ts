import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { EngineError } from "../authz/engine-error.js";
import type { CliEnvironment } from "../config.js";
import { formatFailure } from "../schema/failure.js";
import { locateInFile } from "../schema/scalar-position.js";
import {
  applySchemaChange,
  type ProposedSchema,
  planSchemaChange,
  type SchemaPlan,
} from "../schema/schema-change.js";
import {
  openSchemaTarget,
  type SchemaTargetSpec,
  UnusableTargetError,
} from "../schema/schema-target.js";
import { validateFile } from "../schema/validate.js";
import { UnusableInputError } from "../schema/validation-file.js";
import { formatChange, formatRefusal } from "./schema-diff-format.js";

const USAGE = `usage: tenantgate schema validate FILE…
       tenantgate schema diff  [NEW_SCHEMA] TARGET
       tenantgate schema apply [NEW_SCHEMA] TARGET

  validate: each FILE is a .zed schema or a validation YAML in the format of zed validate and
  the Authzed Playground (schema or schemaFile, relationships, assertions, validation). Each
  runs on a fresh embedded SpiceDB; no data directory or server is needed.
  Exit codes: 0 everything holds, 1 something failed, 2 unusable input or usage.

  diff: compares NEW_SCHEMA (default ./schema.zed) with the schema deployed on TARGET, prints
  what it adds (+), removes (-) and changes (~), and whether SpiceDB would refuse it because
  relationships still use something it removes (!).
  Exit codes: 0 no changes, 3 changes SpiceDB should accept, 4 changes SpiceDB would refuse,
  2 unusable input, target or usage.

  apply: the same diff, then writes NEW_SCHEMA if it changes anything. SpiceDB has the last
  word: its refusal is printed at the place in NEW_SCHEMA it points to.
  Exit codes: 0 written or nothing to write, 1 SpiceDB refused it (or the write failed),
  2 unusable input, target or usage.

  TARGET is one of:
    --against HOST:PORT      a SpiceDB gRPC endpoint (a cluster, or tenantgate spicedb serve)
      --preshared-key KEY    its key; better given as SPICEDB_PRESHARED_KEY, out of sight of ps
      --insecure             plaintext gRPC, as for tenantgate spicedb serve
      --ca-file FILE         CA certificate for the endpoint's TLS
    --against-data-dir DIR   a tenantgate data dir (the embedded engine); not while a server
                             runs on it

  See docs/schema-validation.md.`;

/** Exit codes of `schema diff` and `schema apply`, in line with `schema validate`'s 0, 1 and 2. */
const EXIT = { ok: 0, failed: 1, unusable: 2, changes: 3, refused: 4 } as const;

const HOST_PORT = /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/;

/** `tenantgate schema …`: returns the process exit code. */
export async function runSchemaCommand(args: string[], env: CliEnvironment): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "help" || sub === "--help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (sub === "diff" || sub === "apply") return runSchemaChange(sub, rest, env);
  if (sub !== "validate") {
    return usageError(sub ? `unknown command: schema ${sub}` : "schema needs a command");
  }
  let files: string[];
  try {
    files = parseArgs({ args: rest, allowPositionals: true, options: {} }).positionals;
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (files.length === 0) return usageError("schema validate needs at least one FILE");
  return validateFiles(files);
}

function usageError(message: string): number {
  process.stderr.write(`tenantgate: ${message}\n\n${USAGE}\n`);
  return EXIT.unusable;
}

function unusable(message: string): number {
  process.stderr.write(`tenantgate: ${message}\n`);
  return EXIT.unusable;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

async function validateFiles(files: string[]): Promise<number> {
  let assertions = 0;
  let failed = 0;
  let unusableFiles = 0;
  for (const file of files) {
    try {
      const report = await validateFile(file);
      assertions += report.assertions;
      failed += report.failures.length;
      for (const failure of report.failures) process.stdout.write(`${formatFailure(failure)}\n`);
    } catch (error) {
      if (!(error instanceof UnusableInputError)) throw error;
      unusableFiles++;
      process.stderr.write(`tenantgate: ${error.message}\n`);
    }
  }
  const summary = `${plural(files.length, "file")}, ${plural(assertions, "assertion")}, ${failed} failed`;
  process.stdout.write(`${summary}${unusableFiles > 0 ? `, ${unusableFiles} unusable` : ""}\n`);
  if (unusableFiles > 0) return EXIT.unusable;
  return failed > 0 ? EXIT.failed : EXIT.ok;
}

interface SchemaChangeArgs {
  file: string;
  target: SchemaTargetSpec;
}

/** Reads NEW_SCHEMA and TARGET from the command line; a string is the usage error. */
function parseSchemaChangeArgs(
  command: string,
  args: string[],
  env: CliEnvironment,
): SchemaChangeArgs | string {
  let parsed: ReturnType<typeof parseChangeOptions>;
  try {
    parsed = parseChangeOptions(args);
  } catch (error) {
    return (error as Error).message;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    return `schema ${command} takes one NEW_SCHEMA, not ${positionals.length}`;
  const file = positionals[0] ?? "./schema.zed";
  const dataDir = values["against-data-dir"];
  const endpoint = values.against;
  if ((dataDir === undefined) === (endpoint === undefined)) {
    return `schema ${command} needs exactly one TARGET: --against HOST:PORT or --against-data-dir DIR`;
  }
  if (dataDir !== undefined) {
    if (dataDir === "") return "--against-data-dir must not be empty";
    for (const option of ["preshared-key", "insecure", "ca-file"] as const) {
      if (values[option] !== undefined)
        return `--${option} goes with --against, not --against-data-dir`;
    }
    return { file, target: { dataDir } };
  }
  if (!HOST_PORT.test(endpoint ?? "")) {
    return `--against expects host:port, e.g. spicedb:50051, not ${JSON.stringify(endpoint)}`;
  }
  // NOTE: better from the environment: on the command line a key is visible to every user of the
  // machine.
  const presharedKey = values["preshared-key"] ?? env.SPICEDB_PRESHARED_KEY ?? "";
  if (presharedKey === "") return "--against needs --preshared-key KEY (or SPICEDB_PRESHARED_KEY)";
  if (values.insecure && values["ca-file"] !== undefined) {
    return "--insecure and --ca-file do not go together";
  }
  return {
    file,
    target: {
      endpoint: endpoint as string,
      presharedKey,
      insecure: values.insecure ?? false,
      caFile: values["ca-file"],
    },
  };
}

function parseChangeOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      against: { type: "string" },
      "against-data-dir": { type: "string" },
      "preshared-key": { type: "string" },
      insecure: { type: "boolean" },
      "ca-file": { type: "string" },
    },
  });
}

async function readProposed(file: string): Promise<ProposedSchema> {
  try {
    return { file, text: await readFile(file, "utf8"), locate: locateInFile(file) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(error);
    throw new UnusableInputError(`cannot read ${file}: ${reason}`);
  }
}

/** `schema diff` and `schema apply`. */
async function runSchemaChange(
  command: "diff" | "apply",
  args: string[],
  env: CliEnvironment,
): Promise<number> {
  const parsed = parseSchemaChangeArgs(command, args, env);
  if (typeof parsed === "string") return usageError(parsed);
  let proposed: ProposedSchema;
  try {
    proposed = await readProposed(parsed.file);
  } catch (error) {
    if (error instanceof UnusableInputError) return unusable(error.message);
    throw error;
  }

  let target: Awaited<ReturnType<typeof openSchemaTarget>>;
  try {
    target = await openSchemaTarget(parsed.target, `schema ${command}`);
  } catch (error) {
    if (error instanceof UnusableTargetError) return unusable(error.message);
    throw error;
  }
  try {
    let plan: SchemaPlan;
    try {
      plan = await planSchemaChange(target.engine, proposed);
    } catch (error) {
      if (error instanceof UnusableInputError || error instanceof UnusableTargetError) {
        return unusable(error.message);
      }
      if (error instanceof EngineError) {
        return unusable(`cannot read the deployed schema from ${target.name}: ${error.message}`);
      }
      throw error;
    }
    for (const change of plan.changes) process.stdout.write(`${formatChange(change)}\n`);
    for (const refusal of plan.refusals) process.stdout.write(`${formatRefusal(refusal)}\n`);
    return command === "diff"
      ? reportDiff(plan)
      : await apply(target.engine, target.name, proposed, plan);
  } finally {
    await target.close();
  }
}

function reportDiff(plan: SchemaPlan): number {
  if (plan.changes.length === 0) {
    process.stdout.write(`no changes${plan.textChanged ? " (only comments differ)" : ""}\n`);
    return EXIT.ok;
  }
  const refused = plan.refusals.length > 0;
  process.stdout.write(
    `${plural(plan.changes.length, "change")}${refused ? ", SpiceDB would refuse them" : ""}\n`,
  );
  return refused ? EXIT.refused : EXIT.changes;
}

async function apply(
  engine: Parameters<typeof applySchemaChange>[0],
  targetName: string,
  proposed: ProposedSchema,
  plan: SchemaPlan,
): Promise<number> {
  let outcome: Awaited<ReturnType<typeof applySchemaChange>>;
  try {
    outcome = await applySchemaChange(engine, proposed, plan);
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    // The outcome is unknown: SpiceDB may have written it before the answer was lost.
    process.stdout.write(`schema not confirmed written to ${targetName}: ${error.message}\n`);
    return EXIT.failed;
  }
  if (outcome === "unchanged") {
    process.stdout.write("no changes, nothing written\n");
    return EXIT.ok;
  }
  if (outcome === "written") {
    const what = plan.changes.length > 0 ? plural(plan.changes.length, "change") : "comments only";
    process.stdout.write(`schema written to ${targetName} (${what})\n`);
    return EXIT.ok;
  }
  process.stdout.write(`${formatFailure(outcome)}\n`);
  process.stdout.write(`schema not written: SpiceDB refused it\n`);
  return EXIT.failed;
}
