import { createRoute, z } from "@hono/zod-openapi";
import { SERVICE_KEY_SCOPES } from "../auth/service-keys.js";
import { createRouter } from "../http/router.js";
import { AccountId, isoTime, json, problems } from "../http/schemas.js";
import { listTenants, listUsers } from "./directory.js";
import { instanceStatus } from "./instance-status.js";
import { ViewAsSchema, viewAsJson } from "./schemas.js";
import { createKey, listKeys, revokeKey } from "./service-key-admin.js";
import { endViewAs, startViewAs } from "./view-as.js";

/** The instance view: only for operators (`tenantgate user create --operator`); 403 for others. */
export const operatorRoutes = createRouter();

const Page = z.object({
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const ONLY = "(operators only)";

operatorRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/operator/status",
    tags: ["operator"],
    summary: `Engine and store status, row counts and the /metrics numbers ${ONLY}`,
    responses: {
      200: {
        description: "status",
        content: {
          "application/json": {
            schema: z.object({
              engine: z.object({
                kind: z.string(),
                ready: z.boolean(),
                detail: z.string().nullable(),
                latencyMs: z.number(),
              }),
              store: z.object({ kind: z.string(), ready: z.boolean(), latencyMs: z.number() }),
              counts: z
                .object({
                  users: z.number(),
                  tenants: z.number(),
                  liveServiceKeys: z.number(),
                  liveSessions: z.number(),
                })
                .nullable(),
              uptimeSeconds: z.number(),
              node: z.string(),
              metrics: z.array(
                z.object({
                  name: z.string(),
                  help: z.string(),
                  type: z.string(),
                  values: z.array(
                    z.object({
                      series: z.string().optional(),
                      labels: z.record(z.string(), z.string()),
                      value: z.number(),
                    }),
                  ),
                }),
              ),
            }),
          },
        },
      },
      ...problems(401, 403),
    },
  }),
  async (c) => c.json(await instanceStatus({ ctx: c.get("ctx") }), 200),
);

operatorRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/operator/tenants",
    tags: ["operator"],
    summary: `Every tenant, by id, with its number of accounts ${ONLY}`,
    request: { query: Page },
    responses: {
      200: {
        description: "a page of tenants",
        content: {
          "application/json": {
            schema: z.object({
              tenants: z.array(
                z.object({
                  id: z.string(),
                  name: z.string(),
                  createdAt: z.string(),
                  accounts: z.number(),
                }),
              ),
              nextCursor: z.string().optional(),
            }),
          },
        },
      },
      ...problems(400, 401, 403),
    },
  }),
  async (c) => {
    const page = await listTenants({ ctx: c.get("ctx"), input: c.req.valid("query") });
    return c.json(
      {
        tenants: page.tenants.map((t) => ({ ...t, createdAt: isoTime(t.createdAt) })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  },
);

operatorRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/operator/users",
    tags: ["operator"],
    summary: `Every user, by id, with their accounts ${ONLY}`,
    request: { query: Page },
    responses: {
      200: {
        description: "a page of users",
        content: {
          "application/json": {
            schema: z.object({
              users: z.array(
                z.object({
                  id: z.string(),
                  email: z.string(),
                  name: z.string().nullable(),
                  createdAt: z.string(),
                  operator: z.boolean(),
                  accounts: z.array(
                    z.object({ id: z.string(), tenantId: z.string(), tenantName: z.string() }),
                  ),
                }),
              ),
              nextCursor: z.string().optional(),
            }),
          },
        },
      },
      ...problems(400, 401, 403),
    },
  }),
  async (c) => {
    const page = await listUsers({ ctx: c.get("ctx"), input: c.req.valid("query") });
    return c.json(
      {
        users: page.users.map((u) => ({ ...u, createdAt: isoTime(u.createdAt) })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  },
);

const ServiceKeyInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: z.enum(SERVICE_KEY_SCOPES),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ServiceKeyInfo");
const keyJson = (k: {
  id: string;
  name: string;
  scope: (typeof SERVICE_KEY_SCOPES)[number];
  createdAt: number;
  revokedAt: number | null;
}) => ({
  id: k.id,
  name: k.name,
  scope: k.scope,
  createdAt: isoTime(k.createdAt),
  revokedAt: k.revokedAt === null ? null : isoTime(k.revokedAt),
});

operatorRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/operator/service-keys",
    tags: ["operator"],
    summary: `Service keys, never their secrets ${ONLY}`,
    responses: {
      200: {
        description: "keys",
        content: {
          "application/json": { schema: z.object({ serviceKeys: z.array(ServiceKeyInfo) }) },
        },
      },
      ...problems(401, 403),
    },
  }),
  async (c) => c.json({ serviceKeys: (await listKeys({ ctx: c.get("ctx") })).map(keyJson) }, 200),
);

operatorRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/operator/service-keys",
    tags: ["operator"],
    summary: `Create a service key; the token is shown in this answer only ${ONLY}`,
    request: {
      body: json(
        z.object({
          name: z.string().trim().min(1).max(100).openapi({ example: "billing" }),
          scope: z.enum(SERVICE_KEY_SCOPES).default("check"),
        }),
      ),
    },
    responses: {
      201: {
        description: "created",
        content: {
          "application/json": {
            schema: z.object({ serviceKey: ServiceKeyInfo, token: z.string() }),
          },
        },
      },
      ...problems(400, 401, 403),
    },
  }),
  async (c) => {
    const { key, token } = await createKey({
      ctx: c.get("ctx"),
      input: c.req.valid("json"),
    });
    return c.json({ serviceKey: keyJson(key), token }, 201);
  },
);

operatorRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/operator/service-keys/{keyId}",
    tags: ["operator"],
    summary: `Revoke a service key at once ${ONLY}`,
    request: {
      params: z.object({
        keyId: z.string().regex(/^key_[a-z2-7]{24}$/, { message: "expected a key id like key_…" }),
      }),
    },
    responses: { 204: { description: "revoked" }, ...problems(400, 401, 403, 404) },
  }),
  async (c) => {
    await revokeKey({ ctx: c.get("ctx"), input: c.req.valid("param") });
    return c.body(null, 204);
  },
);

operatorRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/operator/view-as",
    tags: ["operator"],
    summary: `Start viewing read-only as an account, with a stated reason (audited in its tenant) ${ONLY}`,
    description:
      "Send the returned id as `X-View-As` on later requests: they are answered as the account would be answered, and any change is refused (403 view_as_read_only). Lasts an hour unless ended.",
    request: {
      body: json(
        z.object({
          accountId: AccountId,
          reason: z
            .string()
            .trim()
            .min(5, { message: "state the reason in a few words" })
            .max(500)
            .openapi({ example: "support ticket 4411: cannot see project p1" }),
        }),
      ),
    },
    responses: {
      201: {
        description: "started",
        content: { "application/json": { schema: z.object({ viewAs: ViewAsSchema }) } },
      },
      ...problems(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const viewAs = await startViewAs({ ctx: c.get("ctx"), input: c.req.valid("json") });
    return c.json({ viewAs: viewAsJson(viewAs) }, 201);
  },
);

operatorRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/operator/view-as/{viewAsId}",
    tags: ["operator"],
    summary: `Stop viewing as an account ${ONLY}`,
    request: {
      params: z.object({
        viewAsId: z
          .string()
          .regex(/^vas_[a-z2-7]{24}$/, { message: "expected a view-as id like vas_…" }),
      }),
    },
    responses: { 204: { description: "ended" }, ...problems(400, 401, 403, 404) },
  }),
  async (c) => {
    await endViewAs({ ctx: c.get("ctx"), input: c.req.valid("param") });
    return c.body(null, 204);
  },
);
