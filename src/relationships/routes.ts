import { createRoute, z } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import { createRouter } from "../http/router.js";
import { json, problems, TenantId, TypeName } from "../http/schemas.js";
import { streamedBody } from "../http/streamed-body.js";
import { deleteRelationshipsByFilter, readRelationships, writeRelationships } from "./actions.js";
import { exportTenantRelationships, listTenantRelationships } from "./tenant-relationships.js";

export const relationshipRoutes = createRouter();

const RelationshipString = z
  .string()
  .min(5)
  .max(4096)
  .openapi({ example: "project:p1#editor@account:acc_2" });
const Tenant = {
  tenantId: TenantId.optional().openapi({
    description: "Act in this tenant (service keys must name it)",
  }),
};

relationshipRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/relationships",
    tags: ["relationships"],
    summary: "Relationships of one object (needs the write permission on it, e.g. manage)",
    request: {
      query: z.object({
        resource: z.string().min(3).max(2100).openapi({ example: "project:p1" }),
        relation: z.string().max(64).optional(),
        subject: z.string().max(2100).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        cursor: z.string().max(4096).optional(),
        ...Tenant,
      }),
    },
    responses: {
      200: {
        description: "relationships in SpiceDB's string syntax",
        content: {
          "application/json": {
            schema: z.object({
              relationships: z.array(z.string()),
              readAt: z.string().optional(),
              nextCursor: z.string().optional(),
            }),
          },
        },
      },
      ...problems(400, 401, 403, 503),
    },
  }),
  async (c) =>
    c.json(
      await readRelationships({
        ctx: c.get("ctx"),
        input: c.req.valid("query"),
      }),
      200,
    ),
);

relationshipRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/relationships",
    tags: ["relationships"],
    summary: "Write a batch of relationship updates atomically, all or none",
    request: {
      body: json(
        z.object({
          updates: z
            .array(
              z.object({
                operation: z.enum(["touch", "create", "delete"]),
                relationship: RelationshipString,
              }),
            )
            .min(1)
            .max(1000),
          ...Tenant,
        }),
      ),
    },
    responses: {
      200: {
        description: "written",
        content: { "application/json": { schema: z.object({ writtenAt: z.string().optional() }) } },
      },
      ...problems(400, 401, 403, 409, 503),
    },
  }),
  async (c) =>
    c.json(
      await writeRelationships({
        ctx: c.get("ctx"),
        input: c.req.valid("json"),
      }),
      200,
    ),
);

relationshipRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/relationships",
    tags: ["relationships"],
    summary: "Delete the relationships matching a filter, within the acting tenant only",
    request: {
      body: json(
        z.object({
          filter: z.object({
            resourceType: TypeName,
            resourceId: z.string().max(1024).optional(),
            relation: z.string().max(64).optional(),
            subject: z.string().max(2100).optional(),
          }),
          ...Tenant,
        }),
      ),
    },
    responses: {
      200: {
        description: "deleted",
        content: {
          "application/json": {
            schema: z.object({ deletedAt: z.string().optional(), count: z.number() }),
          },
        },
      },
      ...problems(400, 401, 403, 503),
    },
  }),
  async (c) =>
    c.json(
      await deleteRelationshipsByFilter({
        ctx: c.get("ctx"),
        input: c.req.valid("json"),
      }),
      200,
    ),
);

relationshipRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenants/{tenantId}/relationships",
    tags: ["relationships"],
    summary:
      "Browse the tenant's relationships on objects of one type, paginated (needs manage on the tenant)",
    request: {
      params: z.object({ tenantId: TenantId }),
      query: z.object({
        resourceType: TypeName,
        resourceIdPrefix: z.string().max(1024).optional(),
        relation: z
          .string()
          .regex(/^[a-z][a-z0-9_]{0,63}$/, { message: "expected a relation name like viewer" })
          .optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        cursor: z.string().max(4096).optional(),
      }),
    },
    responses: {
      200: {
        description: "relationships in SpiceDB's string syntax, by object id",
        content: {
          "application/json": {
            schema: z.object({
              relationships: z.array(
                z.object({
                  relationship: z.string(),
                  core: z.boolean().openapi({
                    description: "tenancy core: changed through the membership and roles APIs",
                  }),
                }),
              ),
              objects: z.number().openapi({ description: "objects of the type in the tenant" }),
              nextCursor: z.string().optional(),
            }),
          },
        },
      },
      ...problems(400, 401, 403, 503),
    },
  }),
  async (c) =>
    c.json(
      await listTenantRelationships({
        ctx: c.get("ctx"),
        input: { ...c.req.valid("param"), ...c.req.valid("query") },
      }),
      200,
    ),
);

relationshipRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenants/{tenantId}/relationships/export",
    tags: ["relationships"],
    summary:
      "Every relationship of the tenant's objects, one per line (needs manage on the tenant)",
    request: { params: z.object({ tenantId: TenantId }) },
    responses: {
      200: {
        description: "SpiceDB's string syntax, one relationship per line",
        content: { "text/plain": { schema: z.string() } },
      },
      ...problems(400, 401, 403, 503),
    },
  }),
  async (c) => {
    const { tenantId } = c.req.valid("param");
    const lines = await exportTenantRelationships({
      ctx: c.get("ctx"),
      input: { tenantId },
    });
    // Text, streamed: the route's typing knows text/plain only as a string body.
    return c.newResponse(streamedBody(lines), 200, {
      "content-type": "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="relationships-${tenantId}.txt"`,
    }) as unknown as TypedResponse<string, 200, "text">;
  },
);
