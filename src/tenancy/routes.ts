import { createRoute, z } from "@hono/zod-openapi";
import { UserSchema, userJson } from "../auth/schemas.js";
import { createRouter } from "../http/router.js";
import { AccountId, Email, isoTime, json, problems, TenantId } from "../http/schemas.js";
import { ViewAsSchema, viewAsJson } from "../operator/schemas.js";
import { switchActiveTenant } from "./active-account.js";
import { inviteMany } from "./bulk-invitations.js";
import { createTenant } from "./create-tenant.js";
import {
  acceptInvitation,
  inviteMember,
  listInvitations,
  revokeInvitation,
} from "./invitations.js";
import { changeMemberRole, listMembers, removeMember } from "./members.js";
import {
  ActiveAccount,
  Invitation,
  invitationJson,
  Member,
  MembershipRoleSchema,
} from "./schemas.js";
import { describeSession } from "./session-view.js";
import { describeTenancy } from "./tenancy-view.js";

export const tenancyRoutes = createRouter();

tenancyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/session",
    tags: ["sessions"],
    summary: "The current session: user, active account and every account the user has",
    responses: {
      200: {
        description: "session",
        content: {
          "application/json": {
            schema: z.object({
              user: UserSchema,
              activeAccount: ActiveAccount.nullable(),
              accounts: z.array(
                z.object({
                  id: z.string(),
                  tenant: z.object({
                    id: z.string(),
                    name: z.string(),
                    kind: z.enum(["personal", "sandbox"]).nullable().openapi({
                      description: "the user's personal workspace, the shared sandbox, or null",
                    }),
                  }),
                  roles: z.array(MembershipRoleSchema),
                }),
              ),
              expiresAt: z.string(),
              operator: z.boolean().openapi({
                description: "an operator of this installation (the console's instance view)",
              }),
              viewAs: ViewAsSchema.nullable().openapi({
                description: "set while an operator views read-only as this account",
              }),
            }),
          },
        },
      },
      ...problems(401),
    },
  }),
  async (c) => {
    const view = await describeSession({ ctx: c.get("ctx") });
    const { viewAs } = view;
    return c.json(
      {
        user: userJson(view.user),
        activeAccount: view.activeAccount,
        accounts: view.accounts,
        expiresAt: isoTime(view.expiresAt),
        operator: view.operator,
        viewAs: viewAs ? viewAsJson(viewAs) : null,
      },
      200,
    );
  },
);

tenancyRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/session/active-tenant",
    tags: ["sessions"],
    summary: "Switch the session's active tenant (no new sign-in)",
    request: { body: json(z.object({ tenantId: TenantId })) },
    responses: {
      200: {
        description: "switched",
        content: { "application/json": { schema: z.object({ activeAccount: ActiveAccount }) } },
      },
      ...problems(400, 401, 403),
    },
  }),
  async (c) => {
    const account = await switchActiveTenant({
      ctx: c.get("ctx"),
      input: c.req.valid("json"),
    });
    return c.json({ activeAccount: { id: account.id, tenantId: account.tenantId } }, 200);
  },
);

tenancyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/tenants",
    tags: ["tenants"],
    summary: "Create a tenant; the creator's new account is its owner and becomes active",
    request: {
      body: json(
        z.object({ name: z.string().trim().min(1).max(200).openapi({ example: "Acme" }) }),
      ),
    },
    responses: {
      201: {
        description: "created",
        content: {
          "application/json": {
            schema: z.object({
              tenant: z.object({ id: z.string(), name: z.string() }),
              account: z.object({ id: z.string() }),
            }),
          },
        },
      },
      ...problems(400, 401, 503),
    },
  }),
  async (c) => {
    const result = await createTenant({ ctx: c.get("ctx"), input: c.req.valid("json") });
    return c.json({ tenant: result.tenant, account: { id: result.accountId } }, 201);
  },
);

const TenantParams = z.object({ tenantId: TenantId });
const MemberParams = z.object({ tenantId: TenantId, accountId: AccountId });

tenancyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenants/{tenantId}/members",
    tags: ["tenants"],
    summary: "List a tenant's members (needs view_members on the tenant)",
    request: { params: TenantParams },
    responses: {
      200: {
        description: "members",
        content: { "application/json": { schema: z.object({ members: z.array(Member) }) } },
      },
      ...problems(400, 401, 403),
    },
  }),
  async (c) => {
    const members = await listMembers({ ctx: c.get("ctx"), input: c.req.valid("param") });
    return c.json({ members: members.map((m) => ({ ...m, since: isoTime(m.since) })) }, 200);
  },
);

tenancyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/tenants/{tenantId}/invitations",
    tags: ["tenants"],
    summary:
      "Invite an email with a membership role (needs manage_members; manage_owners for owner)",
    request: {
      params: TenantParams,
      body: json(z.object({ email: Email, role: MembershipRoleSchema })),
    },
    responses: {
      201: {
        description: "invited; the token is shown only here",
        content: {
          "application/json": {
            schema: z.object({
              invitation: z.object({
                id: z.string(),
                token: z.string(),
                email: z.string(),
                role: MembershipRoleSchema,
                expiresAt: z.string(),
              }),
            }),
          },
        },
      },
      ...problems(400, 401, 403, 409),
    },
  }),
  async (c) => {
    const invitation = await inviteMember({
      ctx: c.get("ctx"),
      input: { ...c.req.valid("param"), ...c.req.valid("json") },
    });
    return c.json({ invitation: { ...invitation, expiresAt: isoTime(invitation.expiresAt) } }, 201);
  },
);

tenancyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/tenants/{tenantId}/invitations/bulk",
    tags: ["tenants"],
    summary: "Invite many at once, one result per row (needs manage_members)",
    description:
      "Each row is invited as by the single route; a bad row does not stop the others. Statuses: invited (with the token, shown only here), already_member, invalid (address or role), refused (e.g. an owner without manage_owners).",
    request: {
      params: TenantParams,
      body: json(
        z.object({
          invitations: z
            .array(z.object({ email: z.string().max(1000), role: z.string().max(100) }))
            .min(1)
            .max(200),
        }),
      ),
    },
    responses: {
      200: {
        description: "one result per row, in order",
        content: {
          "application/json": {
            schema: z.object({
              results: z.array(
                z.object({
                  email: z.string(),
                  role: z.string(),
                  status: z.enum(["invited", "already_member", "invalid", "refused"]),
                  detail: z.string().optional(),
                  invitation: z
                    .object({ id: z.string(), token: z.string(), expiresAt: z.string() })
                    .optional(),
                }),
              ),
            }),
          },
        },
      },
      ...problems(400, 401, 403, 503),
    },
  }),
  async (c) => {
    const results = await inviteMany({
      ctx: c.get("ctx"),
      input: { ...c.req.valid("param"), ...c.req.valid("json") },
    });
    return c.json(
      {
        results: results.map(({ invitation, ...row }) => ({
          ...row,
          ...(invitation
            ? { invitation: { ...invitation, expiresAt: isoTime(invitation.expiresAt) } }
            : {}),
        })),
      },
      200,
    );
  },
);

const InvitationParams = z.object({
  tenantId: TenantId,
  invitationId: z
    .string()
    .regex(/^inv_[a-z2-7]{24}$/, { message: "expected an invitation id like inv_…" }),
});

tenancyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenants/{tenantId}/invitations",
    tags: ["tenants"],
    summary: "The tenant's pending invitations (needs manage_members)",
    request: { params: TenantParams },
    responses: {
      200: {
        description: "pending invitations, oldest first",
        content: {
          "application/json": { schema: z.object({ invitations: z.array(Invitation) }) },
        },
      },
      ...problems(400, 401, 403),
    },
  }),
  async (c) => {
    const pending = await listInvitations({
      ctx: c.get("ctx"),
      input: c.req.valid("param"),
    });
    return c.json({ invitations: pending.map(invitationJson) }, 200);
  },
);

tenancyRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/tenants/{tenantId}/invitations/{invitationId}",
    tags: ["tenants"],
    summary: "Revoke a pending invitation (owner invitations need manage_owners)",
    request: { params: InvitationParams },
    responses: { 204: { description: "revoked" }, ...problems(400, 401, 403, 404) },
  }),
  async (c) => {
    await revokeInvitation({ ctx: c.get("ctx"), input: c.req.valid("param") });
    return c.body(null, 204);
  },
);

tenancyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/invitations/accept",
    tags: ["tenants"],
    summary: "Accept an invitation as the invited (signed-in) user; the new account becomes active",
    request: { body: json(z.object({ token: z.string().min(1).max(200) })) },
    responses: {
      200: {
        description: "accepted",
        content: { "application/json": { schema: z.object({ account: ActiveAccount }) } },
      },
      ...problems(400, 401, 403, 404, 409, 410),
    },
  }),
  async (c) =>
    c.json(
      {
        account: await acceptInvitation({ ctx: c.get("ctx"), input: c.req.valid("json") }),
      },
      200,
    ),
);

tenancyRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/tenants/{tenantId}/members/{accountId}",
    tags: ["tenants"],
    summary: "Change a member's role (the last owner cannot be demoted)",
    request: { params: MemberParams, body: json(z.object({ role: MembershipRoleSchema })) },
    responses: {
      200: {
        description: "changed",
        content: {
          "application/json": {
            schema: z.object({ accountId: z.string(), roles: z.array(MembershipRoleSchema) }),
          },
        },
      },
      ...problems(400, 401, 403, 404, 409),
    },
  }),
  async (c) =>
    c.json(
      await changeMemberRole({
        ctx: c.get("ctx"),
        input: { ...c.req.valid("param"), ...c.req.valid("json") },
      }),
      200,
    ),
);

tenancyRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/tenants/{tenantId}/members/{accountId}",
    tags: ["tenants"],
    summary: "Remove a member; revocation is immediate (the last owner cannot be removed)",
    request: { params: MemberParams },
    responses: { 204: { description: "removed" }, ...problems(400, 401, 403, 404, 409) },
  }),
  async (c) => {
    await removeMember({ ctx: c.get("ctx"), input: c.req.valid("param") });
    return c.body(null, 204);
  },
);

tenancyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenancy",
    tags: ["tenants"],
    summary:
      "The tenancy model: role names (highest first), guest, custom role grants, installation",
    responses: {
      200: {
        description: "the model tenancy.yaml configures",
        content: {
          "application/json": {
            schema: z
              .object({
                roles: z.array(z.string()),
                guest: z.string().nullable(),
                creatorRole: z.string(),
                customRoles: z.object({ grants: z.array(z.string()) }).nullable(),
                installation: z.object({
                  types: z.array(z.string()),
                  userAttributes: z.array(z.string()),
                }),
                personalWorkspace: z.enum(["off", "personal", "sandbox"]),
                permissions: z
                  .object({
                    viewMembers: z.string(),
                    readAudit: z.string(),
                    manageRoles: z.string(),
                    linkObjects: z.string(),
                    askAboutMembers: z.string(),
                    invite: z.string(),
                    manageRole: z.record(z.string(), z.string()),
                  })
                  .openapi({
                    description:
                      "the tenant permission behind each administrative power (compare with GET /v1/tenants/{id}/permissions); invite: the power over the lowest role; manageRole: the power to give or take each role",
                  }),
              })
              .openapi("Tenancy"),
          },
        },
      },
      ...problems(401),
    },
  }),
  async (c) => c.json(await describeTenancy({ ctx: c.get("ctx") }), 200),
);
