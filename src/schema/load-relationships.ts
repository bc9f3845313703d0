import { v1 } from "@authzed/authzed-node";
import type { AuthzEngine } from "../authz/engine.js";
import { toEngineError } from "../authz/engine-error.js";
import {
  formatObjectReference,
  formatSubjectReference,
  parseRelationship,
  RelationshipSyntaxError,
} from "../authz/relationship-syntax.js";
import type { Failure } from "./failure.js";
import type { TextEntry } from "./validation-file.js";

// SpiceDB's default cap on updates in one WriteRelationships call.
const BATCH_SIZE = 1_000;

export interface LoadedRelationships {
  failures: Failure[];
  /** The relationships written, when there were no failures. */
  written: v1.Relationship[];
}

/**
 * Parses the relationship lines and writes them. Any line that does not parse, repeats an
 * earlier one (zed refuses repeats) or that SpiceDB refuses is a failure at that line. Nothing
 * should be checked against a partly loaded graph, so the caller stops on any failure.
 */
export async function loadRelationships(
  engine: AuthzEngine,
  lines: TextEntry[],
): Promise<LoadedRelationships> {
  const failures: Failure[] = [];
  const parsed: { line: TextEntry; relationship: v1.Relationship }[] = [];
  const seen = new Map<string, TextEntry>();
  for (const line of lines) {
    let relationship: v1.Relationship;
    try {
      relationship = parseRelationship(line.text);
    } catch (error) {
      if (!(error instanceof RelationshipSyntaxError)) throw error;
      failures.push({ at: line.at, message: `relationship syntax: ${error.message}` });
      continue;
    }
    const key = `${formatObjectReference(relationship.resource)}#${relationship.relation}@${formatSubjectReference(relationship.subject)}`;
    const first = seen.get(key);
    if (first) {
      failures.push({ at: line.at, message: `relationship ${key} repeats line ${first.at.line}` });
      continue;
    }
    seen.set(key, line);
    parsed.push({ line, relationship });
  }
  // Lines that parsed are still written, so one run reports the lines SpiceDB refuses too.
  for (let start = 0; start < parsed.length; start += BATCH_SIZE) {
    failures.push(...(await writeBatch(engine, parsed.slice(start, start + BATCH_SIZE))));
  }
  return { failures, written: failures.length > 0 ? [] : parsed.map((p) => p.relationship) };
}

async function writeBatch(
  engine: AuthzEngine,
  batch: { line: TextEntry; relationship: v1.Relationship }[],
): Promise<Failure[]> {
  const write = (items: typeof batch) =>
    engine.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: items.map(({ relationship }) =>
          v1.RelationshipUpdate.create({
            operation: v1.RelationshipUpdate_Operation.TOUCH,
            relationship,
          }),
        ),
      }),
    );
  try {
    await write(batch);
    return [];
  } catch (error) {
    const refusal = toEngineError(error);
    if (!refusal.rejected) throw refusal;
  }
  // SpiceDB refuses a batch as a whole; write its lines one by one to name the ones at fault.
  const failures: Failure[] = [];
  for (const item of batch) {
    try {
      await write([item]);
    } catch (error) {
      const refusal = toEngineError(error);
      if (!refusal.rejected) throw refusal;
      failures.push({
        at: item.line.at,
        message: `relationship ${item.line.text}: ${refusal.message}`,
      });
    }
  }
  return failures;
}
