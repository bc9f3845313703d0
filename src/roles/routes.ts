import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../http/router.js";
import { AccountId, json, problems, TenantId } from "../http/schemas.js";
import {
  createRole,
  deleteRole,
  listRoles,
  setRoleAssignment,
  updateRoleGrants,
} from "./actions.js";

export const roleRoutes = createRouter();

const RoleId = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, { message: "expected a role id like rol_…" });
const Grants = z
  .array(
    z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, { message: "expected a grant name like project_edit" }),
  )
  .max(100)
  .openapi({ example: ["project_view", "project_edit"] });
const Role = z
  .object({
    id: z.string(),
    name: z.string(),
    permissions: z.array(z.string()),
    members: z.array(z.string()),
  })
  .openapi("Role");
const TenantParams = z.object({ tenantId: TenantId });
const RoleParams = z.object({ tenantId: TenantId, roleId: RoleId });
const AssignmentParams = z.object({ tenantId: TenantId, roleId: RoleId, accountId: AccountId });

roleRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/tenants/{tenantId}/roles",
    tags: ["roles"],
    summary: "Create a custom role with grants (needs manage on the tenant)",
    request: {
      params: TenantParams,
      body: json(z.object({ name: z.string().trim().min(1).max(100), permissions: Grants })),
    },
    responses: {
      201: {
        description: "created",
        content: { "application/json": { schema: z.object({ role: Role }) } },
      },
      ...problems(400, 401, 403, 409, 503),
    },
  }),
  async (c) =>
    c.json(
      {
        role: await createRole({
          ctx: c.get("ctx"),
          input: { ...c.req.valid("param"), ...c.req.valid("json") },
        }),
      },
      201,
    ),
);

roleRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenants/{tenantId}/roles",
    tags: ["roles"],
    summary: "The tenant's custom roles with their grants and members",
    request: { params: TenantParams },
    responses: {
      200: {
        description: "roles",
        content: { "application/json": { schema: z.object({ roles: z.array(Role) }) } },
      },
      ...problems(400, 401, 403),
    },
  }),
  async (c) =>
    c.json({ roles: await listRoles({ ctx: c.get("ctx"), input: c.req.valid("param") }) }, 200),
);

roleRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/tenants/{tenantId}/roles/{roleId}",
    tags: ["roles"],
    summary: "Replace a role's grants",
    request: { params: RoleParams, body: json(z.object({ permissions: Grants })) },
    responses: {
      200: {
        description: "updated",
        content: { "application/json": { schema: z.object({ role: Role }) } },
      },
      ...problems(400, 401, 403, 404),
    },
  }),
  async (c) =>
    c.json(
      {
        role: await updateRoleGrants({
          ctx: c.get("ctx"),
          input: { ...c.req.valid("param"), ...c.req.valid("json") },
        }),
      },
      200,
    ),
);

roleRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/tenants/{tenantId}/roles/{roleId}",
    tags: ["roles"],
    summary: "Delete a role; its grants are revoked at once",
    request: { params: RoleParams },
    responses: { 204: { description: "deleted" }, ...problems(400, 401, 403, 404) },
  }),
  async (c) => {
    await deleteRole({ ctx: c.get("ctx"), input: c.req.valid("param") });
    return c.body(null, 204);
  },
);

roleRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/tenants/{tenantId}/roles/{roleId}/members/{accountId}",
    tags: ["roles"],
    summary: "Assign the role to an account of this tenant",
    request: { params: AssignmentParams },
    responses: { 204: { description: "assigned" }, ...problems(400, 401, 403, 404) },
  }),
  async (c) => {
    await setRoleAssignment({
      ctx: c.get("ctx"),
      input: { ...c.req.valid("param"), assigned: true },
    });
    return c.body(null, 204);
  },
);

roleRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/tenants/{tenantId}/roles/{roleId}/members/{accountId}",
    tags: ["roles"],
    summary: "Unassign the role from an account",
    request: { params: AssignmentParams },
    responses: { 204: { description: "unassigned" }, ...problems(400, 401, 403, 404) },
  }),
  async (c) => {
    await setRoleAssignment({
      ctx: c.get("ctx"),
      input: { ...c.req.valid("param"), assigned: false },
    });
    return c.body(null, 204);
  },
);
