import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../http/router.js";

export const metricsRoutes = createRouter();

metricsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/metrics",
    tags: ["operations"],
    summary: "Prometheus metrics (text exposition format)",
    responses: {
      200: { description: "metrics", content: { "text/plain": { schema: z.string() } } },
    },
  }),
  async (c) => {
    const { registry } = c.get("services").metrics;
    return c.text(await registry.metrics(), 200, { "content-type": registry.contentType });
  },
);
