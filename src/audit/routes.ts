import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../http/router.js";
import { problems, TenantId } from "../http/schemas.js";
import { readTenantAudit } from "./audit-log.js";

export const auditRoutes = createRouter();

const Entry = z
  .object({
    id: z.string(),
    tenantId: z.string().nullable(),
    at: z.string(),
    actor: z.object({ type: z.string(), id: z.string(), accountId: z.string().nullable() }),
    ip: z.string().nullable(),
    action: z.string(),
    updates: z.unknown(),
    zedtoken: z.string().nullable(),
  })
  .openapi("AuditEntry");

auditRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenants/{tenantId}/audit",
    tags: ["audit"],
    summary: "The tenant's audit log, oldest first (needs view_audit on the tenant)",
    request: {
      params: z.object({ tenantId: TenantId }),
      query: z.object({
        since: z.iso
          .datetime({ message: "expected an ISO 8601 time like 2026-01-01T00:00:00Z" })
          .optional(),
        cursor: z.string().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
    },
    responses: {
      200: {
        description: "entries",
        content: {
          "application/json": {
            schema: z.object({ entries: z.array(Entry), nextCursor: z.string().optional() }),
          },
        },
      },
      ...problems(400, 401, 403),
    },
  }),
  async (c) => {
    const { since, ...query } = c.req.valid("query");
    const page = await readTenantAudit({
      ctx: c.get("ctx"),
      input: { ...c.req.valid("param"), ...query, since: since ? Date.parse(since) : undefined },
    });
    return c.json(page, 200);
  },
);
