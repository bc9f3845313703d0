import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { v1 } from "@authzed/authzed-node";
import { outlineSchema } from "../schema/schema-outline.js";
import { loadRelationships } from "./durable-engine.js";
import type { AuthzEngine } from "./engine.js";
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

/**
 * Reads a file of relationships (one a line; blank lines and lines starting with // are skipped)
 * and touches them into the engine in batches. Touch makes a repeated import a no-op. A bad line
 * stops the import before anything is written, naming the line.
 */
export async function importRelationships(
  engine: AuthzEngine,
  path: string,
  onProgress: (loaded: number) => void,
): Promise<number> {
  const relationships: v1.Relationship[] = [];
  let lineNumber = 0;
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    lineNumber++;
    const text = line.trim();
    if (text === "" || text.startsWith("//")) continue;
    try {
      relationships.push(parseRelationship(text));
    } catch (error) {
      throw new Error(`${path}:${lineNumber}: ${(error as Error).message}`);
    }
  }
  return loadRelationships(engine, relationships, onProgress);
}
