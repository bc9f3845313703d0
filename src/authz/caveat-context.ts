import { v1 } from "@authzed/authzed-node";

/**
 * Caveat context as tenantgate accepts it, from a check request or from a relationship string.
 *
 * NOTE: SpiceDB refuses a request whose caveat context is larger than 4,096 bytes, and a
 * non-finite number (JSON's `1e400` parses to Infinity) makes it fail in ways that are not the
 * caller's fault to read (a Go stack trace in the embedded engine). Either, sent inside a
 * coalesced bulk check, used to fail every other caller's check in the same batch; and after an
 * engine write, a context that cannot be serialised again broke the durable copy. So every
 * context is checked here, before anything is batched or written: a JSON object, at most
 * MAX_CONTEXT_BYTES encoded as SpiceDB receives it, at most MAX_CONTEXT_DEPTH levels deep, finite numbers only.
 */
export const MAX_CONTEXT_BYTES = 4096;
export const MAX_CONTEXT_DEPTH = 8;
/** Every value takes at least two bytes encoded, so more than this many cannot fit anyway. */
const MAX_CONTEXT_VALUES = MAX_CONTEXT_BYTES / 2;

export class CaveatContextError extends Error {
  override name = "CaveatContextError";
  constructor(
    message: string,
    /** Where in the context, e.g. `allowed_cidr` or `tags.2`; empty for the whole context. */
    readonly path: string,
  ) {
    super(message);
  }
}

/**
 * Throws a CaveatContextError naming the first offending value, unless `value` is a JSON object
 * SpiceDB can take as caveat context. Never recurses past MAX_CONTEXT_DEPTH nor visits more
 * values than could fit, so hostile nesting or width costs nothing.
 */
export function assertCaveatContext(value: unknown): asserts value is Record<string, unknown> {
  if (!isPlainObject(value))
    throw new CaveatContextError("caveat context must be a JSON object", "");
  walk(value, [], 1, { left: MAX_CONTEXT_VALUES });
  // SpiceDB counts the protobuf encoding, which can be several times the JSON (a number takes
  // nine bytes there and one in JSON).
  const bytes = v1.PbStruct.toBinary(v1.PbStruct.fromJson(value as never)).length;
  if (bytes > MAX_CONTEXT_BYTES) {
    throw new CaveatContextError(
      `caveat context is ${bytes} bytes; at most ${MAX_CONTEXT_BYTES} are allowed`,
      "",
    );
  }
}

function walk(value: unknown, path: string[], depth: number, budget: { left: number }): void {
  if (--budget.left < 0) {
    // Before encoding: protobuf-ts spreads a list into one call, which a huge one overflows.
    throw new CaveatContextError(
      `caveat context holds more than ${MAX_CONTEXT_VALUES} values; at most ${MAX_CONTEXT_BYTES} bytes are allowed`,
      "",
    );
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new CaveatContextError("numbers must be finite", path.join("."));
    return;
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  const children = Array.isArray(value)
    ? value.entries()
    : isPlainObject(value)
      ? Object.entries(value)
      : undefined;
  if (!children) throw new CaveatContextError("only JSON values are allowed", path.join("."));
  if (depth > MAX_CONTEXT_DEPTH) {
    throw new CaveatContextError(`nested deeper than ${MAX_CONTEXT_DEPTH} levels`, path.join("."));
  }
  for (const [key, child] of children) {
    path.push(String(key));
    walk(child, path, depth + 1, budget);
    path.pop();
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
