import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../http/router.js";
import { UnavailableError } from "../lib/errors.js";

export const healthRoutes = createRouter();

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/healthz",
    tags: ["operations"],
    summary: "Liveness: the process is running",
    responses: {
      200: {
        description: "alive",
        content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
      },
    },
  }),
  (c) => c.json({ status: "ok" as const }, 200),
);

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/readyz",
    tags: ["operations"],
    summary: "Readiness: the database is open and the authorization engine answers",
    responses: {
      200: {
        description: "ready",
        content: {
          "application/json": {
            schema: z.object({ status: z.literal("ready"), engine: z.string() }),
          },
        },
      },
      503: { description: "not ready; the problem's detail says which part" },
    },
  }),
  async (c) => {
    const { db, engine } = c.get("services");
    try {
      db.prepare("SELECT 1").get();
    } catch (error) {
      throw new UnavailableError(`database: ${(error as Error).message}`, "not_ready");
    }
    try {
      await engine.readSchema();
    } catch (error) {
      throw new UnavailableError(`authorization engine: ${(error as Error).message}`, "not_ready");
    }
    return c.json({ status: "ready" as const, engine: engine.kind }, 200);
  },
);
