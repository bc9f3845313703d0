import type { HttpBindings } from "@hono/node-server";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.js";

/** The defaults of Hono's secureHeaders(), which this middleware replaces. */
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

const REQUEST_ID = /^[\w\-=]{1,255}$/;

/**
 * Headers every response carries: `X-Request-Id` (the caller's, if it is a plain token, else a
 * new UUID; also in `c.get("requestId")` for logs and problems) and the security headers.
 *
 * NOTE: on @hono/node-server they go on Node's ServerResponse before the handler runs, and Node
 * merges them into the head it writes. Hono's requestId() and secureHeaders() put them on the web
 * Response instead, which turns its header record into a WHATWG Headers object and validates
 * every name and value once more: measured at about a tenth of a warm check's CPU. Requests
 * without a ServerResponse (app.request in tests, other runtimes) get them that way still.
 */
export const responseHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  const asked = c.req.header("x-request-id");
  const requestId = asked && REQUEST_ID.test(asked) ? asked : crypto.randomUUID();
  c.set("requestId", requestId);
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (outgoing) {
    outgoing.setHeader("X-Request-Id", requestId);
    for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
    return next();
  }
  await next();
  c.res.headers.set("X-Request-Id", requestId);
  for (const [name, value] of SECURITY_HEADERS) c.res.headers.set(name, value);
};
