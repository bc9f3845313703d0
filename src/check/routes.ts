import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  assertCaveatContext,
  CaveatContextError,
  MAX_CONTEXT_BYTES,
  MAX_CONTEXT_DEPTH,
} from "../authz/caveat-context.js";
import type { AppEnv } from "../http/app-env.js";
import { createRouter } from "../http/router.js";
import { AccountId, json, problems, TenantId, TypeName } from "../http/schemas.js";
import { subjectInTenant } from "./ask-for-account.js";
import { checkFor, checkPermission, checkPermissions } from "./check-permission.js";
import { lookupResources, lookupSubjects } from "./lookup.js";
import type { SubjectInput } from "./subject.js";

export const checkRoutes = createRouter();

const Resource = z.string().min(3).max(2100).openapi({ example: "project:p1" });
const Permission = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,62}[a-z0-9]$/, {
    message: "expected a permission or relation name like edit",
  })
  .openapi({ example: "edit" });
const Context_ = z
  .record(z.string(), z.unknown())
  .superRefine((value, issues) => {
    try {
      assertCaveatContext(value);
    } catch (error) {
      if (!(error instanceof CaveatContextError)) throw error;
      issues.addIssue({
        code: "custom",
        message: error.message,
        path: error.path ? error.path.split(".") : [],
      });
    }
  })
  .optional()
  .openapi({
    description: `Caveat context: a JSON object of at most ${MAX_CONTEXT_BYTES} bytes, ${MAX_CONTEXT_DEPTH} levels deep, finite numbers only. For sessions, \`client_ip\` is always the connection's address.`,
    example: { client_ip: "10.1.2.3" },
  });
const Consistency = z
  .union([
    z.enum(["minimize_latency", "fully_consistent"]),
    z.object({ atLeastAsFresh: z.string().min(1) }),
  ])
  .optional();
const SubjectFields = {
  tenantId: TenantId.optional().openapi({
    description: "Ask as the user's account in this tenant instead of the active one",
  }),
  sessionToken: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "Service keys: ask for this end user's session" }),
  subject: z
    .string()
    .min(3)
    .max(2100)
    .optional()
    .openapi({ description: "Service keys: ask for this subject", example: "account:acc_1" }),
};
const Permissionship = z.enum(["has_permission", "no_permission", "conditional"]);

// One level is described; `children` holds nodes of the same shape (the generator cannot follow
// a recursive schema).
const ExplainNodeSchema = z
  .object({
    check: z.string(),
    kind: z.enum(["relation", "permission"]),
    result: Permissionship,
    caveat: z.object({ name: z.string(), expression: z.string(), result: z.string() }).optional(),
    cached: z.literal(true).optional(),
    children: z.array(z.record(z.string(), z.unknown())).optional(),
    withheld: z.string().optional().openapi({
      description: "why no trace is given (an account sees traces of its tenant's objects only)",
    }),
  })
  .openapi("ExplainNode");

const CheckResultSchema = z
  .object({
    allowed: z.boolean(),
    permissionship: Permissionship,
    checkedAt: z.string().optional(),
    subject: z.string(),
    missingContext: z.array(z.string()).optional(),
    explain: ExplainNodeSchema.optional(),
  })
  .openapi("CheckResult");

/** The body's subject fields, with `X-Tenant-Id` as the header form of `tenantId`. */
function withTenantHeader<T extends SubjectInput>(c: Context<AppEnv>, body: T): T {
  return { ...body, tenantId: body.tenantId ?? c.req.header("x-tenant-id") };
}

checkRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/check",
    tags: ["check"],
    summary:
      "Can the subject (by default the session's active account) do `permission` on `resource`?",
    request: {
      body: json(
        z.object({
          resource: Resource,
          permission: Permission,
          context: Context_,
          consistency: Consistency,
          explain: z.boolean().optional(),
          ...SubjectFields,
        }),
      ),
    },
    responses: {
      200: {
        description: "the decision",
        content: {
          "application/json": { schema: CheckResultSchema },
        },
      },
      ...problems(400, 401, 403, 503),
    },
  }),
  async (c) => {
    const result = await checkPermission({
      ctx: c.get("ctx"),
      input: withTenantHeader(c, c.req.valid("json")),
    });
    return c.json(
      {
        allowed: result.allowed,
        permissionship: result.permissionship,
        missingContext: result.missingContext,
        checkedAt: result.checkedAt,
        subject: result.subject,
        explain: result.explain,
      },
      200,
    );
  },
);

checkRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/tenants/{tenantId}/check",
    tags: ["check"],
    summary:
      "Can an account of this tenant do `permission` on `resource`? (own account: any member; another: needs manage on the tenant)",
    request: {
      params: z.object({ tenantId: TenantId }),
      body: json(
        z.object({
          accountId: AccountId.optional().openapi({
            description: "the account asked about; the caller's own account when left out",
          }),
          resource: Resource,
          permission: Permission,
          context: Context_,
          consistency: Consistency,
          explain: z.boolean().optional(),
        }),
      ),
    },
    responses: {
      200: {
        description: "the decision",
        content: { "application/json": { schema: CheckResultSchema } },
      },
      ...problems(400, 401, 403, 404, 503),
    },
  }),
  async (c) => {
    const ctx = c.get("ctx");
    const body = c.req.valid("json");
    const subject = await subjectInTenant(ctx, {
      tenantId: c.req.valid("param").tenantId,
      accountId: body.accountId,
    });
    const result = await checkFor(ctx, subject, body);
    return c.json(
      {
        allowed: result.allowed,
        permissionship: result.permissionship,
        missingContext: result.missingContext,
        checkedAt: result.checkedAt,
        subject: subject.subject,
        explain: result.explain,
      },
      200,
    );
  },
);

checkRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/check/bulk",
    tags: ["check"],
    summary: "Many checks for one subject in one request (at most 1,000)",
    request: {
      body: json(
        z.object({
          items: z
            .array(z.object({ resource: Resource, permission: Permission, context: Context_ }))
            .min(1)
            .max(1000),
          consistency: Consistency,
          ...SubjectFields,
        }),
      ),
    },
    responses: {
      200: {
        description: "one result per item, in order",
        content: {
          "application/json": {
            schema: z.object({
              results: z.array(
                z.object({
                  resource: z.string(),
                  permission: z.string(),
                  allowed: z.boolean(),
                  permissionship: Permissionship,
                  missingContext: z.array(z.string()).optional(),
                }),
              ),
              checkedAt: z.string().optional(),
              subject: z.string(),
            }),
          },
        },
      },
      ...problems(400, 401, 403, 503),
    },
  }),
  async (c) =>
    c.json(
      await checkPermissions({
        ctx: c.get("ctx"),
        input: withTenantHeader(c, c.req.valid("json")),
      }),
      200,
    ),
);

checkRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/lookup/resources",
    tags: ["check"],
    summary:
      "Which resources of a type may the subject do `permission` on? (only its tenant's, by the schema)",
    request: {
      body: json(
        z.object({
          resourceType: TypeName,
          permission: Permission,
          context: Context_,
          consistency: Consistency,
          ...SubjectFields,
        }),
      ),
    },
    responses: {
      200: {
        description: "resource ids",
        content: {
          "application/json": {
            schema: z.object({
              resources: z.array(z.string()),
              conditional: z.array(z.string()),
              lookedUpAt: z.string().optional(),
              subject: z.string(),
            }),
          },
        },
      },
      ...problems(400, 401, 403, 503),
    },
  }),
  async (c) =>
    c.json(
      await lookupResources({ ctx: c.get("ctx"), input: withTenantHeader(c, c.req.valid("json")) }),
      200,
    ),
);

checkRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/lookup/subjects",
    tags: ["check"],
    summary: "Which subjects of a type can do `permission` on a resource? (asker must hold it too)",
    request: {
      body: json(
        z.object({
          resource: Resource,
          permission: Permission,
          subjectType: TypeName.openapi({ example: "account" }),
          context: Context_,
          consistency: Consistency,
          ...SubjectFields,
        }),
      ),
    },
    responses: {
      200: {
        description: "subjects",
        content: {
          "application/json": {
            schema: z.object({
              subjects: z.array(
                z.object({
                  id: z.string(),
                  permissionship: z.enum(["has_permission", "conditional"]),
                  excluded: z.array(z.string()).optional(),
                }),
              ),
              lookedUpAt: z.string().optional(),
            }),
          },
        },
      },
      ...problems(400, 401, 403, 503),
    },
  }),
  async (c) =>
    c.json(
      await lookupSubjects({ ctx: c.get("ctx"), input: withTenantHeader(c, c.req.valid("json")) }),
      200,
    ),
);
