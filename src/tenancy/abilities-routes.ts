import { createRoute, z } from "@hono/zod-openapi";
import { userActionContext } from "../http/action-context.js";
import { createRouter } from "../http/router.js";
import { MembershipRoleSchema, problems, TenantId } from "../http/schemas.js";
import { tenancyVocabulary, tenantAbilities } from "./tenant-abilities.js";

/** What clients need to know to offer the right controls; deciding stays with each route. */
export const abilitiesRoutes = createRouter();

abilitiesRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenancy",
    tags: ["tenants"],
    summary: "The tenancy vocabulary: membership roles, highest first",
    responses: {
      200: {
        description: "vocabulary",
        content: {
          "application/json": {
            schema: z.object({
              roles: z.array(z.string()).openapi({
                description: "membership roles, highest first",
                example: ["owner", "admin", "member"],
              }),
            }),
          },
        },
      },
    },
  }),
  (c) => c.json(tenancyVocabulary(), 200),
);

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
    c.json(await tenantAbilities({ ctx: userActionContext(c), input: c.req.valid("param") }), 200),
);
