import { status as GrpcStatus } from "@grpc/grpc-js";

/**
 * An error the engine answered with, normalised across the embedded engine (which reports
 * "rpc error: code = X desc = Y" strings) and the remote one (gRPC ServiceErrors).
 */
export class EngineError extends Error {
  override name = "EngineError";
  constructor(
    readonly grpcCode: GrpcStatus,
    message: string,
  ) {
    super(message);
  }

  /** The engine could not answer (down, overloaded, deadline passed): callers fail closed. */
  get unavailable(): boolean {
    return (
      this.grpcCode === GrpcStatus.UNAVAILABLE ||
      this.grpcCode === GrpcStatus.DEADLINE_EXCEEDED ||
      this.grpcCode === GrpcStatus.CANCELLED ||
      this.grpcCode === GrpcStatus.RESOURCE_EXHAUSTED ||
      this.grpcCode === GrpcStatus.UNAUTHENTICATED ||
      // SpiceDB's answer to a wrong preshared key: our credentials, not the caller's request.
      this.grpcCode === GrpcStatus.PERMISSION_DENIED ||
      this.grpcCode === GrpcStatus.INTERNAL ||
      this.grpcCode === GrpcStatus.UNKNOWN
    );
  }

  /** The request itself was wrong (unknown type or relation, bad id, failed precondition). */
  get rejected(): boolean {
    return (
      this.grpcCode === GrpcStatus.INVALID_ARGUMENT ||
      this.grpcCode === GrpcStatus.FAILED_PRECONDITION ||
      this.grpcCode === GrpcStatus.NOT_FOUND ||
      this.grpcCode === GrpcStatus.ALREADY_EXISTS ||
      this.grpcCode === GrpcStatus.OUT_OF_RANGE
    );
  }
}

const codeNames = new Map<string, GrpcStatus>(
  Object.entries(GrpcStatus)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [k.replaceAll("_", "").toLowerCase(), v as GrpcStatus]),
);

const MAX_MESSAGE = 2_000;

/** Turns whatever an engine call threw into an EngineError. */
export function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const anyError = error as { code?: unknown; details?: unknown; message?: unknown };
  if (typeof anyError?.code === "number" && typeof anyError.details === "string") {
    return new EngineError(anyError.code as GrpcStatus, trim(anyError.details));
  }
  const message = String(anyError?.message ?? error);
  const match = /rpc error: code = (\w+) desc = ([\s\S]*)$/.exec(message);
  if (match?.[1] && match[2] !== undefined) {
    const code = codeNames.get(match[1].toLowerCase()) ?? GrpcStatus.UNKNOWN;
    return new EngineError(code, trim(match[2]));
  }
  return new EngineError(GrpcStatus.UNKNOWN, trim(message));
}

function trim(message: string): string {
  // Validation errors list every failing update; a 1,000-update batch must not produce a
  // megabyte-long problem detail.
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}
