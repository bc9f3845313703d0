import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../http/router.js";
import { problems, TenantId } from "../http/schemas.js";
import { streamedBody } from "../http/streamed-body.js";
import { csvHeader, csvLine, jsonLine } from "./audit-export-format.js";
import { exportTenantAudit, readTenantAudit } from "./read-tenant-audit.js";

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

const Time = z.iso
  .datetime({ message: "expected an ISO 8601 time like 2026-01-01T00:00:00Z" })
  .optional();
const Filters = {
  since: Time,
  until: Time.openapi({ description: "entries before this time" }),
  actor: z
    .string()
    .max(100)
    .optional()
    .openapi({ description: "entries made by this user, account or service key id" }),
  object: z
    .string()
    .max(2100)
    .optional()
    .openapi({ description: "entries whose updates mention this object (e.g. project:p1)" }),
};
const millis = (time: string | undefined) => (time ? Date.parse(time) : undefined);

auditRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenants/{tenantId}/audit",
    tags: ["audit"],
    summary: "The tenant's audit log, filtered and paginated (needs view_audit on the tenant)",
    request: {
      params: z.object({ tenantId: TenantId }),
      query: z.object({
        ...Filters,
        order: z
          .enum(["asc", "desc"])
          .default("asc")
          .openapi({ description: "asc: oldest first (default); desc: newest first" }),
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
    const { since, until, ...query } = c.req.valid("query");
    const page = await readTenantAudit({
      ctx: c.get("ctx"),
      input: { ...c.req.valid("param"), ...query, since: millis(since), until: millis(until) },
    });
    return c.json(page, 200);
  },
);

auditRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenants/{tenantId}/audit/export",
    tags: ["audit"],
    summary:
      "Export the tenant's audit log over a time range as CSV or JSON lines, oldest first (needs view_audit)",
    request: {
      params: z.object({ tenantId: TenantId }),
      query: z.object({ ...Filters, format: z.enum(["csv", "jsonl"]).default("jsonl") }),
    },
    responses: {
      200: {
        description: "the entries, as a file",
        content: {
          "text/csv": { schema: z.string() },
          "application/x-ndjson": { schema: z.string() },
        },
      },
      ...problems(400, 401, 403),
    },
  }),
  async (c) => {
    const { tenantId } = c.req.valid("param");
    const { format, since, until, actor, object } = c.req.valid("query");
    const entries = await exportTenantAudit({
      ctx: c.get("ctx"),
      input: { tenantId, since: millis(since), until: millis(until), actor, object },
    });
    const line = format === "csv" ? csvLine : jsonLine;
    async function* text() {
      if (format === "csv") yield csvHeader();
      for await (const entry of entries) yield line(entry);
    }
    return c.body(streamedBody(text()), 200, {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
      "content-disposition": `attachment; filename="audit-${tenantId}.${format === "csv" ? "csv" : "jsonl"}"`,
    });
  },
);
