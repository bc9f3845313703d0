import { v1 } from "@authzed/authzed-node";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { errorInfoReason } from "./error-details.js";

/**
 * What an engine error means for the caller, whatever engine raised it:
 * - invalid: the request itself is wrong (unknown type or relation, bad caveat context, …) → 400;
 * - conflict: the request clashes with the data (a CREATE of an existing relationship, a
 *   precondition that no longer holds) → 409;
 * - not_found: what was asked for does not exist (no schema yet) → 404;
 * - unavailable: the engine could not answer (down, overloaded, out of time, our credentials
 *   refused, or an error of its own) → 503, and callers fail closed.
 */
type EngineErrorKind = "invalid" | "conflict" | "not_found" | "unavailable";

const R = v1.ErrorReason;

/** SpiceDB's error reasons that decide the kind by themselves. */
const BY_REASON: Partial<Record<v1.ErrorReason, EngineErrorKind>> = {
  [R.WRITE_OR_DELETE_PRECONDITION_FAILURE]: "conflict",
  [R.ATTEMPT_TO_RECREATE_RELATIONSHIP]: "conflict",
  [R.COUNTER_ALREADY_REGISTERED]: "conflict",
  [R.COUNTER_NOT_REGISTERED]: "not_found",
  [R.SERIALIZATION_FAILURE]: "unavailable",
  [R.SERVICE_READ_ONLY]: "unavailable",
  [R.INMEMORY_TOO_MANY_CONCURRENT_UPDATES]: "unavailable",
  [R.CAVEAT_PARAMETER_TYPE_ERROR]: "invalid",
  [R.CAVEAT_EVALUATION_ERROR]: "invalid",
  [R.UNKNOWN_CAVEAT]: "invalid",
};

/** Otherwise the gRPC code decides. */
const BY_CODE: Record<number, EngineErrorKind> = {
  [GrpcStatus.INVALID_ARGUMENT]: "invalid",
  [GrpcStatus.OUT_OF_RANGE]: "invalid",
  [GrpcStatus.FAILED_PRECONDITION]: "invalid",
  [GrpcStatus.UNIMPLEMENTED]: "invalid",
  [GrpcStatus.ALREADY_EXISTS]: "conflict",
  [GrpcStatus.NOT_FOUND]: "not_found",
  [GrpcStatus.UNAVAILABLE]: "unavailable",
  [GrpcStatus.DEADLINE_EXCEEDED]: "unavailable",
  [GrpcStatus.CANCELLED]: "unavailable",
  [GrpcStatus.RESOURCE_EXHAUSTED]: "unavailable",
  [GrpcStatus.ABORTED]: "unavailable",
  // SpiceDB's answer to a wrong preshared key: our credentials, not the caller's request.
  [GrpcStatus.UNAUTHENTICATED]: "unavailable",
  [GrpcStatus.PERMISSION_DENIED]: "unavailable",
  [GrpcStatus.INTERNAL]: "unavailable",
  [GrpcStatus.DATA_LOSS]: "unavailable",
  [GrpcStatus.UNKNOWN]: "unavailable",
};

/**
 * Reasons read from the message, for errors that come without details: the embedded engine's
 * "rpc error: code = X desc = Y" strings, and the errors SpiceDB raises as plain Go errors
 * (code UNKNOWN) while converting caveat context.
 */
const REASON_BY_MESSAGE: [RegExp, v1.ErrorReason][] = [
  [/^unable to satisfy (write|delete) precondition/, R.WRITE_OR_DELETE_PRECONDITION_FAILURE],
  [/^could not CREATE relationship .* as it already existed/, R.ATTEMPT_TO_RECREATE_RELATIONSHIP],
  [/^(unknown parameter `|could not convert context parameter `)/, R.CAVEAT_PARAMETER_TYPE_ERROR],
  [/^relation\/permission `[^`]*` not found under definition/, R.UNKNOWN_RELATION_OR_PERMISSION],
  [/^object definition `[^`]*` not found/, R.UNKNOWN_DEFINITION],
];

const OUTAGE_CODES = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.CANCELLED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.PERMISSION_DENIED,
]);

/** An error the engine answered with, classified once where it enters tenantgate. */
export class EngineError extends Error {
  override name = "EngineError";
  readonly kind: EngineErrorKind;
  readonly reason: v1.ErrorReason;

  constructor(
    readonly grpcCode: GrpcStatus,
    message: string,
    reason?: v1.ErrorReason,
  ) {
    super(trim(message));
    this.reason =
      reason ?? REASON_BY_MESSAGE.find(([pattern]) => pattern.test(message))?.[1] ?? R.UNSPECIFIED;
    this.kind = BY_REASON[this.reason] ?? BY_CODE[grpcCode] ?? "unavailable";
  }

  get unavailable(): boolean {
    return this.kind === "unavailable";
  }

  /**
   * The engine, or the way to it, is down or out of time: asking again item by item cannot help.
   * (An INTERNAL or UNKNOWN error is unavailable too, but may be caused by one odd request.)
   */
  get outage(): boolean {
    return OUTAGE_CODES.has(this.grpcCode);
  }

  /** The engine refused the request as such (invalid, conflicting or naming nothing). */
  get rejected(): boolean {
    return this.kind !== "unavailable";
  }

  /**
   * The message a caller may see: SpiceDB's own words for a refused request (its first line,
   * without source paths), nothing of an engine's failure (the log has it).
   */
  get publicMessage(): string {
    if (this.unavailable) return "the authorization engine could not answer; try again";
    const firstLine = this.message.split("\n", 1)[0] ?? "";
    return firstLine.replace(/\S*\/\S+\.go:\d+\S*/g, "…").slice(0, 500);
  }
}

const CODE_NAMES = new Map<string, GrpcStatus>(
  Object.entries(GrpcStatus)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [k.replaceAll("_", "").toLowerCase(), v as GrpcStatus]),
);

const MAX_MESSAGE = 2_000;

/**
 * Turns whatever an engine call threw into an EngineError: a gRPC ServiceError (its code, and
 * the reason from its status details), or the embedded library's "rpc error: code = X desc = Y".
 */
export function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const anyError = error as {
    code?: unknown;
    details?: unknown;
    message?: unknown;
    metadata?: { get(key: string): unknown[] };
  };
  if (typeof anyError?.code === "number" && typeof anyError.details === "string") {
    const details = anyError.metadata?.get("grpc-status-details-bin")?.[0];
    return new EngineError(
      anyError.code as GrpcStatus,
      anyError.details,
      details instanceof Uint8Array ? errorInfoReason(details) : undefined,
    );
  }
  const message = String(anyError?.message ?? error);
  const match = /rpc error: code = (\w+) desc = ([\s\S]*)$/.exec(message);
  if (match?.[1] && match[2] !== undefined) {
    return new EngineError(CODE_NAMES.get(match[1].toLowerCase()) ?? GrpcStatus.UNKNOWN, match[2]);
  }
  return new EngineError(GrpcStatus.UNKNOWN, message);
}

/** The EngineError of one failed item of a bulk check (a google.rpc.Status with details). */
export function itemEngineError(status: {
  code: number;
  message: string;
  details: { typeUrl: string; value: Uint8Array }[];
}): EngineError {
  const info = status.details.find((d) => d.typeUrl.endsWith("google.rpc.ErrorInfo"));
  return new EngineError(
    status.code,
    status.message,
    info ? errorInfoReason(info.value, true) : undefined,
  );
}

function trim(message: string): string {
  // Validation errors list every failing update; a 1,000-update batch must not produce a
  // megabyte-long problem detail.
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}
