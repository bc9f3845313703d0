import { v1 } from "@authzed/authzed-node";
import type { AuthzEngine } from "../authz/engine.js";
import { formatRelationship } from "../authz/relationship-syntax.js";
import type { Refusal, UsageCheck } from "./schema-diff.js";

/** The engine reads behind a schema diff: whether relationships still use what it removes. */

const PAGE_SIZE = 1_000;

/**
 * Runs the usage checks against the engine: a refusal, with one example relationship, for each
 * check that finds one. Each check asks for a single relationship first; only when that one is
 * outside the check (another caveat or expiration on the same subject type) does it read on,
 * page by page.
 */
export async function findRefusals(engine: AuthzEngine, checks: UsageCheck[]): Promise<Refusal[]> {
  const refusals: Refusal[] = [];
  for (const check of checks) {
    const first = await readPage(engine, check.filter, 1);
    let example = first.relationships.find(check.matches);
    if (!example && first.relationships.length > 0) example = await firstMatch(engine, check);
    if (example) refusals.push({ reason: check.reason, example: formatRelationship(example) });
  }
  return refusals;
}

/** Reads on, by pages, to the first relationship the check matches. */
async function firstMatch(
  engine: AuthzEngine,
  check: UsageCheck,
): Promise<v1.Relationship | undefined> {
  let cursor: v1.Cursor | undefined;
  for (;;) {
    // SpiceDB takes a cursor only with the request it came from: the page size stays the same.
    const page = await readPage(engine, check.filter, PAGE_SIZE, cursor);
    const found = page.relationships.find(check.matches);
    if (found) return found;
    if (page.relationships.length < PAGE_SIZE || !page.cursor) return undefined;
    cursor = page.cursor;
  }
}

async function readPage(
  engine: AuthzEngine,
  filter: v1.RelationshipFilter,
  limit: number,
  cursor?: v1.Cursor,
): Promise<{ relationships: v1.Relationship[]; cursor: v1.Cursor | undefined }> {
  const responses = await engine.readRelationships(
    v1.ReadRelationshipsRequest.create({
      consistency: { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } },
      relationshipFilter: filter,
      optionalLimit: limit,
      optionalCursor: cursor,
    }),
  );
  return {
    relationships: responses.flatMap((r) => (r.relationship ? [r.relationship] : [])),
    cursor: responses.at(-1)?.afterResultCursor,
  };
}
