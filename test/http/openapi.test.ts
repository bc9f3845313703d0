import { afterAll, beforeAll, expect, test } from "vitest";
import { loggablePath } from "../../src/console/routes.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

test("the OpenAPI document is generated from the routes", async () => {
  const response = await h.request("/openapi.json");
  expect(response.status).toBe(200);
  const doc = (await response.json()) as {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
  };
  expect(doc.openapi).toMatch(/^3\./);
  for (const [path, method] of [
    ["/v1/check", "post"],
    ["/v1/check/bulk", "post"],
    ["/v1/lookup/resources", "post"],
    ["/v1/lookup/subjects", "post"],
    ["/v1/auth/login", "post"],
    ["/v1/session/active-tenant", "put"],
    ["/v1/relationships", "delete"],
    ["/v1/tenants/{tenantId}/audit", "get"],
  ] as const) {
    expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  }
});

test("the reference page loads its renderer from this package only, under a strict CSP", async () => {
  const response = await h.request("/docs");
  expect(response.headers.get("content-type")).toContain("text/html");
  expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
  const html = await response.text();
  const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
  expect(sources.length).toBeGreaterThan(2);
  for (const source of sources.filter((s) => !s.startsWith("data:"))) {
    expect(source.startsWith("/"), source).toBe(true);
    expect((await h.request(source)).status, source).toBe(200);
  }
  expect(html).not.toMatch(/<script>|<style|style="/);
  // What it renders: the document generated from the routes.
  expect(await (await h.request("/openapi.json")).text()).toContain("/v1/check");
});

test("metrics count requests by route pattern, check decisions and engine calls", async () => {
  const user = await h.signUp();
  await h.request("/v1/tenants", { method: "POST", token: user.token, json: { name: "Metrics" } });
  await h.request("/v1/check", {
    method: "POST",
    token: user.token,
    json: { resource: "project:m1", permission: "view" },
  });
  const response = await h.request("/metrics");
  expect(response.headers.get("content-type")).toContain("text/plain");
  const text = await response.text();
  expect(text).toMatch(
    /tenantgate_http_requests_total\{method="POST",route="\/v1\/check",status="200"\} 1/,
  );
  expect(text).toMatch(
    /tenantgate_check_decisions_total\{result="no_permission",source="engine"\} 1/,
  );
  expect(text).toMatch(
    /tenantgate_engine_call_duration_seconds_count\{method="CheckBulkPermissions"\} \d+/,
  );
  expect(text).toContain("tenantgate_check_batch_size_bucket");
});

test("an oversized body is refused with 413 before it is parsed", async () => {
  const response = await h.request("/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "a@example.com", password: "x".repeat(2 * 1024 * 1024) }),
  });
  expect(response.status).toBe(413);
  expect(((await response.json()) as { code: string }).code).toBe("body_too_large");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
});

test("an invitation link's path is logged without its secret", () => {
  expect(loggablePath("/invite/tgi_secretsecret")).toBe("/invite/…");
  expect(loggablePath("/v1/session")).toBe("/v1/session");
});
