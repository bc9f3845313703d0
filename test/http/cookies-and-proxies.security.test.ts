import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.js";

const COOKIE = "__Host-tenantgate_session";
const DAY = 24 * 3600 * 1000;
const PASSWORD = "correct horse battery staple";

/** The value a response's Set-Cookie headers leave the session cookie with, and its expiry. */
function sessionCookie(response: Response): { value: string; expires?: number } | undefined {
  let last: { value: string; expires?: number } | undefined;
  for (const line of response.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(";");
    if (!pair?.startsWith(`${COOKIE}=`)) continue;
    const expires = attributes.find((a) => a.trim().toLowerCase().startsWith("expires="));
    const maxAge = attributes.find((a) => a.trim().toLowerCase().startsWith("max-age="));
    last = {
      value: pair.slice(COOKIE.length + 1),
      ...(expires ? { expires: Date.parse(expires.split("=")[1] as string) } : {}),
      ...(maxAge?.trim() === "Max-Age=0" ? { expires: 0 } : {}),
    };
  }
  return last;
}

/** Finding 6: a stale session cookie used to lock the browser out of signing in again. */
describe("a stale session cookie", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      SESSION_IDLE_TIMEOUT_SECONDS: String(14 * 24 * 3600),
      SESSION_ABSOLUTE_TIMEOUT_SECONDS: String(90 * 24 * 3600),
    });
  });
  afterAll(async () => h.close());

  const withCookie = (path: string, cookie: string, init: RequestInit & { json?: unknown } = {}) =>
    h.request(path, {
      ...init,
      headers: {
        cookie: `${COOKIE}=${cookie}`,
        origin: "http://localhost",
        host: "localhost",
        "content-type": "application/json",
      },
    });

  test("the cookie expires with the session's idle expiry, not its absolute lifetime", async () => {
    const user = await h.signUp("idle");
    const login = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: user.email, password: PASSWORD },
    });
    const cookie = sessionCookie(login);
    expect(cookie?.expires).toBeDefined();
    expect(Math.abs((cookie?.expires ?? 0) - (h.now.ms + 14 * DAY))).toBeLessThan(2000);
  });

  test("a renewed session sends the cookie again with the renewed expiry", async () => {
    const user = await h.signUp("renewed");
    const start = h.now.ms;
    h.now.ms = start + 8 * DAY; // past half the idle window: this use renews
    const response = await withCookie("/v1/session", user.token);
    expect(response.status).toBe(200);
    const cookie = sessionCookie(response);
    expect(cookie?.value).toBe(user.token);
    expect(Math.abs((cookie?.expires ?? 0) - (start + 22 * DAY))).toBeLessThan(2000);
    h.now.ms = Date.now();
  });

  test.each(["expired", "forged"])(
    "a stale (%s) cookie: login works and replaces it",
    async (kind) => {
      const user = await h.signUp(`stale-${kind}`);
      let cookie = user.token;
      if (kind === "expired") h.now.ms += 15 * DAY;
      else cookie = `${user.token.split(".")[0]}.${"a".repeat(24)}`;
      const login = await withCookie("/v1/auth/login", cookie, {
        method: "POST",
        body: JSON.stringify({ email: user.email, password: PASSWORD }),
      });
      expect(login.status).toBe(200);
      const fresh = sessionCookie(login);
      expect(fresh?.value).toBeTruthy();
      expect(fresh?.value).not.toBe(cookie);
      h.now.ms = Date.now();
    },
  );

  test("sign-up and logout work with a stale cookie; logout clears it", async () => {
    const user = await h.signUp("stale-signup");
    h.now.ms += 15 * DAY;
    const signup = await withCookie("/v1/auth/signup", user.token, {
      method: "POST",
      body: JSON.stringify({ email: `fresh-${Date.now()}@example.com`, password: PASSWORD }),
    });
    expect(signup.status).toBe(201);
    const logout = await withCookie("/v1/auth/logout", user.token, { method: "POST" });
    expect(logout.status).toBe(204);
    expect(sessionCookie(logout)?.expires).toBe(0);
    h.now.ms = Date.now();
  });

  test("elsewhere a stale cookie is a 401 that clears it", async () => {
    const user = await h.signUp("stale-401");
    h.now.ms += 15 * DAY;
    const response = await withCookie("/v1/session", user.token);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe("invalid_session");
    expect(sessionCookie(response)?.expires).toBe(0);
    h.now.ms = Date.now();
  });
});

/** Finding 7: behind a proxy, the client address is taken from the right of X-Forwarded-For. */
describe.each([
  { proxies: "true", chain: (i: number) => `6.6.6.${i}, 203.0.113.7` },
  { proxies: "2", chain: (i: number) => `6.6.6.${i}, 203.0.113.7, 10.0.0.2` },
])("TRUST_PROXY=$proxies", ({ proxies, chain }) => {
  let h: Harness;
  let server: ServerType;
  let port: number;
  beforeAll(async () => {
    h = await startHarness({ TRUST_PROXY: proxies, RATE_LIMIT_AUTH_PER_IP: "20" });
    server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.close();
  });

  const post = (path: string, forwardedFor: string, json: unknown, token?: string) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const payload = JSON.stringify(json);
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method: path === "/v1/sessions" ? "GET" : "POST",
          path,
          agent: false,
          headers: {
            "content-type": "application/json",
            "x-forwarded-for": forwardedFor,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(path === "/v1/sessions" ? {} : { "content-length": Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on("error", reject);
      req.end(path === "/v1/sessions" ? undefined : payload);
    });

  test("addresses the client chose on the left do not dodge the per-IP limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const answer = await post("/v1/auth/login", chain(i), {
        email: `nobody-${i}-${Date.now()}@example.com`,
        password: PASSWORD,
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
  });

  test("the session list records the address the trusted proxy saw", async () => {
    const email = `seen-${proxies}-${Date.now()}@example.com`;
    const signed = await post("/v1/auth/signup", chain(99).replace("203.0.113.7", "198.51.100.4"), {
      email,
      password: PASSWORD,
    });
    expect(signed.status).toBe(201);
    const token = (signed.body.session as { token: string }).token;
    const sessions = await post("/v1/sessions", "9.9.9.9", undefined, token);
    const ips = (sessions.body.sessions as { ip: string }[]).map((s) => s.ip);
    expect(ips).toEqual(["198.51.100.4"]);
  });

  test("a chain shorter than the proxies, or not an address, counts as the socket's peer", async () => {
    const email = `short-${proxies}-${Date.now()}@example.com`;
    const signed = await post("/v1/auth/signup", proxies === "2" ? "198.51.100.9" : "not-an-ip", {
      email,
      password: PASSWORD,
    });
    const token = (signed.body.session as { token: string }).token;
    const sessions = await post("/v1/sessions", "", undefined, token);
    expect((sessions.body.sessions as { ip: string }[]).map((s) => s.ip)).toEqual(["127.0.0.1"]);
  });
});
