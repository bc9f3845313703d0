import { parseArgs } from "node:util";
import { formatFailure } from "../schema/failure.js";
import { validateFile } from "../schema/validate.js";
import { UnusableInputError } from "../schema/validation-file.js";

const USAGE = `usage: tenantgate schema validate FILE…

  Each FILE is a .zed schema or a validation YAML in the format of zed validate and the
  Authzed Playground (schema or schemaFile, relationships, assertions, validation). Each runs
  on a fresh embedded SpiceDB; no data directory or server is needed.

  Exit codes: 0 everything holds, 1 something failed, 2 unusable input or usage.`;

/** `tenantgate schema …`: returns the process exit code. */
export async function runSchemaCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "help" || sub === "--help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
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
  return 2;
}

async function validateFiles(files: string[]): Promise<number> {
  let assertions = 0;
  let failed = 0;
  let unusable = 0;
  for (const file of files) {
    try {
      const report = await validateFile(file);
      assertions += report.assertions;
      failed += report.failures.length;
      for (const failure of report.failures) process.stdout.write(`${formatFailure(failure)}\n`);
    } catch (error) {
      if (!(error instanceof UnusableInputError)) throw error;
      unusable++;
      process.stderr.write(`tenantgate: ${error.message}\n`);
    }
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const summary = `${plural(files.length, "file")}, ${plural(assertions, "assertion")}, ${failed} failed`;
  process.stdout.write(`${summary}${unusable > 0 ? `, ${unusable} unusable` : ""}\n`);
  if (unusable > 0) return 2;
  return failed > 0 ? 1 : 0;
}
