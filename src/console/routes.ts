import type { Context } from "hono";
import type { AppEnv } from "../http/app-env.js";
import { createRouter } from "../http/router.js";
import { AppError } from "../lib/errors.js";
import { ConsoleFiles } from "./console-files.js";
import { CONTENT_SECURITY_POLICY } from "./content-security-policy.js";
import { apiReferencePage, consolePage } from "./pages.js";

/**
 * The admin console at `/` (and `/invite/<token>`, the link invitations hand out), its built
 * assets, and the API reference at /docs. Everything comes from this package; the console talks
 * to the same JSON API as every other client and adds no rule of its own (docs/console.md).
 */
export const consoleRoutes = createRouter();

/**
 * A request path as the log may record it: an invitation link's path carries the invitation's
 * secret, which is otherwise only ever stored hashed.
 */
export function loggablePath(path: string): string {
  return path.startsWith("/invite/") ? "/invite/…" : path;
}

const assets = new ConsoleFiles("assets");
const docsAssets = new ConsoleFiles("docs");
const CONSOLE_PAGE = consolePage();

function html(c: Context<AppEnv>, page: string) {
  return c.html(page, 200, {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "cache-control": "no-cache",
  });
}

function serveFile(c: Context<AppEnv>, files: ConsoleFiles) {
  const name = c.req.param("file") ?? "";
  const file = files.get(name);
  if (!file)
    throw new AppError(404, "asset_not_found", `no console asset ${name}; was the console built?`);
  const headers = {
    "content-type": file.type,
    "content-security-policy": CONTENT_SECURITY_POLICY,
    // Revalidated every time (cheap: an ETag), so a new build is never hidden by a cache.
    "cache-control": "no-cache",
    etag: file.etag,
  };
  if (c.req.header("if-none-match") === file.etag) return c.body(null, 304, headers);
  return c.body(new Uint8Array(file.body), 200, headers);
}

consoleRoutes.get("/", (c) => html(c, CONSOLE_PAGE));
consoleRoutes.get("/invite/:token", (c) => html(c, CONSOLE_PAGE));
consoleRoutes.get("/assets/:file", (c) => serveFile(c, assets));
consoleRoutes.get("/docs", (c) => html(c, apiReferencePage("tenantgate")));
consoleRoutes.get("/docs/assets/:file", (c) => serveFile(c, docsAssets));
