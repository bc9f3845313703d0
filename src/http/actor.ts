import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { SERVICE_KEY_PREFIX, type ServiceKey, validateServiceKey } from "../auth/service-keys.js";
import { type ValidatedSession, validateSessionToken } from "../auth/sessions.js";
import { ForbiddenError, UnauthorizedError } from "../lib/errors.js";
import type { AppEnv } from "./services.js";

/** Who is making the request: a signed-in user, or another service with its key. */
export type Actor =
  | (ValidatedSession & { kind: "user"; token: string; via: "cookie" | "bearer" })
  | { kind: "service"; key: ServiceKey };

export type UserActor = Extract<Actor, { kind: "user" }>;

export function sessionCookieName(secure: boolean): string {
  // __Host- binds the cookie to this exact origin: no Domain, Path=/, Secure (RFC 6265bis).
  return secure ? "__Host-tenantgate_session" : "tenantgate_session";
}

function bearerToken(c: Context): string | undefined {
  const header = c.req.header("authorization");
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** The client address: the socket's peer, or X-Forwarded-For's first hop behind a trusted proxy. */
export function clientIp(c: Context<AppEnv>): string | null {
  if (c.get("services").config.TRUST_PROXY) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  // app.request() (tests, in-process callers) has no socket to ask.
  if (!(c.env as { incoming?: unknown } | undefined)?.incoming) return null;
  return getConnInfo(c).remote.address ?? null;
}

/**
 * Resolves the actor from `Authorization: Bearer <token>` or the session cookie. A present but
 * invalid credential is a 401 at once, never a silent anonymous request.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const services = c.get("services");
  const bearer = bearerToken(c);
  const cookie = bearer
    ? undefined
    : getCookie(c, sessionCookieName(services.config.COOKIE_SECURE));
  const token = bearer ?? cookie;
  if (bearer?.startsWith(SERVICE_KEY_PREFIX)) {
    const key = await validateServiceKey(services.store, bearer);
    if (!key)
      throw new UnauthorizedError("service key is invalid or revoked", "invalid_service_key");
    c.set("actor", { kind: "service", key });
  } else if (token) {
    const validated = await validateSessionToken(
      services.store,
      token,
      services.sessionPolicy,
      services.clock(),
      services.sessionCache,
    );
    if (!validated) throw new UnauthorizedError("session is invalid or expired", "invalid_session");
    c.set("actor", { kind: "user", ...validated, token, via: bearer ? "bearer" : "cookie" });
  }
  await next();
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF protection for JSON routes (Hono's csrf() only looks at form content types). An unsafe
 * request is refused when the browser says it is cross-site (Sec-Fetch-Site) or its Origin is
 * neither this host nor a trusted origin. A cookie-authenticated unsafe request must carry one
 * of the two headers; bearer-token requests are not exposed to CSRF and need neither.
 */
export const csrfProtection: MiddlewareHandler<AppEnv> = async (c, next) => {
  const actor = c.get("actor");
  if (
    SAFE_METHODS.has(c.req.method) ||
    actor?.kind === "service" ||
    (actor?.kind === "user" && actor.via === "bearer")
  ) {
    return next();
  }
  const fetchSite = c.req.header("sec-fetch-site");
  const origin = c.req.header("origin");
  const trusted = c.get("services").config.TRUSTED_ORIGINS;
  const originAllowed = (value: string) => {
    if (trusted.includes(value)) return true;
    try {
      return new URL(value).host === c.req.header("host");
    } catch {
      return false;
    }
  };
  const refused =
    origin !== undefined
      ? !originAllowed(origin)
      : fetchSite !== undefined
        ? fetchSite !== "same-origin" && fetchSite !== "none"
        : actor !== undefined; // a cookie-authenticated request with neither header
  if (refused)
    throw new ForbiddenError("cross-site request refused (CSRF protection)", "csrf_rejected");
  return next();
};

export function requireUser(c: Context<AppEnv>): UserActor {
  const actor = c.get("actor");
  if (actor?.kind !== "user") throw new UnauthorizedError();
  return actor;
}
