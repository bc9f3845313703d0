import type { Context } from "hono";
import { EngineError } from "../authz/engine-error.js";
import { RelationshipSyntaxError } from "../authz/relationship-syntax.js";
import { AppError, UnavailableError, ValidationError } from "../lib/errors.js";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The problem `type` URI for a code; stable across releases. */
export function problemType(code: string): string {
  return `urn:tenantgate:problem:${code}`;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Maps anything thrown to a domain error; unknown errors become a 500 without details. */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof RelationshipSyntaxError) return new ValidationError(error.message);
  if (error instanceof EngineError) {
    if (error.rejected) return new ValidationError(error.message, undefined, "engine_rejected");
    return new UnavailableError(
      `authorization engine unavailable: ${error.message}`,
      "engine_unavailable",
    );
  }
  return undefined;
}

/** Writes an RFC 9457 problem response. */
export function problemResponse(c: Context, error: AppError): Response {
  const { retryAfterSeconds, ...extra } = error.extra;
  const body = {
    type: problemType(error.code),
    title: TITLES[error.status] ?? "Error",
    status: error.status,
    code: error.code,
    detail: error.message,
    instance: c.req.path,
    requestId: c.get("requestId") as string | undefined,
    ...extra,
  };
  const headers: Record<string, string> = { "content-type": PROBLEM_CONTENT_TYPE };
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
  const requestId = c.get("requestId") as string | undefined;
  if (requestId) headers["x-request-id"] = requestId;
  return new Response(JSON.stringify(body), { status: error.status, headers });
}
