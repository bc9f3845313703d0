import { v1 } from "@authzed/authzed-node";
import type { AuthzEngine } from "../../src/authz/engine.js";
import { RelationshipStore } from "../../src/authz/relationship-store.js";
import { formatRelationship, parseRelationship } from "../../src/authz/relationship-syntax.js";
import { definitionNames } from "../../src/authz/relationship-transfer.js";
import type { SqliteDatabase } from "../../src/data/sqlite.js";

/**
 * Small builders over SpiceDB's request types, written in its relationship string syntax so a
 * test reads like the data it sets up: `touch("project:p1#viewer@account:a1")`.
 */

const { Operation } = { Operation: v1.RelationshipUpdate_Operation };

export const fullyConsistent = (): v1.Consistency =>
  v1.Consistency.create({ requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } });

export const touch = (text: string): v1.RelationshipUpdate =>
  v1.RelationshipUpdate.create({
    operation: Operation.TOUCH,
    relationship: parseRelationship(text),
  });
export const create = (text: string): v1.RelationshipUpdate =>
  v1.RelationshipUpdate.create({
    operation: Operation.CREATE,
    relationship: parseRelationship(text),
  });
export const remove = (text: string): v1.RelationshipUpdate =>
  v1.RelationshipUpdate.create({
    operation: Operation.DELETE,
    relationship: parseRelationship(text),
  });

/** A filter from `type:id#relation@subjectType:subjectId`, any part but the type left out. */
export function relationshipFilter(parts: {
  resourceType: string;
  resourceId?: string;
  relation?: string;
  subjectType?: string;
  subjectId?: string;
}): v1.RelationshipFilter {
  return v1.RelationshipFilter.create({
    resourceType: parts.resourceType,
    optionalResourceId: parts.resourceId ?? "",
    optionalRelation: parts.relation ?? "",
    optionalSubjectFilter: parts.subjectType
      ? { subjectType: parts.subjectType, optionalSubjectId: parts.subjectId ?? "" }
      : undefined,
  });
}

export const mustMatch = (filter: v1.RelationshipFilter): v1.Precondition =>
  v1.Precondition.create({ operation: v1.Precondition_Operation.MUST_MATCH, filter });
export const mustNotMatch = (filter: v1.RelationshipFilter): v1.Precondition =>
  v1.Precondition.create({ operation: v1.Precondition_Operation.MUST_NOT_MATCH, filter });

/** Writes updates (and preconditions) as one atomic request. */
export function write(
  engine: AuthzEngine,
  updates: v1.RelationshipUpdate[],
  preconditions: v1.Precondition[] = [],
): Promise<v1.WriteRelationshipsResponse> {
  return engine.writeRelationships(
    v1.WriteRelationshipsRequest.create({ updates, optionalPreconditions: preconditions }),
  );
}

/** Touches relationships given in string syntax. */
export function touchAll(
  engine: AuthzEngine,
  texts: string[],
): Promise<v1.WriteRelationshipsResponse> {
  return write(engine, texts.map(touch));
}

/** The relationships matching a filter, in string syntax, sorted. */
export async function readMatching(
  engine: AuthzEngine,
  filter: v1.RelationshipFilter,
): Promise<string[]> {
  const responses = await engine.readRelationships(
    v1.ReadRelationshipsRequest.create({
      consistency: fullyConsistent(),
      relationshipFilter: filter,
    }),
  );
  return responses
    .flatMap((r) => (r.relationship ? [formatRelationship(r.relationship)] : []))
    .sort();
}

/** Every relationship the engine holds (one read per definition of its schema), sorted. */
export async function readAllRelationships(engine: AuthzEngine): Promise<string[]> {
  const all: string[] = [];
  for (const resourceType of definitionNames(await engine.readSchema())) {
    all.push(...(await readMatching(engine, relationshipFilter({ resourceType }))));
  }
  return all.sort();
}

/** Every unexpired relationship SQLite holds, in string syntax, sorted. */
export function storedRelationships(db: SqliteDatabase): string[] {
  return [...new RelationshipStore(db).iterate()].map(formatRelationship).sort();
}

/** `type:id`, or `type:id#relation`, as a SubjectReference. */
export function subjectRef(text: string): v1.SubjectReference {
  const [object, relation = ""] = text.split("#");
  const [objectType = "", objectId = ""] = (object ?? "").split(":");
  return v1.SubjectReference.create({
    object: { objectType, objectId },
    optionalRelation: relation,
  });
}

export function objectRef(text: string): v1.ObjectReference {
  const [objectType = "", objectId = ""] = text.split(":");
  return v1.ObjectReference.create({ objectType, objectId });
}

const PERMISSIONSHIP_NAMES: Record<number, string> = {
  [v1.CheckPermissionResponse_Permissionship.NO_PERMISSION]: "no",
  [v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION]: "yes",
  [v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION]: "conditional",
};

export type Decision = "yes" | "no" | "conditional";

/** Checks one permission, fully consistent; the answer as "yes", "no" or "conditional". */
export async function check(
  engine: AuthzEngine,
  resource: string,
  permission: string,
  subject: string,
  context?: Record<string, unknown>,
): Promise<Decision> {
  const response = await engine.checkPermission(
    v1.CheckPermissionRequest.create({
      consistency: fullyConsistent(),
      resource: objectRef(resource),
      permission,
      subject: subjectRef(subject),
      context: context ? v1.PbStruct.fromJson(context as never) : undefined,
    }),
  );
  return (PERMISSIONSHIP_NAMES[response.permissionship] ?? "unspecified") as Decision;
}
