import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Refuses request bodies larger than `maxSize` (413 through `onError`).
 *
 * NOTE: Hono's bodyLimit first reads `c.req.raw.body`, and on @hono/node-server that builds a
 * whole web Request with a ReadableStream over the socket, for every request, GET included:
 * measured at about an eighth of a warm check's CPU. A body that declares its length is judged by
 * the header (Node's parser never delivers more than that), a GET or HEAD has none, and only a
 * chunked body goes through Hono's bodyLimit, which counts the bytes as they are read.
 */
export function limitBody(
  maxSize: number,
  onError: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  const counting = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number(length) > maxSize ? onError(c) : next();
    }
    return counting(c, next);
  };
}
