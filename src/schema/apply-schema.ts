import type { AuthzEngine } from "../authz/engine.js";
import { toEngineError } from "../authz/engine-error.js";
import type { Failure } from "./failure.js";
import type { ValidationFile } from "./validation-file.js";

// SpiceDB prefixes syntax errors with their place in the schema text it was given.
const PARSE_POSITION = /^parse error in `[^`]*`, line (\d+), column (\d+): /;

/** Writes the schema to the engine; if SpiceDB refuses it, the failure to report. */
export async function applySchema(
  engine: AuthzEngine,
  schema: ValidationFile["schema"],
): Promise<Failure | undefined> {
  try {
    await engine.writeSchema(schema.text);
    return undefined;
  } catch (error) {
    const refusal = toEngineError(error);
    if (!refusal.rejected) throw refusal;
    const parsePosition = PARSE_POSITION.exec(refusal.message);
    const position = parsePosition
      ? { line: Number(parsePosition[1]), column: Number(parsePosition[2]) }
      : firstMention(schema.text, refusal.message);
    const detail = refusal.message.replace(PARSE_POSITION, "");
    return { at: schema.locate(position.line, position.column), message: `schema: ${detail}` };
  }
}

/**
 * Semantic errors (an unknown type, relation or caveat) come without a position but name the
 * offender in backticks: point at its first whole-word use in the schema, else at the top.
 */
function firstMention(text: string, message: string): { line: number; column: number } {
  for (const [, name] of message.matchAll(/`([^`]+)`/g)) {
    if (!name) continue;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const match = new RegExp(`(?<![\\w/])${escaped}(?![\\w/])`).exec(text);
    if (!match) continue;
    const before = text.slice(0, match.index).split("\n");
    return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
  }
  return { line: 1, column: 1 };
}
