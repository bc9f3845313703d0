import { v1 } from "@authzed/authzed-node";
import { Metadata, status } from "@grpc/grpc-js";
import { describe, expect, test } from "vitest";
import { EngineError, itemEngineError, toEngineError } from "../../src/authz/engine-error.js";
import { engineProblem } from "../../src/authz/engine-problem.js";

const field = (number: number, body: number[]) => [(number << 3) | 2, body.length, ...body];
const text = (s: string) => [...new TextEncoder().encode(s)];

/** google.rpc.ErrorInfo { reason }, as SpiceDB sends it. */
const errorInfo = (reason: string) => field(1, text(reason));

/** google.rpc.Status { code, details: [Any(ErrorInfo)] }: gRPC's status details. */
function statusDetails(reason: string): Uint8Array {
  const any = [
    ...field(1, text("type.googleapis.com/google.rpc.ErrorInfo")),
    ...field(2, errorInfo(reason)),
  ];
  return new Uint8Array([0x08, 9, ...field(3, any)]);
}

function serviceError(code: status, details: string, reason?: string) {
  const metadata = new Metadata();
  if (reason) metadata.set("grpc-status-details-bin", Buffer.from(statusDetails(reason)));
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
}

describe("engine errors: one table from SpiceDB's codes and reasons to what a caller is told", () => {
  test.each([
    // [what the engine said, kind, HTTP status, problem code]
    [
      "rpc error: code = InvalidArgument desc = parse error in `schema`",
      "invalid",
      400,
      "engine_rejected",
    ],
    [
      "rpc error: code = FailedPrecondition desc = relation/permission `x` not found under definition `project`",
      "invalid",
      400,
      "engine_rejected",
    ],
    [
      "rpc error: code = FailedPrecondition desc = object definition `bogus` not found",
      "invalid",
      400,
      "engine_rejected",
    ],
    [
      "rpc error: code = FailedPrecondition desc = unable to satisfy write precondition `…`",
      "conflict",
      409,
      "precondition_failed",
    ],
    [
      "rpc error: code = AlreadyExists desc = could not CREATE relationship `p:1#v@a:1`, as it already existed. If this is persistent",
      "conflict",
      409,
      "relationship_exists",
    ],
    ["rpc error: code = Unknown desc = unknown parameter `foo`", "invalid", 400, "engine_rejected"],
    [
      "rpc error: code = Unknown desc = could not convert context parameter `allowed_cidr`: for string",
      "invalid",
      400,
      "engine_rejected",
    ],
    [
      "rpc error: code = NotFound desc = No schema has been defined",
      "not_found",
      404,
      "engine_not_found",
    ],
    [
      "rpc error: code = Unavailable desc = connection refused",
      "unavailable",
      503,
      "engine_unavailable",
    ],
    [
      "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
      "unavailable",
      503,
      "engine_unavailable",
    ],
    [
      "rpc error: code = Unknown desc = BUG: missing expected item hash\n/home/runner/go/pkg/mod/x.go:36",
      "unavailable",
      503,
      "engine_unavailable",
    ],
    ["rpc error: code = NoSuchCode desc = what", "unavailable", 503, "engine_unavailable"],
    ["something else entirely", "unavailable", 503, "engine_unavailable"],
  ] as const)("%s → %s, %i %s", (message, kind, httpStatus, code) => {
    const error = toEngineError(new Error(message));
    expect(error).toBeInstanceOf(EngineError);
    expect(error.kind).toBe(kind);
    const problem = engineProblem(error);
    expect(problem.status).toBe(httpStatus);
    expect(problem.code).toBe(code);
  });

  test("a remote error's reason comes from its status details, over what its code alone says", () => {
    const error = toEngineError(
      serviceError(
        status.FAILED_PRECONDITION,
        "precondition failed",
        "ERROR_REASON_WRITE_OR_DELETE_PRECONDITION_FAILURE",
      ),
    );
    expect(error.reason).toBe(v1.ErrorReason.WRITE_OR_DELETE_PRECONDITION_FAILURE);
    expect(error.kind).toBe("conflict");
    const plain = toEngineError(serviceError(status.FAILED_PRECONDITION, "some other refusal"));
    expect(plain.kind).toBe("invalid");
  });

  test("malformed status details fall back to the code", () => {
    const metadata = new Metadata();
    metadata.set("grpc-status-details-bin", Buffer.from([0x1a, 0xff, 0x01]));
    const error = toEngineError(
      Object.assign(new Error("x"), { code: status.ALREADY_EXISTS, details: "x", metadata }),
    );
    expect(error.kind).toBe("conflict");
    expect(error.reason).toBe(v1.ErrorReason.UNSPECIFIED);
  });

  test("a failed bulk item's status carries its reason", () => {
    const value = new Uint8Array(errorInfo("ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION"));
    const error = itemEngineError({
      code: status.FAILED_PRECONDITION,
      message: "relation/permission `nonesuch` not found under definition `project`",
      details: [{ typeUrl: "type.googleapis.com/google.rpc.ErrorInfo", value }],
    });
    expect(error.reason).toBe(v1.ErrorReason.UNKNOWN_RELATION_OR_PERMISSION);
    expect(error.kind).toBe("invalid");
  });

  test("callers see SpiceDB's refusal in its words, and nothing of an engine's failure", () => {
    const refusal = toEngineError(
      new Error(
        "rpc error: code = InvalidArgument desc = first line\n/home/u/go/pkg/mod/spicedb@v1.54.0/x.go:12 (0x7f)",
      ),
    );
    expect(refusal.publicMessage).toBe("first line");
    const failure = toEngineError(
      new Error(
        "rpc error: code = Unknown desc = BUG: *errors.errorString\n/home/runner/go/pkg/mod/github.com/authzed/spicedb@v1.54.0/pkg/spiceerrors/bug.go:36",
      ),
    );
    expect(failure.publicMessage).not.toMatch(/go:|spicedb@|BUG/);
  });

  test("outages are told apart from failures one request may have caused", () => {
    expect(new EngineError(status.UNAVAILABLE, "down").outage).toBe(true);
    expect(new EngineError(status.DEADLINE_EXCEEDED, "slow").outage).toBe(true);
    expect(new EngineError(status.UNKNOWN, "BUG").outage).toBe(false);
    expect(new EngineError(status.INTERNAL, "panic").outage).toBe(false);
  });

  test("passes an EngineError through and trims very long messages", () => {
    const original = new EngineError(status.INTERNAL, "boom");
    expect(toEngineError(original)).toBe(original);
    const long = toEngineError(
      new Error(`rpc error: code = InvalidArgument desc = ${"x".repeat(5_000)}`),
    );
    expect(long.message.length).toBeLessThanOrEqual(2_001);
    expect(long.message.endsWith("…")).toBe(true);
  });
});
