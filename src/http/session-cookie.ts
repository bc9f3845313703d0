import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "./app-env.js";

function cookieName(secure: boolean): string {
  // __Host- binds the cookie to this exact origin: no Domain, Path=/, Secure (RFC 6265bis).
  return secure ? "__Host-tenantgate_session" : "tenantgate_session";
}

/** The session token the browser sent, if any. */
export function readSessionCookie(c: Context<AppEnv>): string | undefined {
  return getCookie(c, cookieName(c.get("services").config.COOKIE_SECURE));
}

/**
 * Sets the session cookie. It expires with the session's idle expiry (and is set again whenever
 * the session is renewed), so a browser never keeps a cookie for a session the server has let
 * lapse.
 */
export function setSessionCookie(c: Context<AppEnv>, token: string, expiresAt: number): void {
  const secure = c.get("services").config.COOKIE_SECURE;
  setCookie(c, cookieName(secure), token, {
    httpOnly: true,
    secure,
    sameSite: "Lax",
    path: "/",
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  const secure = c.get("services").config.COOKIE_SECURE;
  deleteCookie(c, cookieName(secure), { path: "/", secure });
}
