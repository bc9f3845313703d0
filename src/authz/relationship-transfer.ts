import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { v1 } from "@authzed/authzed-node";
import { outlineSchema } from "../schema/schema-outline.js";
import type { AuthzEngine } from "./engine.js";
import { toEngineError } from "./engine-error.js";
import { formatRelationship, parseRelationship } from "./relationship-syntax.js";

/** The object types a schema defines, in order (SpiceDB allows any layout, hence a real parser). */
export function definitionNames(schema: string): string[] {
  return [...outlineSchema(schema).definitions.keys()];
}

/**
 * Every relationship in the engine, in SpiceDB's string syntax, type by type (ReadRelationships
 * needs a resource type, so the schema's definitions drive the walk).
 */
export async function* exportRelationships(engine: AuthzEngine): AsyncGenerator<string> {
  const types = definitionNames(await engine.readSchema());
  for (const resourceType of types) {
    const responses = await engine.readRelationships(
      v1.ReadRelationshipsRequest.create({
        consistency: { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } },
        relationshipFilter: { resourceType },
      }),
    );
    for (const response of responses) {
      if (response.relationship) yield formatRelationship(response.relationship);
    }
  }
}

export class ImportError extends Error {
  override name = "ImportError";
}

const IMPORT_BATCH = 1000; // SpiceDB's limit of updates per WriteRelationships call

/** The key SpiceDB identifies a relationship by: a second line with the same key replaces it. */
const keyOf = (rel: v1.Relationship) =>
  `${rel.resource?.objectType}:${rel.resource?.objectId}#${rel.relation}@${rel.subject?.object?.objectType}:${rel.subject?.object?.objectId}#${rel.subject?.optionalRelation ?? ""}`;

/**
 * Reads a file of relationships (one a line; blank lines and lines starting with // are skipped)
 * and touches them into the engine (or, with `remove`, deletes them), in file order, one batch at
 * a time. Either makes a repeat a no-op, and a relationship given twice counts once (the later
 * line wins).
 *
 * A line that does not parse stops the import before anything is written. A line the engine
 * refuses (a relation the schema lacks, say) is found by halving its batch: everything before it
 * is imported, nothing after, and the ImportError says so and names it (`FILE:LINE: reason`).
 */
export async function importRelationships(
  engine: AuthzEngine,
  path: string,
  onProgress: (loaded: number) => void,
  { remove = false }: { remove?: boolean } = {},
): Promise<{ imported: number; duplicates: number }> {
  const verb = remove ? "deleted" : "imported";
  const byKey = new Map<string, { relationship: v1.Relationship; line: number }>();
  let lineNumber = 0;
  let duplicates = 0;
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    lineNumber++;
    const text = line.trim();
    if (text === "" || text.startsWith("//")) continue;
    let relationship: v1.Relationship;
    try {
      relationship = parseRelationship(text);
    } catch (error) {
      throw new ImportError(
        `${path}:${lineNumber}: ${(error as Error).message}; nothing was ${verb}`,
      );
    }
    const key = keyOf(relationship);
    if (byKey.delete(key)) duplicates++;
    byKey.set(key, { relationship, line: lineNumber });
  }
  const entries = [...byKey.values()];
  let imported = 0;
  const write = async (batch: typeof entries): Promise<void> => {
    try {
      await apply(
        engine,
        remove,
        batch.map((e) => e.relationship),
      );
      imported += batch.length;
      onProgress(imported);
    } catch (error) {
      const refusal = toEngineError(error);
      // Halve a refused batch until the line to blame is alone; the lines before it go in.
      if (refusal.rejected && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await write(batch.slice(0, half));
        await write(batch.slice(half));
        return;
      }
      const line = refusal.rejected ? `:${batch[0]?.line}` : "";
      const done =
        imported === 0
          ? `nothing was ${verb}`
          : `${imported} relationships before it were ${verb}, nothing after`;
      throw new ImportError(`${path}${line}: ${refusal.message.split("\n", 1)[0]}; ${done}`);
    }
  };
  for (let start = 0; start < entries.length; start += IMPORT_BATCH) {
    await write(entries.slice(start, start + IMPORT_BATCH));
  }
  return { imported, duplicates };
}

function apply(engine: AuthzEngine, remove: boolean, relationships: v1.Relationship[]) {
  const request = v1.WriteRelationshipsRequest.create();
  // Plain update objects: create() would copy every relationship by reflection.
  request.updates = relationships.map((relationship) => ({
    operation: remove
      ? v1.RelationshipUpdate_Operation.DELETE
      : v1.RelationshipUpdate_Operation.TOUCH,
    relationship,
  }));
  return engine.writeRelationships(request);
}
