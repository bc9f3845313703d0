/**
 * Domain errors. Actions throw these; the HTTP edge turns each into an RFC 9457 problem with a
 * stable `code`. Nothing else builds error responses.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { field?: string; retryAfterSeconds?: number; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, field?: string, code = "invalid_request") {
    super(400, code, message, field ? { field } : {});
  }
}

/** Runs a parser of one input field; whatever it throws becomes a 400 naming that field. */
export function parseField<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new ValidationError(`${field}: ${(error as Error).message}`, field);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = "authentication required", code = "unauthenticated") {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, code = "forbidden", extra: Record<string, unknown> = {}) {
    super(403, code, message, extra);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, code = "not_found") {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = "conflict", field?: string) {
    super(409, code, message, field ? { field } : {});
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, "rate_limited", "too many attempts; try again later", { retryAfterSeconds });
  }
}

export class UnavailableError extends AppError {
  constructor(message: string, code = "unavailable", retryAfterSeconds = 1) {
    super(503, code, message, { retryAfterSeconds });
  }
}
