import type { v1 } from "@authzed/authzed-node";
import type { AuthzEngine } from "../authz/engine.js";
import { toEngineError } from "../authz/engine-error.js";
import {
  formatSubjectReference,
  parseObjectReference,
  parseSubjectReference,
  RelationshipSyntaxError,
} from "../authz/relationship-syntax.js";
import type { Failure } from "./failure.js";
import { type FoundSubject, findSubjects } from "./found-subjects.js";
import type { ExpectationEntry } from "./validation-file.js";

/** The bracketed part of `[user:* - {user:bad, user:maybe[...]}] is <document:1#viewer>`. */
export interface ExpectedSubject {
  subject: string;
  caveated: boolean;
  /** Sorted, each with `[...]` when caveated: the form FoundSubject uses. */
  exclusions: string[];
}

// zed's own pattern for the text inside the brackets.
const SUBJECT = /^(?<subject>[^\]\s]+?)(?<caveat>\[\.\.\.\])?(?:\s+-\s+\{(?<exclusions>[^}]+)\})?$/;
const CAVEAT_MARK = "[...]";

/**
 * Parses an expected-subject entry. Only the first bracketed part is read; the `is <...>` part
 * (the relationships the subject came through) is not compared, since it documents how a
 * subject is reached rather than whether it holds.
 */
export function parseExpectedSubject(text: string): ExpectedSubject {
  const open = text.indexOf("[");
  const close = open < 0 ? -1 : matchingBracket(text, open);
  if (close < 0) throw new RelationshipSyntaxError(`expected subject "${text}" has no [subject]`);
  const inside = text.slice(open + 1, close).trim();
  const groups = SUBJECT.exec(inside)?.groups;
  if (!groups?.subject) throw new RelationshipSyntaxError(`"[${inside}]" is not a subject`);
  const exclusions = (groups.exclusions ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const caveated = part.endsWith(CAVEAT_MARK);
      const subject = normalSubject(caveated ? part.slice(0, -CAVEAT_MARK.length) : part);
      return caveated ? `${subject}${CAVEAT_MARK}` : subject;
    })
    .sort();
  return {
    subject: normalSubject(groups.subject),
    caveated: groups.caveat !== undefined,
    exclusions,
  };
}

function matchingBracket(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "[") depth++;
    else if (text[i] === "]" && --depth === 0) return i;
  }
  return -1;
}

/** `user:tom#...` and `user:tom` are the same subject. */
function normalSubject(text: string): string {
  return formatSubjectReference(parseSubjectReference(text.trim()));
}

function describe(subject: ExpectedSubject | FoundSubject): string {
  const caveat = subject.caveated ? CAVEAT_MARK : "";
  const exclusions = subject.exclusions.length > 0 ? ` - {${subject.exclusions.join(", ")}}` : "";
  return `[${subject.subject}${caveat}${exclusions}]`;
}

/** `document:1#view` → the resource and the permission whose subjects are listed. */
function parseExpectationKey(key: string): { resource: v1.ObjectReference; permission: string } {
  const hash = key.lastIndexOf("#");
  if (hash < 0) throw new RelationshipSyntaxError(`"${key}" must be resource#permission`);
  return { resource: parseObjectReference(key.slice(0, hash)), permission: key.slice(hash + 1) };
}

/**
 * Compares each `validation:` entry with the subjects SpiceDB finds: every expected subject
 * must be found, caveated exactly when marked `[...]`, with the same wildcard exclusions; and
 * every subject found must be expected.
 */
export async function checkExpectations(
  engine: AuthzEngine,
  expectations: ExpectationEntry[],
  written: v1.Relationship[],
): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const expectation of expectations) {
    failures.push(...(await checkExpectation(engine, expectation, written)));
  }
  return failures;
}

async function checkExpectation(
  engine: AuthzEngine,
  expectation: ExpectationEntry,
  written: v1.Relationship[],
): Promise<Failure[]> {
  const key = expectation.text;
  let found: Map<string, FoundSubject>;
  try {
    const { resource, permission } = parseExpectationKey(key);
    found = await findSubjects(engine, resource, permission, written);
  } catch (error) {
    if (error instanceof RelationshipSyntaxError) {
      return [{ at: expectation.at, message: `validation ${key}: ${error.message}` }];
    }
    const refusal = toEngineError(error);
    if (!refusal.rejected) throw refusal;
    return [{ at: expectation.at, message: `validation ${key}: ${refusal.message}` }];
  }

  const failures: Failure[] = [];
  const expectedNames = new Set<string>();
  for (const entry of expectation.subjects) {
    let expected: ExpectedSubject;
    try {
      expected = parseExpectedSubject(entry.text);
    } catch (error) {
      if (!(error instanceof RelationshipSyntaxError)) throw error;
      failures.push({ at: entry.at, message: `validation ${key}: ${error.message}` });
      continue;
    }
    expectedNames.add(expected.subject);
    const actual = found.get(expected.subject);
    if (!actual) {
      failures.push({
        at: entry.at,
        message: `validation ${key}: expected ${describe(expected)}, not found`,
      });
    } else if (describe(actual) !== describe(expected)) {
      failures.push({
        at: entry.at,
        message: `validation ${key}: expected ${describe(expected)}, found ${describe(actual)}`,
      });
    }
  }
  const unexpected = [...found.values()].filter((subject) => !expectedNames.has(subject.subject));
  for (const subject of unexpected.sort((a, b) => a.subject.localeCompare(b.subject))) {
    failures.push({
      at: expectation.at,
      message: `validation ${key}: found ${describe(subject)}, not expected`,
    });
  }
  return failures;
}
