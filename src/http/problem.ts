import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { EngineError } from "../authz/engine-error.js";
import { engineProblem } from "../authz/engine-problem.js";
import { RelationshipSyntaxError } from "../authz/relationship-syntax.js";
import { AppError, ValidationError } from "../lib/errors.js";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The problem `type` URI for a code; stable across releases. */
function problemType(code: string): string {
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
  if (error instanceof EngineError) return engineProblem(error);
  if (error instanceof HTTPException) {
    // Hono's validators: a body that is not JSON, or not declared as JSON at all.
    if (error.status === 415) {
      return new AppError(415, "unsupported_media_type", "send the body as application/json", {
        field: "content-type",
      });
    }
    if (error.status === 400) {
      return new ValidationError("request body is not valid JSON", "body", "malformed_json");
    }
    return new AppError(error.status, `http_${error.status}`, error.message);
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
  // c.newResponse keeps headers set before the error (a cleared session cookie, say).
  return c.newResponse(JSON.stringify(body), error.status as never, headers);
}
