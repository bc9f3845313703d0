import { createRoute, z } from "@hono/zod-openapi";
import { userJson } from "../auth/routes.js";
import { userActionContext } from "../http/action-context.js";
import { requireUser } from "../http/actor.js";
import { createRouter } from "../http/router.js";
import {
  AccountId,
  Email,
  isoTime,
  json,
  MembershipRoleSchema,
  problems,
  TenantId,
  UserSchema,
} from "../http/schemas.js";
import { isOperator } from "../operator/store.js";
import { confirmActiveAccount, switchActiveTenant } from "./active-account.js";
import { inviteMany } from "./bulk-invitations.js";
import { createTenant } from "./create-tenant.js";
import {
  acceptInvitation,
  inviteMember,
  listInvitations,
  revokeInvitation,
} from "./invitations.js";
import { changeMemberRole, listMembers, removeMember } from "./members.js";
import { membershipRoles } from "./membership.js";
import { listUserAccounts } from "./store.js";

export const tenancyRoutes = createRouter();

const ActiveAccount = z.object({ id: z.string(), tenantId: z.string() }).openapi("ActiveAccount");

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
                  tenant: z.object({ id: z.string(), name: z.string() }),
                  roles: z.array(MembershipRoleSchema),
                }),
              ),
              expiresAt: z.string(),
              operator: z.boolean().openapi({
                description: "an operator of this installation (the console's instance view)",
              }),
              viewAs: z
                .object({
                  id: z.string(),
                  accountId: z.string(),
                  tenantId: z.string(),
                  reason: z.string(),
                  expiresAt: z.string(),
                })
                .nullable()
                .openapi({ description: "set while an operator views read-only as this account" }),
            }),
          },
        },
      },
      ...problems(401),
    },
  }),
  async (c) => {
    const actor = requireUser(c);
    const services = c.get("services");
    const { viewAs } = actor;
    const [active, allAccounts, operator] = await Promise.all([
      confirmActiveAccount(services, actor.user.id, actor.session.activeAccountId),
      listUserAccounts(services.store, actor.user.id),
      viewAs ? false : isOperator(services.store, actor.user.id),
    ]);
    // Viewing as an account shows that account's tenant only.
    const accounts = viewAs ? allAccounts.filter((a) => a.id === viewAs.accountId) : allAccounts;
    const withRoles = await Promise.all(
      accounts.map(async (a) => ({
        id: a.id,
        tenant: { id: a.tenantId, name: a.tenantName },
        roles: (await membershipRoles(services.engine, a.tenantId, a.id)).get(a.id) ?? [],
      })),
    );
    return c.json(
      {
        user: userJson(actor.user),
        activeAccount: active ? { id: active.id, tenantId: active.tenantId } : null,
        accounts: withRoles.filter((a) => a.roles.length > 0),
        expiresAt: isoTime(actor.session.expiresAt),
        operator,
        viewAs: viewAs
          ? {
              id: viewAs.id,
              accountId: viewAs.accountId,
              tenantId: viewAs.tenantId,
              reason: viewAs.reason,
              expiresAt: isoTime(viewAs.expiresAt),
            }
          : null,
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
      ctx: userActionContext(c),
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
    const result = await createTenant({ ctx: userActionContext(c), input: c.req.valid("json") });
    return c.json({ tenant: result.tenant, account: { id: result.accountId } }, 201);
  },
);

const TenantParams = z.object({ tenantId: TenantId });
const MemberParams = z.object({ tenantId: TenantId, accountId: AccountId });
const Member = z
  .object({
    accountId: z.string(),
    userId: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    since: z.string().openapi({ description: "when the account joined the tenant" }),
    roles: z.array(MembershipRoleSchema),
  })
  .openapi("Member");

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
    const members = await listMembers({ ctx: userActionContext(c), input: c.req.valid("param") });
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
      ctx: userActionContext(c),
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
      ctx: userActionContext(c),
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

const Invitation = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.string(),
    invitedBy: z.string().openapi({ description: "the inviting account" }),
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .openapi("Invitation");
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
      ctx: userActionContext(c),
      input: c.req.valid("param"),
    });
    return c.json(
      {
        invitations: pending.map((i) => ({
          id: i.id,
          email: i.email,
          role: i.role,
          invitedBy: i.invitedByAccountId,
          createdAt: isoTime(i.createdAt),
          expiresAt: isoTime(i.expiresAt),
        })),
      },
      200,
    );
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
    await revokeInvitation({ ctx: userActionContext(c), input: c.req.valid("param") });
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
        account: await acceptInvitation({ ctx: userActionContext(c), input: c.req.valid("json") }),
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
        ctx: userActionContext(c),
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
    await removeMember({ ctx: userActionContext(c), input: c.req.valid("param") });
    return c.body(null, 204);
  },
);
