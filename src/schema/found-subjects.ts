import { v1 } from "@authzed/authzed-node";
import type { AuthzEngine } from "../authz/engine.js";
import { formatSubjectReference } from "../authz/relationship-syntax.js";

/** A subject that holds a permission, in the terms zed's `validation:` entries use. */
export interface FoundSubject {
  /** `user:tom`, `group:eng#member` or `user:*`. */
  subject: string;
  caveated: boolean;
  /** For a wildcard, the subjects it leaves out (`user:bad`, or `user:maybe[...]` if caveated), sorted. */
  exclusions: string[];
}

const consistency = {
  requirement: { oneofKind: "fullyConsistent" as const, fullyConsistent: true },
};

/**
 * The subjects that hold `permission` on `resource`, keyed by subject, matching what zed finds
 * by expanding the permission: every subject of a written relationship that reaches it,
 * usersets (`group:eng#member`) as well as objects and wildcards, each marked caveated or not.
 *
 * LookupSubjects answers for each kind of subject the relationships name, with SpiceDB's own
 * set algebra, caveats and wildcard exclusions. For usersets it also counts an object reached
 * through an arrow or a permission (`parent->member` finds `group:g#member` itself), which zed
 * does not list; so a userset is kept only if it appears in a leaf of the expanded tree, that
 * is, as the subject of a relationship on the way.
 */
export async function findSubjects(
  engine: AuthzEngine,
  resource: v1.ObjectReference,
  permission: string,
  written: v1.Relationship[],
): Promise<Map<string, FoundSubject>> {
  const kinds = new Map<string, { type: string; relation: string }>();
  for (const { subject } of written) {
    const type = subject?.object?.objectType ?? "";
    const relation = subject?.optionalRelation ?? "";
    kinds.set(`${type}#${relation}`, { type, relation });
  }
  const usersets = [...kinds.values()].some((kind) => kind.relation)
    ? await leafUsersets(engine, resource, permission)
    : new Set<string>();

  const found = new Map<string, FoundSubject>();
  for (const { type, relation } of kinds.values()) {
    const responses = await engine.lookupSubjects(
      v1.LookupSubjectsRequest.create({
        consistency,
        resource,
        permission,
        subjectObjectType: type,
        optionalSubjectRelation: relation,
      }),
    );
    for (const { subject, excludedSubjects } of responses) {
      const name = `${type}:${subject?.subjectObjectId}${relation ? `#${relation}` : ""}`;
      if (relation && !usersets.has(name)) continue;
      found.set(name, {
        subject: name,
        caveated: isConditional(subject),
        exclusions: excludedSubjects
          .map(
            (excluded) =>
              `${type}:${excluded.subjectObjectId}${isConditional(excluded) ? "[...]" : ""}`,
          )
          .sort(),
      });
    }
  }
  return found;
}

function isConditional(subject: v1.ResolvedSubject | undefined): boolean {
  return subject?.permissionship === v1.LookupPermissionship.CONDITIONAL_PERMISSION;
}

/** Usersets named in the leaves of the fully expanded tree (v1 Expand stops at each userset). */
async function leafUsersets(
  engine: AuthzEngine,
  resource: v1.ObjectReference,
  permission: string,
): Promise<Set<string>> {
  const found = new Set<string>();
  const pending = [{ resource, permission }];
  while (pending.length > 0) {
    const next = pending.pop();
    if (!next) break;
    const response = await engine.expandPermissionTree(
      v1.ExpandPermissionTreeRequest.create({ consistency, ...next }),
    );
    for (const subject of leafSubjects(response.treeRoot)) {
      if (!subject.optionalRelation || !subject.object) continue;
      const name = formatSubjectReference(subject);
      if (found.has(name)) continue;
      found.add(name);
      pending.push({ resource: subject.object, permission: subject.optionalRelation });
    }
  }
  return found;
}

function* leafSubjects(
  node: v1.PermissionRelationshipTree | undefined,
): Generator<v1.SubjectReference> {
  if (node?.treeType.oneofKind === "leaf") yield* node.treeType.leaf.subjects;
  if (node?.treeType.oneofKind === "intermediate") {
    for (const child of node.treeType.intermediate.children) yield* leafSubjects(child);
  }
}
