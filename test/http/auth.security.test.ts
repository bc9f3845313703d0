import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.js";

const DAY = 24 * 3600 * 1000;

describe("sessions", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      SESSION_IDLE_TIMEOUT_SECONDS: String(2 * 24 * 3600),
      SESSION_ABSOLUTE_TIMEOUT_SECONDS: String(5 * 24 * 3600),
    });
  });
  afterAll(async () => h.close());

  const sessionStatus = async (token: string) => (await h.request("/v1/session", { token })).status;

  test("a session expires after the idle timeout", async () => {
    const user = await h.signUp();
    h.now.ms += 2 * DAY + 1000;
    expect(await sessionStatus(user.token)).toBe(401);
    h.now.ms = Date.now();
  });

  test("use slides the idle expiry, but never past the absolute lifetime", async () => {
    const user = await h.signUp();
    const start = h.now.ms;
    // Used every 1.5 days: each use past half the idle window renews it.
    for (let day = 1.5; day < 5; day += 1.5) {
      h.now.ms = start + day * DAY;
      expect(await sessionStatus(user.token)).toBe(200);
    }
    const body = (await (await h.request("/v1/session", { token: user.token })).json()) as {
      expiresAt: string;
    };
    expect(Date.parse(body.expiresAt)).toBeLessThanOrEqual(start + 5 * DAY);
    h.now.ms = start + 5 * DAY + 1000;
    expect(await sessionStatus(user.token)).toBe(401);
    h.now.ms = Date.now();
  });

  test("logout deletes the session server-side: a stolen copy of the token is useless", async () => {
    const user = await h.signUp();
    const stolen = user.token;
    expect((await h.request("/v1/auth/logout", { method: "POST", token: user.token })).status).toBe(
      204,
    );
    const reuse = await h.request("/v1/session", { token: stolen });
    expect(reuse.status).toBe(401);
    expect(reuse.headers.get("content-type")).toContain("application/problem+json");
  });

  test("a forged secret for a real session id is refused", async () => {
    const user = await h.signUp();
    const [id] = user.token.split(".");
    expect(await sessionStatus(`${id}.${"a".repeat(24)}`)).toBe(401);
    expect(await sessionStatus("garbage")).toBe(401);
  });

  test("a forged secret is refused for a session in use (remembered in memory)", async () => {
    const user = await h.signUp();
    expect(await sessionStatus(user.token)).toBe(200);
    expect(await sessionStatus(user.token)).toBe(200);
    const [id, secret] = user.token.split(".") as [string, string];
    const flipped = `${secret.slice(0, -1)}${secret.endsWith("a") ? "b" : "a"}`;
    expect(await sessionStatus(`${id}.${flipped}`)).toBe(401);
    expect(await sessionStatus(user.token)).toBe(200);
  });

  test.skipIf(process.env.TEST_STORE === "postgres")(
    "a session deleted in the SQLite file by another process ends within milliseconds",
    async () => {
      const user = await h.signUp();
      expect(await sessionStatus(user.token)).toBe(200);
      expect(await sessionStatus(user.token)).toBe(200);
      // An operator's own SQL, through a second connection to the file.
      const other = new Database(join(h.runtime.services.config.DATA_DIR, "tenantgate.sqlite"));
      other.prepare("DELETE FROM sessions WHERE id = ?").run(user.token.split(".")[0]);
      other.close();
      // StoreChanges reads SQLite's data_version at most once a millisecond.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await sessionStatus(user.token)).toBe(401);
    },
  );

  test("a session near its absolute end is not rewritten on every request", async () => {
    const user = await h.signUp();
    const [id] = user.token.split(".");
    const start = h.now.ms;
    const lastUsed = async () =>
      ((await h.rows("sessions")).find((r) => r.id === id) as { last_used_at: number })
        .last_used_at;
    // Idle 2 days, absolute 5: the use at day 3.6 renews it to day 5, the absolute end, after
    // which a renewal could not extend it any more.
    h.now.ms = start + 1.8 * DAY;
    expect(await sessionStatus(user.token)).toBe(200);
    h.now.ms = start + 3.6 * DAY;
    expect(await sessionStatus(user.token)).toBe(200);
    expect(await lastUsed()).toBe(h.now.ms);
    h.now.ms = start + 4.5 * DAY;
    expect(await sessionStatus(user.token)).toBe(200);
    expect(await lastUsed()).toBe(start + 3.6 * DAY);
    h.now.ms = start + 5 * DAY;
    expect(await sessionStatus(user.token)).toBe(401);
    h.now.ms = Date.now();
  });

  test("sessions are listed and one can be signed out; sign-out everywhere ends all", async () => {
    const user = await h.signUp();
    const second = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: user.email, password: user.password },
    });
    const secondToken = ((await second.json()) as { session: { token: string } }).session.token;
    const listed = (await (await h.request("/v1/sessions", { token: user.token })).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    expect(listed.sessions).toHaveLength(2);
    const other = listed.sessions.find((s) => !s.current);
    expect(
      (await h.request(`/v1/sessions/${other?.id}`, { method: "DELETE", token: user.token }))
        .status,
    ).toBe(204);
    expect(await sessionStatus(secondToken)).toBe(401);

    const third = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: user.email, password: user.password },
    });
    const thirdToken = ((await third.json()) as { session: { token: string } }).session.token;
    expect((await h.request("/v1/sessions", { method: "DELETE", token: user.token })).status).toBe(
      204,
    );
    expect(await sessionStatus(user.token)).toBe(401);
    expect(await sessionStatus(thirdToken)).toBe(401);
  });

  test("a user cannot sign out someone else's session", async () => {
    const [a, b] = [await h.signUp(), await h.signUp()];
    const bSessions = (await (await h.request("/v1/sessions", { token: b.token })).json()) as {
      sessions: { id: string }[];
    };
    const response = await h.request(`/v1/sessions/${bSessions.sessions[0]?.id}`, {
      method: "DELETE",
      token: a.token,
    });
    expect(response.status).toBe(404);
    expect(await sessionStatus(b.token)).toBe(200);
  });

  test("changing the password signs out every other session and keeps this one", async () => {
    const user = await h.signUp();
    const other = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: user.email, password: user.password },
    });
    const otherToken = ((await other.json()) as { session: { token: string } }).session.token;
    const changed = await h.request("/v1/auth/password", {
      method: "PUT",
      token: user.token,
      json: { currentPassword: user.password, newPassword: "a brand new passphrase" },
    });
    expect(changed.status).toBe(204);
    expect(await sessionStatus(otherToken)).toBe(401);
    expect(await sessionStatus(user.token)).toBe(200);
    const oldLogin = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: user.email, password: user.password },
    });
    expect(oldLogin.status).toBe(401);
  });

  test("the session token is stored only as a hash", async () => {
    const user = await h.signUp();
    const [id, secret] = user.token.split(".") as [string, string];
    const row = (await h.rows("sessions")).find((r) => r.id === id) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("cookies and CSRF", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  test("sign-in sets an HttpOnly, Secure, SameSite=Lax __Host- cookie", async () => {
    const email = `cookie-${Date.now()}@example.com`;
    const response = await h.request("/v1/auth/signup", {
      method: "POST",
      json: { email, password: "long enough password" },
    });
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-tenantgate_session=/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Domain");
  });

  test("a cross-origin cookie POST is refused; same-origin and bearer requests pass", async () => {
    const user = await h.signUp();
    const cookie = `__Host-tenantgate_session=${user.token}`;
    const crossSite = await h.request("http://tenantgate.test/v1/tenants", {
      method: "POST",
      headers: { cookie, origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ name: "x" }),
    });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { code: string }).code).toBe("csrf_rejected");

    const fetchSite = await h.request("http://tenantgate.test/v1/tenants", {
      method: "POST",
      headers: { cookie, "sec-fetch-site": "cross-site", "content-type": "application/json" },
      body: JSON.stringify({ name: "x" }),
    });
    expect(fetchSite.status).toBe(403);

    const noHeaders = await h.request("http://tenantgate.test/v1/tenants", {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "x" }),
    });
    expect(noHeaders.status).toBe(403);

    const sameOrigin = await h.request("http://tenantgate.test/v1/tenants", {
      method: "POST",
      headers: {
        cookie,
        origin: "http://tenantgate.test",
        host: "tenantgate.test",
        "content-type": "application/json",
      },
      body: JSON.stringify({ name: "same origin" }),
    });
    expect(sameOrigin.status).toBe(201);

    const bearer = await h.request("/v1/tenants", {
      method: "POST",
      token: user.token,
      json: { name: "bearer" },
      headers: { origin: "https://evil.example" },
    });
    expect(bearer.status).toBe(201);
  });

  test("a cookie GET needs no origin", async () => {
    const user = await h.signUp();
    const response = await h.request("/v1/session", {
      headers: { cookie: `__Host-tenantgate_session=${user.token}` },
    });
    expect(response.status).toBe(200);
  });
});

describe("login abuse", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_AUTH_PER_IP: "1000", RATE_LIMIT_AUTH_PER_EMAIL: "3" });
  });
  afterAll(async () => h.close());

  test("a wrong email and a wrong password get identical responses", async () => {
    const user = await h.signUp();
    const wrongPassword = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: user.email, password: "not the password" },
    });
    const wrongEmail = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: `nobody-${Date.now()}@example.com`, password: "not the password" },
    });
    expect(wrongPassword.status).toBe(401);
    expect(wrongEmail.status).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip((await wrongPassword.json()) as Record<string, unknown>)).toEqual(
      strip((await wrongEmail.json()) as Record<string, unknown>),
    );
    expect([...wrongPassword.headers.keys()].sort()).toEqual([...wrongEmail.headers.keys()].sort());
  });

  test("too many attempts for one email answer 429 with Retry-After", async () => {
    const user = await h.signUp();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const response = await h.request("/v1/auth/login", {
        method: "POST",
        json: { email: user.email, password: "wrong password!" },
      });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get("retry-after");
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Even the right password is refused while limited.
    const right = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: user.email, password: user.password },
    });
    expect(right.status).toBe(429);
  });

  test("bad input is a 400 naming the field", async () => {
    const short = await h.request("/v1/auth/signup", {
      method: "POST",
      json: { email: "x@example.com", password: "short" },
    });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { field: string }).field).toBe("password");
    const long = await h.request("/v1/auth/signup", {
      method: "POST",
      json: { email: "x@example.com", password: "x".repeat(257) },
    });
    expect(((await long.json()) as { field: string }).field).toBe("password");
    const email = await h.request("/v1/auth/login", {
      method: "POST",
      json: { email: "not-an-email", password: "whatever123" },
    });
    expect(((await email.json()) as { field: string }).field).toBe("email");
    const malformed = await h.request("/v1/auth/login", {
      method: "POST",
      body: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
  });

  test("an existing email cannot sign up twice", async () => {
    const user = await h.signUp();
    const again = await h.request("/v1/auth/signup", {
      method: "POST",
      json: { email: user.email.toUpperCase(), password: "another password" },
    });
    expect(again.status).toBe(409);
  });
});

describe("sign-up modes", () => {
  test("closed refuses; invite-only needs an invitation", async () => {
    const closed = await startHarness({ SIGNUP: "closed" });
    const refused = await closed.request("/v1/auth/signup", {
      method: "POST",
      json: { email: "a@example.com", password: "long enough password" },
    });
    expect(refused.status).toBe(403);
    await closed.close();

    const inviteOnly = await startHarness({ SIGNUP: "invite-only" });
    const noInvite = await inviteOnly.request("/v1/auth/signup", {
      method: "POST",
      json: { email: "b@example.com", password: "long enough password" },
    });
    expect(((await noInvite.json()) as { code: string }).code).toBe("invitation_required");
    await inviteOnly.close();
  });
});
