import { v1 } from "@authzed/authzed-node";
import type { AuthzEngine } from "../authz/engine.js";
import { toEngineError } from "../authz/engine-error.js";
import { parseRelationship, RelationshipSyntaxError } from "../authz/relationship-syntax.js";
import type { Failure } from "./failure.js";
import type { AssertionEntry, AssertionKind } from "./validation-file.js";

const Permissionship = v1.CheckPermissionResponse_Permissionship;

const EXPECTED: Record<AssertionKind, v1.CheckPermissionResponse_Permissionship> = {
  assertTrue: Permissionship.HAS_PERMISSION,
  assertCaveated: Permissionship.CONDITIONAL_PERMISSION,
  assertFalse: Permissionship.NO_PERMISSION,
};

const WORDING: Record<v1.CheckPermissionResponse_Permissionship, string> = {
  [Permissionship.UNSPECIFIED]: "an unspecified answer",
  [Permissionship.NO_PERMISSION]: "no permission",
  [Permissionship.HAS_PERMISSION]: "permission",
  [Permissionship.CONDITIONAL_PERMISSION]: "caveated permission",
};

interface Assertion {
  check: v1.Relationship;
  context?: v1.PbStruct;
}

/**
 * Parses `resource#permission@subject`, optionally followed by ` with {json}`: the caveat
 * context given at check time (a relationship's own context wins over it, as in SpiceDB).
 */
function parseAssertion(text: string): Assertion {
  const trimmed = text.trim();
  const withAt = trimmed.indexOf(" with ");
  const check = parseRelationship(withAt < 0 ? trimmed : trimmed.slice(0, withAt));
  if (check.optionalCaveat) {
    throw new RelationshipSyntaxError(
      "an assertion cannot name a caveat: give its context with `with {...}`",
    );
  }
  if (check.optionalExpiresAt) {
    throw new RelationshipSyntaxError("an assertion cannot carry an expiration");
  }
  if (withAt < 0) return { check };
  const contextText = trimmed.slice(withAt + " with ".length);
  let context: unknown;
  try {
    context = JSON.parse(contextText);
  } catch {
    throw new RelationshipSyntaxError(`caveat context is not valid JSON: ${contextText}`);
  }
  if (typeof context !== "object" || context === null || Array.isArray(context)) {
    throw new RelationshipSyntaxError(`caveat context must be a JSON object: ${contextText}`);
  }
  return { check, context: v1.PbStruct.fromJson(context as never) };
}

/** Checks each assertion against the engine; a failure for each that does not hold. */
export async function checkAssertions(
  engine: AuthzEngine,
  assertions: AssertionEntry[],
): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const assertion of assertions) {
    const failure = await checkAssertion(engine, assertion);
    if (failure) failures.push(failure);
  }
  return failures;
}

async function checkAssertion(
  engine: AuthzEngine,
  entry: AssertionEntry,
): Promise<Failure | undefined> {
  const label = `${entry.kind} ${entry.text.trim()}`;
  let assertion: Assertion;
  try {
    assertion = parseAssertion(entry.text);
  } catch (error) {
    if (!(error instanceof RelationshipSyntaxError)) throw error;
    return { at: entry.at, message: `${label}: ${error.message}` };
  }
  let response: v1.CheckPermissionResponse;
  try {
    response = await engine.checkPermission(
      v1.CheckPermissionRequest.create({
        consistency: v1.Consistency.create({
          requirement: { oneofKind: "fullyConsistent", fullyConsistent: true },
        }),
        resource: assertion.check.resource,
        permission: assertion.check.relation,
        subject: assertion.check.subject,
        context: assertion.context,
      }),
    );
  } catch (error) {
    const refusal = toEngineError(error);
    if (!refusal.rejected) throw refusal;
    return { at: entry.at, message: `${label}: ${refusal.message}` };
  }
  const expected = EXPECTED[entry.kind];
  if (response.permissionship === expected) return undefined;
  // A conditional answer says which context was missing: the likeliest fix for the file.
  const missing = response.partialCaveatInfo?.missingRequiredContext ?? [];
  const found = `${WORDING[response.permissionship]}${missing.length > 0 ? ` (context missing: ${missing.join(", ")})` : ""}`;
  return { at: entry.at, message: `${label}: expected ${WORDING[expected]}, found ${found}` };
}
