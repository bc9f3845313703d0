/**
 * tenantgate/client: a typed fetch client for other services, and a Hono middleware that asks
 * tenantgate before a route runs. Self-contained: no imports from the rest of tenantgate.
 */
import type { Context, MiddlewareHandler } from "hono";

export type Permissionship = "has_permission" | "no_permission" | "conditional";
export type Consistency = "minimize_latency" | "fully_consistent" | { atLeastAsFresh: string };

/** Who the question is about: the end user's session, an explicit subject, and/or a tenant. */
export interface Asker {
  /** The end user's tenantgate session token (from their cookie or Authorization header). */
  sessionToken?: string;
  /** An explicit subject such as `account:acc_1` (service keys only). */
  subject?: string;
  /** Ask as the user's account in this tenant rather than the session's active one. */
  tenantId?: string;
}

export interface CheckRequest extends Asker {
  resource: string;
  permission: string;
  context?: Record<string, unknown>;
  consistency?: Consistency;
  explain?: boolean;
}

export interface CheckResult {
  allowed: boolean;
  permissionship: Permissionship;
  checkedAt?: string;
  subject: string;
  missingContext?: string[];
  explain?: unknown;
}

export interface BulkCheckResult {
  results: {
    resource: string;
    permission: string;
    allowed: boolean;
    permissionship: Permissionship;
    missingContext?: string[];
  }[];
  checkedAt?: string;
  subject: string;
}

/** A problem+json answer from tenantgate (or a transport failure, status 503). */
export class TenantgateError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problem?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "TenantgateError";
  }
}

export interface ClientOptions {
  /** e.g. http://tenantgate:8080 */
  baseUrl: string;
  /** A service key (`tgs_…`). Without one, pass `sessionToken` to act as the end user directly. */
  serviceKey?: string;
  /** Per-request timeout; on timeout the call rejects with a 503 TenantgateError (fail closed). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface TenantgateClient {
  check(request: CheckRequest): Promise<CheckResult>;
  checkBulk(
    request: Asker & {
      items: { resource: string; permission: string; context?: Record<string, unknown> }[];
      consistency?: Consistency;
    },
  ): Promise<BulkCheckResult>;
  lookupResources(
    request: Asker & {
      resourceType: string;
      permission: string;
      context?: Record<string, unknown>;
    },
  ): Promise<{ resources: string[]; conditional: string[]; lookedUpAt?: string; subject: string }>;
  lookupSubjects(
    request: Asker & {
      resource: string;
      permission: string;
      subjectType: string;
      context?: Record<string, unknown>;
    },
  ): Promise<{
    subjects: { id: string; permissionship: "has_permission" | "conditional" }[];
    lookedUpAt?: string;
  }>;
}

export function createClient(options: ClientOptions): TenantgateClient {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 3000;

  async function post<T>(path: string, body: Asker & Record<string, unknown>): Promise<T> {
    const { sessionToken, ...rest } = body;
    // A service key asks on behalf of the session; without a key the session itself is the caller.
    const bearer = options.serviceKey ?? sessionToken;
    const payload = options.serviceKey ? body : rest;
    let response: Response;
    try {
      response = await doFetch(new URL(path, options.baseUrl), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new TenantgateError(
        503,
        "unreachable",
        `tenantgate unreachable: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      throw new TenantgateError(
        response.status,
        String(parsed.code ?? "error"),
        String(parsed.detail ?? response.statusText),
        parsed,
      );
    }
    return parsed as T;
  }

  return {
    check: (request) => post("/v1/check", { ...request }),
    checkBulk: (request) => post("/v1/check/bulk", { ...request }),
    lookupResources: (request) => post("/v1/lookup/resources", { ...request }),
    lookupSubjects: (request) => post("/v1/lookup/subjects", { ...request }),
  };
}

const COOKIE_NAMES = ["__Host-tenantgate_session", "tenantgate_session"];

/** The end user's session token from `Authorization: Bearer` or tenantgate's session cookie. */
export function sessionTokenFrom(c: Context): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (bearer && !bearer.startsWith("tgs_")) return bearer;
  const cookies = c.req.header("cookie") ?? "";
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name && COOKIE_NAMES.includes(name)) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

/**
 * Hono middleware: lets the request through only if tenantgate says the caller's active account
 * may do `permission` on the resource `resourceOf(c)` returns. No session → 401; denied → 403;
 * tenantgate unreachable or failing → 503. Never lets a request through on doubt.
 */
export function requirePermission(
  client: TenantgateClient,
  permission: string,
  resourceOf: (c: Context) => string,
  options: {
    tenantIdOf?: (c: Context) => string | undefined;
    contextOf?: (c: Context) => Record<string, unknown> | undefined;
  } = {},
): MiddlewareHandler {
  return async (c, next) => {
    const sessionToken = sessionTokenFrom(c);
    if (!sessionToken) return c.json({ error: "sign in first" }, 401);
    let result: CheckResult;
    try {
      const tenantId = options.tenantIdOf?.(c);
      const context = options.contextOf?.(c);
      result = await client.check({
        sessionToken,
        resource: resourceOf(c),
        permission,
        ...(tenantId ? { tenantId } : {}),
        ...(context ? { context } : {}),
      });
    } catch (error) {
      const status =
        error instanceof TenantgateError && error.status < 500
          ? error.status === 401
            ? 401
            : 403
          : 503;
      return c.json(
        { error: error instanceof Error ? error.message : "authorization failed" },
        status,
      );
    }
    if (!result.allowed) return c.json({ error: `not allowed to ${permission}` }, 403);
    c.set("tenantgate" as never, result as never);
    await next();
  };
}
