import { isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import { SERVICE_KEY_PREFIX, type ServiceKey, validateServiceKey } from "../auth/service-keys.js";
import { type ValidatedSession, validateSessionToken } from "../auth/sessions.js";
import { ForbiddenError, UnauthorizedError } from "../lib/errors.js";
import type { ViewAs } from "../operator/view-as.js";
import type { AppEnv } from "./services.js";
import { clearSessionCookie, readSessionCookie, setSessionCookie } from "./session-cookie.js";

/** Who is making the request: a signed-in user, or another service with its key. */
export type Actor =
  | (ValidatedSession & {
      kind: "user";
      token: string;
      via: "cookie" | "bearer";
      /** An operator looking read-only through this user's account (operator/view-as.ts). */
      viewAs?: ViewAs;
    })
  | { kind: "service"; key: ServiceKey };

export type UserActor = Extract<Actor, { kind: "user" }>;

function bearerToken(c: Context): string | undefined {
  const header = c.req.header("authorization");
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * The client address. Behind TRUST_PROXY proxies, each of which appends the address it was
 * reached from to X-Forwarded-For, the client is that many entries from the right: entries
 * further left are whatever the client sent. Anything that is not an IP address there, or a
 * chain shorter than the proxies configured, falls back to the socket's peer.
 */
export function clientIp(c: Context<AppEnv>): string | null {
  const hops = c.get("services").config.TRUST_PROXY;
  if (hops > 0) {
    const chain = c.req.header("x-forwarded-for")?.split(",") ?? [];
    const forwarded = chain[chain.length - hops]?.trim();
    if (forwarded && isIP(forwarded)) return plainAddress(forwarded);
  }
  // app.request() (tests, in-process callers) has no socket to ask.
  if (!(c.env as { incoming?: unknown } | undefined)?.incoming) return null;
  const peer = getConnInfo(c).remote.address;
  return peer ? plainAddress(peer) : null;
}

/** An IPv4 address as itself, not as the IPv6-mapped form a dual-stack socket reports. */
function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** Routes where a stale session cookie just means "not signed in": signing in, up and out. */
const ANONYMOUS_WITH_STALE_COOKIE = new Set([
  "/v1/auth/login",
  "/v1/auth/signup",
  "/v1/auth/logout",
]);

/**
 * Resolves the actor from `Authorization: Bearer <token>` or the session cookie. A present but
 * invalid credential is a 401 at once, never a silent anonymous request; an invalid cookie is
 * also cleared, and on the sign-in, sign-up and sign-out routes it counts as no cookie at all
 * (otherwise a browser holding an expired cookie could never sign in again).
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const services = c.get("services");
  const bearer = bearerToken(c);
  const cookie = bearer ? undefined : readSessionCookie(c);
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
      // The cookie lives as long as the session's idle expiry, so it follows each renewal.
      cookie ? (session) => setSessionCookie(c, cookie, session.expiresAt) : undefined,
    );
    if (validated) {
      c.set("actor", { kind: "user", ...validated, token, via: bearer ? "bearer" : "cookie" });
    } else if (!cookie) {
      throw new UnauthorizedError("session is invalid or expired", "invalid_session");
    } else {
      clearSessionCookie(c);
      if (!ANONYMOUS_WITH_STALE_COOKIE.has(c.req.path))
        throw new UnauthorizedError("session is invalid or expired", "invalid_session");
    }
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
