import type { v1 } from "@authzed/authzed-node";
import { formatObjectReference, formatSubjectReference } from "../authz/relationship-syntax.js";

/** One step of "why": a relation or permission SpiceDB evaluated, and what it found. */
export interface ExplainNode {
  check: string;
  kind: "relation" | "permission";
  result: "has_permission" | "no_permission" | "conditional";
  caveat?: { name: string; expression: string; result: string };
  cached?: true;
  children?: ExplainNode[];
  /** Why there is no trace below this node. */
  withheld?: string;
}

// The client package does not export the debug types' enums; these are their protobuf values.
type DebugTrace = NonNullable<NonNullable<v1.CheckPermissionResponse["debugTrace"]>["check"]>;
const RELATION = 1; // CheckDebugTrace.PermissionType.RELATION
const RESULT: Record<number, ExplainNode["result"]> = { 2: "has_permission", 3: "conditional" };
const CAVEAT_RESULT: Record<number, string> = { 2: "false", 3: "true", 4: "missing_context" };

const MAX_DEPTH = 12;

/**
 * SpiceDB's debug trace, trimmed to the path: when access was granted (or conditionally), only the
 * branches that granted it; when denied, every branch that was tried, so one can see what is
 * missing. Depth is capped to keep the answer readable.
 */
export function explainTrace(trace: DebugTrace, depth = 0): ExplainNode {
  const result = RESULT[trace.result] ?? "no_permission";
  const node: ExplainNode = {
    check: `${formatObjectReference(trace.resource)}#${trace.permission}@${formatSubjectReference(trace.subject)}`,
    kind: trace.permissionType === RELATION ? "relation" : "permission",
    result,
  };
  const caveat = trace.caveatEvaluationInfo;
  if (caveat?.caveatName) {
    node.caveat = {
      name: caveat.caveatName,
      expression: caveat.expression,
      result: CAVEAT_RESULT[caveat.result] ?? "unknown",
    };
  }
  if (trace.resolution.oneofKind === "wasCachedResult" && trace.resolution.wasCachedResult)
    node.cached = true;
  if (trace.resolution.oneofKind === "subProblems" && depth < MAX_DEPTH) {
    const children = trace.resolution.subProblems.traces
      .map((child: DebugTrace) => explainTrace(child, depth + 1))
      .filter(
        (child: ExplainNode) => result === "no_permission" || child.result !== "no_permission",
      );
    if (children.length > 0) node.children = children;
  }
  return node;
}
