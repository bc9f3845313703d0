import { EmbeddedEngine } from "../authz/embedded/embedded-engine.js";
import type { AuthzEngine } from "../authz/engine.js";
import { applySchema } from "./apply-schema.js";
import { type Failure, formatFailure } from "./failure.js";
import type { Locate } from "./scalar-position.js";
import { diffOutlines, type Refusal, type SchemaChange } from "./schema-diff.js";
import { outlineSchema, type SchemaOutline, SchemaOutlineError } from "./schema-outline.js";
import { UnusableTargetError } from "./schema-target.js";
import { findRefusals } from "./schema-usage.js";
import { UnusableInputError } from "./validation-file.js";

/** The schema to deploy, and how to point at a place in it. */
export interface ProposedSchema {
  file: string;
  text: string;
  locate: Locate;
}

export interface SchemaPlan {
  changes: SchemaChange[];
  /** Why SpiceDB would refuse the change; empty when it should take it. */
  refusals: Refusal[];
  /** The schemas differ where the outline does not look: in their comments. */
  textChanged: boolean;
}

/**
 * What writing `proposed` to `target` would change, and whether SpiceDB would refuse it.
 *
 * Both schemas are first compiled by a fresh, empty embedded SpiceDB and read back, so that both
 * sides are in SpiceDB's own layout (it re-parenthesises expressions and rewrites CEL): only
 * real changes then show. The proposed schema must compile, or it is unusable input. A deployed
 * schema the embedded engine cannot compile (written by a newer SpiceDB) is compared as it is.
 */
export async function planSchemaChange(
  target: AuthzEngine,
  proposed: ProposedSchema,
): Promise<SchemaPlan> {
  const compiled = await compileSchema(proposed.text, proposed.locate);
  if (typeof compiled !== "string") throw new UnusableInputError(formatFailure(compiled));
  const proposedOutline = outlineOf(compiled, proposed);

  const deployedText = await target.readSchema();
  const deployedCompiled = deployedText.trim() === "" ? "" : await compileSchema(deployedText);
  const deployedCanonical = typeof deployedCompiled === "string" ? deployedCompiled : deployedText;
  let deployedOutline: SchemaOutline;
  try {
    deployedOutline = outlineSchema(deployedCanonical);
  } catch (error) {
    if (!(error instanceof SchemaOutlineError)) throw error;
    throw new UnusableTargetError(`the deployed schema cannot be compared: ${error.message}`);
  }

  const diff = diffOutlines(deployedOutline, proposedOutline);
  return {
    changes: diff.changes,
    refusals: [...diff.refusals, ...(await findRefusals(target, diff.checks))],
    textChanged: normalise(deployedCanonical) !== normalise(compiled),
  };
}

/**
 * Writes the proposed schema, as written, when the plan changes anything (comments included).
 * SpiceDB judges it against the relationships it holds: its refusal comes back as a Failure at
 * the place in the file it points to.
 */
export async function applySchemaChange(
  target: AuthzEngine,
  proposed: ProposedSchema,
  plan: SchemaPlan,
): Promise<"unchanged" | "written" | Failure> {
  if (plan.changes.length === 0 && !plan.textChanged) return "unchanged";
  return (await applySchema(target, proposed)) ?? "written";
}

/** The schema as a fresh embedded SpiceDB prints it back, or why it does not compile. */
async function compileSchema(
  text: string,
  locate: Locate = (line, column) => ({ file: "schema", line, column }),
): Promise<string | Failure> {
  // A fresh engine each time: SpiceDB refuses some changes even with no relationships at all
  // (a caveat losing a parameter), so one schema must not be written over the other.
  const engine = await EmbeddedEngine.start();
  try {
    return (await applySchema(engine, { text, locate })) ?? (await engine.readSchema());
  } finally {
    await engine.close();
  }
}

/**
 * The outline of the compiled schema. SpiceDB accepted it, so a failure here is something this
 * reader does not know yet: say where in the file the user wrote.
 */
function outlineOf(compiled: string, proposed: ProposedSchema): SchemaOutline {
  try {
    return outlineSchema(compiled);
  } catch (error) {
    if (!(error instanceof SchemaOutlineError)) throw error;
    let at = { file: proposed.file, line: 1, column: 1 };
    let reason = error.reason;
    try {
      outlineSchema(proposed.text);
    } catch (inFile) {
      if (!(inFile instanceof SchemaOutlineError)) throw inFile;
      at = proposed.locate(inFile.line, inFile.column);
      reason = inFile.reason;
    }
    throw new UnusableInputError(
      `${formatFailure({ at, message: `schema diff cannot read this schema: ${reason}` })}`,
    );
  }
}

function normalise(schema: string): string {
  return schema.replace(/\s+/g, " ").trim();
}
