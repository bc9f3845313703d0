import { v1 } from "@authzed/authzed-node";
import { assertCaveatContext, CaveatContextError } from "./caveat-context.js";

/**
 * SpiceDB's string syntax for relationships, the one form a person reads or writes:
 *
 *   project:p1#editor@account:a2
 *   role:r1#grants@role:r1#assignee
 *   tenant:t1#member@account:a2[on_network:{"cidr":"10.0.0.0/8"}][expiration:2030-01-01T00:00:00Z]
 *
 * Parsing is strict (SpiceDB's own type, relation and id rules), so a bad string is refused
 * here with a message that names the part, before anything reaches the engine.
 */

/** SpiceDB's rule for object type names (`project`, `org/team`). */
export const TYPE_NAME = /^([a-z][a-z0-9_]{1,61}[a-z0-9]\/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
const RELATION = /^[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
const OBJECT_ID = /^[a-zA-Z0-9/_|\-=+]{1,1024}$/;
const CAVEAT_NAME = /^([a-z][a-z0-9_]{1,61}[a-z0-9]\/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$/;

export class RelationshipSyntaxError extends Error {
  override name = "RelationshipSyntaxError";
}

export interface ParsedSubject {
  type: string;
  id: string;
  relation?: string;
}

function parseObject(text: string, what: string, allowWildcard: boolean): v1.ObjectReference {
  const colon = text.indexOf(":");
  if (colon < 0) throw new RelationshipSyntaxError(`${what} "${text}" must be type:id`);
  const objectType = text.slice(0, colon);
  const objectId = text.slice(colon + 1);
  if (!TYPE_NAME.test(objectType)) {
    throw new RelationshipSyntaxError(
      `${what} type "${objectType}" is invalid: lowercase letters, digits and _, 3 to 64 characters`,
    );
  }
  if (!(OBJECT_ID.test(objectId) || (allowWildcard && objectId === "*"))) {
    throw new RelationshipSyntaxError(
      `${what} id "${objectId}" is invalid: letters, digits and /_|-=+, 1 to 1024 characters`,
    );
  }
  // A plain object with every field set is a valid message; create() would copy it by reflection.
  return { objectType, objectId };
}

function checkRelation(relation: string, what: string): string {
  if (!RELATION.test(relation)) {
    throw new RelationshipSyntaxError(
      `${what} "${relation}" is invalid: lowercase letters, digits and _, 3 to 64 characters`,
    );
  }
  return relation;
}

/** `project:p1` → ObjectReference. */
export function parseObjectReference(text: string, what = "resource"): v1.ObjectReference {
  return parseObject(text, what, false);
}

/** `account:a1`, `role:r1#assignee`, `user:*` or `user:u1#...` → SubjectReference. */
export function parseSubjectReference(text: string, what = "subject"): v1.SubjectReference {
  const hash = text.indexOf("#");
  const object = parseObject(hash < 0 ? text : text.slice(0, hash), what, true);
  const relation = hash < 0 ? "" : text.slice(hash + 1);
  // `...` is SpiceDB's spelling of "the object itself, no relation" (zed and its test files use it).
  const optionalRelation =
    hash < 0 || relation === "..." ? "" : checkRelation(relation, `${what} relation`);
  return { object, optionalRelation };
}

/** Splits `name:{json}` inside a bracket, where the JSON may itself hold brackets. */
function readBracket(text: string, start: number): { body: string; end: number } {
  let depth = 0;
  let inString = false;
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}") depth--;
    else if (ch === "]" && depth === 0) return { body: text.slice(start + 1, i), end: i + 1 };
  }
  throw new RelationshipSyntaxError(`unclosed "[" in "${text}"`);
}

/** Parses one relationship in SpiceDB's string syntax. */
export function parseRelationship(input: string): v1.Relationship {
  const text = input.trim();
  const at = text.indexOf("@");
  if (at < 0)
    throw new RelationshipSyntaxError(`relationship "${text}" must be resource#relation@subject`);
  const left = text.slice(0, at);
  const hash = left.lastIndexOf("#");
  if (hash < 0) throw new RelationshipSyntaxError(`relationship "${text}" has no #relation`);
  const resource = parseObjectReference(left.slice(0, hash));
  const relation = checkRelation(left.slice(hash + 1), "relation");

  let rest = text.slice(at + 1);
  const bracket = rest.indexOf("[");
  const subjectText = bracket < 0 ? rest : rest.slice(0, bracket);
  const subject = parseSubjectReference(subjectText);
  rest = bracket < 0 ? "" : rest.slice(bracket);

  let optionalCaveat: v1.ContextualizedCaveat | undefined;
  let optionalExpiresAt: v1.Relationship["optionalExpiresAt"];
  while (rest.length > 0) {
    if (!rest.startsWith("["))
      throw new RelationshipSyntaxError(`unexpected "${rest}" after the subject`);
    const { body, end } = readBracket(rest, 0);
    rest = rest.slice(end);
    const colon = body.indexOf(":");
    const name = colon < 0 ? body : body.slice(0, colon);
    const value = colon < 0 ? undefined : body.slice(colon + 1);
    if (name === "expiration") {
      const millis = value === undefined ? Number.NaN : Date.parse(value);
      if (!value || Number.isNaN(millis) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
        throw new RelationshipSyntaxError(`expiration "${value ?? ""}" must be an RFC 3339 time`);
      }
      optionalExpiresAt = timestampFromMillis(millis);
      continue;
    }
    if (optionalCaveat) throw new RelationshipSyntaxError("a relationship has at most one caveat");
    if (!CAVEAT_NAME.test(name))
      throw new RelationshipSyntaxError(`caveat name "${name}" is invalid`);
    let context: v1.PbStruct | undefined;
    if (value !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(value);
      } catch {
        throw new RelationshipSyntaxError(`caveat context of "${name}" is not valid JSON`);
      }
      try {
        assertCaveatContext(json);
      } catch (error) {
        if (!(error instanceof CaveatContextError)) throw error;
        const where = error.path ? ` (at ${error.path})` : "";
        throw new RelationshipSyntaxError(`caveat context of "${name}": ${error.message}${where}`);
      }
      context = v1.PbStruct.fromJson(json as never);
    }
    optionalCaveat = v1.ContextualizedCaveat.create({ caveatName: name, context });
  }
  return v1.Relationship.create({
    resource,
    relation,
    subject,
    optionalCaveat,
    optionalExpiresAt,
  });
}

/** A protobuf Timestamp, as the authzed client types it. */
export interface Timestamp {
  seconds: string;
  nanos: number;
}

export function timestampFromMillis(millis: number): Timestamp {
  const seconds = Math.floor(millis / 1000);
  return { seconds: String(seconds), nanos: (millis - seconds * 1000) * 1_000_000 };
}

export function millisFromTimestamp(ts: Timestamp): number {
  return Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1_000_000);
}

export function formatObjectReference(ref: v1.ObjectReference | undefined): string {
  return `${ref?.objectType}:${ref?.objectId}`;
}

export function formatSubjectReference(subject: v1.SubjectReference | undefined): string {
  const base = formatObjectReference(subject?.object);
  return subject?.optionalRelation ? `${base}#${subject.optionalRelation}` : base;
}

/** Formats a relationship in SpiceDB's string syntax; inverse of parseRelationship. */
export function formatRelationship(rel: v1.Relationship): string {
  let text = `${formatObjectReference(rel.resource)}#${rel.relation}@${formatSubjectReference(rel.subject)}`;
  const caveat = rel.optionalCaveat;
  if (caveat?.caveatName) {
    const context = caveat.context ? v1.PbStruct.toJson(caveat.context) : undefined;
    const hasContext = context && typeof context === "object" && Object.keys(context).length > 0;
    text += hasContext
      ? `[${caveat.caveatName}:${JSON.stringify(context)}]`
      : `[${caveat.caveatName}]`;
  }
  if (rel.optionalExpiresAt) {
    const iso = new Date(millisFromTimestamp(rel.optionalExpiresAt)).toISOString();
    text += `[expiration:${iso.replace(".000Z", "Z")}]`;
  }
  return text;
}
