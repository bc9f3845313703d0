import { v1 } from "@authzed/authzed-node";
import {
  type AllowedSubject,
  type CaveatOutline,
  type DefinitionOutline,
  formatAllowedSubject,
  type MemberOutline,
  type SchemaOutline,
} from "./schema-outline.js";

/** One line of a diff: `+ definition project`, `~ permission project#view: a → b`. */
export interface SchemaChange {
  sign: "+" | "-" | "~";
  text: string;
}

/**
 * Relationships that would be left without schema: if any matches, SpiceDB refuses the change.
 * `matches` narrows what the filter cannot express (caveat, expiration, wildcard or not).
 */
export interface UsageCheck {
  /** What goes away and how relationships depend on it, for the report. */
  reason: string;
  filter: v1.RelationshipFilter;
  matches: (relationship: v1.Relationship) => boolean;
}

/** Why SpiceDB would refuse the change, with a relationship that shows it when there is one. */
export interface Refusal {
  reason: string;
  example?: string;
}

export interface OutlineDiff {
  changes: SchemaChange[];
  /** Refusals that hold whatever the data (a caveat losing a parameter). */
  refusals: Refusal[];
  /** Refusals that hold if relationships still use what is removed. */
  checks: UsageCheck[];
}

/**
 * Compares the deployed schema's outline with the proposed one's. The checks follow SpiceDB's
 * own before it writes a schema: no relationship may remain under a removed definition or
 * relation, name a removed relation as its subject's relation, or have a subject type its
 * relation no longer allows; and a caveat keeps its parameters and their types.
 */
export function diffOutlines(deployed: SchemaOutline, proposed: SchemaOutline): OutlineDiff {
  const diff: OutlineDiff = { changes: [], refusals: [], checks: [] };
  for (const feature of proposed.features) {
    if (!deployed.features.includes(feature))
      diff.changes.push({ sign: "+", text: `use ${feature}` });
  }
  for (const feature of deployed.features) {
    if (!proposed.features.includes(feature))
      diff.changes.push({ sign: "-", text: `use ${feature}` });
  }
  for (const name of unionOfKeys(deployed.caveats, proposed.caveats)) {
    diffCaveat(diff, deployed.caveats.get(name), proposed.caveats.get(name));
  }
  for (const name of unionOfKeys(deployed.definitions, proposed.definitions)) {
    const before = deployed.definitions.get(name);
    const after = proposed.definitions.get(name);
    if (!before && after) {
      diff.changes.push({ sign: "+", text: `definition ${name}` });
      for (const member of after.members.values()) {
        diff.changes.push({ sign: "+", text: describeMember(name, member) });
      }
    } else if (before && !after) {
      diff.changes.push({ sign: "-", text: `definition ${name}` });
      diff.checks.push({
        reason: `definition ${name} is removed, but relationships still use it`,
        filter: v1.RelationshipFilter.create({ resourceType: name }),
        matches: () => true,
      });
      diff.checks.push(...subjectChecks(deployed, proposed, name, undefined));
    } else if (before && after) {
      diffMembers(diff, deployed, proposed, before, after);
    }
  }
  return diff;
}

function unionOfKeys<T>(first: Map<string, T>, second: Map<string, T>): string[] {
  return [...new Set([...first.keys(), ...second.keys()])];
}

function describeCaveat(caveat: CaveatOutline): string {
  const parameters = [...caveat.parameters].map(([name, type]) => `${name} ${type}`).join(", ");
  return `${caveat.name}(${parameters}) { ${caveat.expression} }`;
}

/** Same expression, same parameters with the same types, in whatever order. */
function sameCaveat(first: CaveatOutline, second: CaveatOutline): boolean {
  return (
    first.expression === second.expression &&
    first.parameters.size === second.parameters.size &&
    [...first.parameters].every(([name, type]) => second.parameters.get(name) === type)
  );
}

function diffCaveat(
  diff: OutlineDiff,
  before: CaveatOutline | undefined,
  after: CaveatOutline | undefined,
): void {
  if (!before && after) {
    diff.changes.push({ sign: "+", text: `caveat ${describeCaveat(after)}` });
    return;
  }
  // A caveat still named by a relation cannot go (the schema would not compile); relationships
  // carrying it are under an allowed type `with` it, which is checked as that type goes.
  if (before && !after) {
    diff.changes.push({ sign: "-", text: `caveat ${before.name}` });
    return;
  }
  if (!before || !after || sameCaveat(before, after)) return;
  diff.changes.push({
    sign: "~",
    text: `caveat ${before.name}: ${describeCaveat(before)} → ${describeCaveat(after)}`,
  });
  // SpiceDB refuses these whatever the data: stored caveat contexts were written for the old
  // parameters.
  for (const [parameter, type] of before.parameters) {
    const now = after.parameters.get(parameter);
    if (now === undefined) {
      diff.refusals.push({ reason: `caveat ${before.name} loses its parameter ${parameter}` });
    } else if (now !== type) {
      diff.refusals.push({
        reason: `caveat ${before.name} changes the type of its parameter ${parameter} (${type} → ${now})`,
      });
    }
  }
}

function describeMember(definition: string, member: MemberOutline): string {
  return member.kind === "relation"
    ? `relation ${definition}#${member.name}: ${member.allowed.map(formatAllowedSubject).join(" | ")}`
    : `permission ${definition}#${member.name} = ${member.expression}`;
}

function diffMembers(
  diff: OutlineDiff,
  deployed: SchemaOutline,
  proposed: SchemaOutline,
  before: DefinitionOutline,
  after: DefinitionOutline,
): void {
  const definition = before.name;
  for (const name of unionOfKeys(before.members, after.members)) {
    const old = before.members.get(name);
    const now = after.members.get(name);
    // A relation that becomes a permission (or the reverse) is one removed and one added.
    const removed = old && (!now || now.kind !== old.kind) ? old : undefined;
    const added = now && (!old || old.kind !== now.kind) ? now : undefined;
    if (removed) {
      diff.changes.push({ sign: "-", text: `${removed.kind} ${definition}#${name}` });
      if (removed.kind === "relation") {
        diff.checks.push({
          reason: `relation ${definition}#${name} is removed, but relationships still use it`,
          filter: v1.RelationshipFilter.create({
            resourceType: definition,
            optionalRelation: name,
          }),
          matches: () => true,
        });
        diff.checks.push(...subjectChecks(deployed, proposed, definition, name));
      }
    }
    if (added) diff.changes.push({ sign: "+", text: describeMember(definition, added) });
    if (removed || added || !old || !now) continue;

    if (old.kind === "permission" && now.kind === "permission") {
      if (old.expression !== now.expression) {
        diff.changes.push({
          sign: "~",
          text: `permission ${definition}#${name}: ${old.expression} → ${now.expression}`,
        });
      }
    } else if (old.kind === "relation" && now.kind === "relation") {
      const kept = new Set(now.allowed.map(formatAllowedSubject));
      const had = new Set(old.allowed.map(formatAllowedSubject));
      const lost = old.allowed.filter((subject) => !kept.has(formatAllowedSubject(subject)));
      if (lost.length === 0 && kept.size === had.size) continue;
      const types = (allowed: AllowedSubject[]) => allowed.map(formatAllowedSubject).join(" | ");
      diff.changes.push({
        sign: "~",
        text: `relation ${definition}#${name}: ${types(old.allowed)} → ${types(now.allowed)}`,
      });
      for (const subject of lost) {
        diff.checks.push({
          reason: `relation ${definition}#${name} no longer allows ${formatAllowedSubject(subject)}, but relationships still use it`,
          filter: subjectFilter(definition, name, subject),
          matches: (relationship) => isOfAllowedType(relationship, subject),
        });
      }
    }
  }
}

/**
 * Checks for relationships whose subject names `type` (any of its subjects when `relation` is
 * undefined, else the userset `type:…#relation`), found through every deployed relation that
 * allows such subjects. Relations in definitions that go away entirely are skipped: their own
 * check covers every relationship under them.
 */
function subjectChecks(
  deployed: SchemaOutline,
  proposed: SchemaOutline,
  type: string,
  relation: string | undefined,
): UsageCheck[] {
  const checks: UsageCheck[] = [];
  const removed = relation === undefined ? `definition ${type}` : `relation ${type}#${relation}`;
  for (const definition of deployed.definitions.values()) {
    if (!proposed.definitions.has(definition.name) || definition.name === type) continue;
    for (const member of definition.members.values()) {
      if (member.kind !== "relation") continue;
      const names = member.allowed.some(
        (subject) =>
          subject.type === type &&
          (relation === undefined || (!subject.wildcard && subject.relation === relation)),
      );
      if (!names) continue;
      checks.push({
        reason: `${removed} is removed, but relationships of ${definition.name}#${member.name} still name it as their subject`,
        filter: v1.RelationshipFilter.create({
          resourceType: definition.name,
          optionalRelation: member.name,
          optionalSubjectFilter: {
            subjectType: type,
            optionalSubjectId: "",
            optionalRelation: relation === undefined ? undefined : { relation },
          },
        }),
        matches: () => true,
      });
    }
  }
  return checks;
}

function subjectFilter(
  definition: string,
  relation: string,
  subject: AllowedSubject,
): v1.RelationshipFilter {
  return v1.RelationshipFilter.create({
    resourceType: definition,
    optionalRelation: relation,
    optionalSubjectFilter: {
      subjectType: subject.type,
      optionalSubjectId: subject.wildcard ? "*" : "",
      // An empty relation asks for the object itself (`user:tom`, not `user:tom#…`).
      optionalRelation: { relation: subject.relation ?? "" },
    },
  });
}

/**
 * Whether SpiceDB counts a relationship as a use of this allowed type: same subject type and
 * relation, same caveat (or none), expiring exactly when the type says `with expiration`.
 *
 * NOTE: SpiceDB counts `user:*` as a use of `user` too (its check for a non-wildcard type does
 * not filter on the subject id), so it refuses to drop `user` from `user | user:*` while a
 * `user:*` relationship exists. The diff predicts what SpiceDB does, so it does the same.
 */
function isOfAllowedType(relationship: v1.Relationship, subject: AllowedSubject): boolean {
  const ref = relationship.subject;
  return (
    ref?.object?.objectType === subject.type &&
    (ref.optionalRelation || undefined) === subject.relation &&
    (!subject.wildcard || ref.object.objectId === "*") &&
    (relationship.optionalCaveat?.caveatName || undefined) === subject.caveat &&
    (relationship.optionalExpiresAt !== undefined) === subject.expiration
  );
}
