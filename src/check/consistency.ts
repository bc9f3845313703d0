import type { v1 } from "@authzed/authzed-node";

/** What a caller may ask for: SpiceDB's consistency modes, in JSON. */
export type ConsistencyInput = "minimize_latency" | "fully_consistent" | { atLeastAsFresh: string };

/**
 * Turns the caller's wish into SpiceDB's type. FreshEngine then makes sure no read is older than
 * tenantgate's newest write, whatever was asked.
 */
export function consistencyFrom(input: ConsistencyInput): v1.Consistency {
  if (input === "fully_consistent")
    return { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } };
  if (input === "minimize_latency")
    return { requirement: { oneofKind: "minimizeLatency", minimizeLatency: true } };
  return {
    requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: { token: input.atLeastAsFresh } },
  };
}
