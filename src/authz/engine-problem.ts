import { v1 } from "@authzed/authzed-node";
import { AppError, UnavailableError } from "../lib/errors.js";
import { type EngineError, toEngineError } from "./engine-error.js";

/** The problem code of each engine conflict reason; other conflicts are `engine_conflict`. */
const CONFLICT_CODES: Partial<Record<v1.ErrorReason, string>> = {
  [v1.ErrorReason.ATTEMPT_TO_RECREATE_RELATIONSHIP]: "relationship_exists",
  [v1.ErrorReason.WRITE_OR_DELETE_PRECONDITION_FAILURE]: "precondition_failed",
};

/** The problem for an engine error: SpiceDB's refusal in its words, never an engine's failure. */
export function engineProblem(error: EngineError, field?: string): AppError {
  const extra = field ? { field } : {};
  switch (error.kind) {
    case "invalid":
      return new AppError(400, "engine_rejected", error.publicMessage, extra);
    case "conflict":
      return new AppError(
        409,
        CONFLICT_CODES[error.reason] ?? "engine_conflict",
        error.publicMessage,
        extra,
      );
    case "not_found":
      return new AppError(404, "engine_not_found", error.publicMessage, extra);
    case "unavailable":
      return new UnavailableError(error.publicMessage, "engine_unavailable");
  }
}

/**
 * Awaits an engine call made with the caller's input; if the engine refuses it (not if it fails),
 * the problem names `field`, the part of the request it refused.
 */
export async function refusedAs<T>(field: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const engineError = toEngineError(error);
    if (engineError.rejected) throw engineProblem(engineError, field);
    throw error;
  }
}
