/**
 * An example service that keeps its own data (projects) and asks tenantgate who may do what.
 * Run tenantgate, then: TENANTGATE_URL=http://127.0.0.1:8080 TENANTGATE_SERVICE_KEY=tgs_… npm run example
 */
import { serve } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { createClient, requirePermission } from "tenantgate/client";

const tenantgate = createClient({
  baseUrl: process.env.TENANTGATE_URL ?? "http://127.0.0.1:8080",
  serviceKey: process.env.TENANTGATE_SERVICE_KEY,
});

const projects = new Map<string, { id: string; title: string }>([
  ["p1", { id: "p1", title: "Launch plan" }],
  ["p2", { id: "p2", title: "Budget" }],
]);

const app = new Hono();
const project = (c: Context) => `project:${c.req.param("id")}`;

app.get("/projects/:id", requirePermission(tenantgate, "view", project), (c) => {
  const found = projects.get(c.req.param("id"));
  return found ? c.json(found) : c.json({ error: "not found" }, 404);
});

app.put("/projects/:id", requirePermission(tenantgate, "edit", project), async (c) => {
  const found = projects.get(c.req.param("id"));
  if (!found) return c.json({ error: "not found" }, 404);
  const { title } = (await c.req.json()) as { title: string };
  found.title = title;
  return c.json(found);
});

const port = Number(process.env.PORT ?? 8081);
serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, (info) => {
  process.stdout.write(`projects-service listening on ${info.port}\n`);
});
