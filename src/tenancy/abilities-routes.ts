import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../http/router.js";
import { problems, TenantId } from "../http/schemas.js";
import { MembershipRoleSchema } from "./schemas.js";
import { tenantAbilities } from "./tenant-abilities.js";

/** What clients need to know to offer the right controls; deciding stays with each route. */
export const abilitiesRoutes = createRouter();

abilitiesRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenants/{tenantId}/permissions",
    tags: ["tenants"],
    summary: "What the caller's own account may do on the tenant (every tenant permission)",
    request: { params: z.object({ tenantId: TenantId }) },
    responses: {
      200: {
        description: "the caller's account, its membership roles and each tenant permission",
        content: {
          "application/json": {
            schema: z.object({
              accountId: z.string(),
              roles: z.array(MembershipRoleSchema),
              permissions: z
                .record(z.string(), z.boolean())
                .openapi({ example: { view_members: true, manage_members: false } }),
            }),
          },
        },
      },
      ...problems(400, 401, 403, 503),
    },
  }),
  async (c) =>
    c.json(await tenantAbilities({ ctx: c.get("ctx"), input: c.req.valid("param") }), 200),
);
