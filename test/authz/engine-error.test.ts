import { status } from "@grpc/grpc-js";
import { describe, expect, test } from "vitest";
import { EngineError, toEngineError } from "../../src/authz/engine-error.js";

describe("toEngineError", () => {
  test.each([
    [
      "rpc error: code = FailedPrecondition desc = unable to satisfy write precondition",
      status.FAILED_PRECONDITION,
      "rejected",
    ],
    [
      "rpc error: code = InvalidArgument desc = parse error in `schema`, line 1, column 2",
      status.INVALID_ARGUMENT,
      "rejected",
    ],
    [
      "rpc error: code = AlreadyExists desc = could not CREATE relationship",
      status.ALREADY_EXISTS,
      "rejected",
    ],
    [
      "rpc error: code = Unavailable desc = embedded engine is closed",
      status.UNAVAILABLE,
      "unavailable",
    ],
    [
      "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
      status.DEADLINE_EXCEEDED,
      "unavailable",
    ],
    ["rpc error: code = NoSuchCode desc = what", status.UNKNOWN, "unavailable"],
    ["something else entirely", status.UNKNOWN, "unavailable"],
  ])("%s → code %i, %s", (message, code, kind) => {
    const error = toEngineError(new Error(message));
    expect(error).toBeInstanceOf(EngineError);
    expect(error.grpcCode).toBe(code);
    expect(error.rejected).toBe(kind === "rejected");
    expect(error.unavailable).toBe(kind === "unavailable");
  });

  test("keeps the description, not the rpc prefix, and keeps multi-line descriptions whole", () => {
    expect(
      toEngineError(new Error("rpc error: code = InvalidArgument desc = first\nsecond")).message,
    ).toBe("first\nsecond");
  });

  test("reads a gRPC ServiceError's code and details", () => {
    const error = toEngineError(
      Object.assign(new Error("9 FAILED_PRECONDITION: x"), {
        code: status.FAILED_PRECONDITION,
        details: "x",
      }),
    );
    expect(error.grpcCode).toBe(status.FAILED_PRECONDITION);
    expect(error.message).toBe("x");
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
