import { z } from "@hono/zod-openapi";
import { isoTime } from "../http/schemas.js";
import type { PendingInvitation } from "./store.js";

/** The tenancy domain's request and response shapes. */

/** A role of the tenancy configuration (tenancy.yaml); the actions check which. */
export const MembershipRoleSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,62}[a-z0-9]$/, { message: "expected a role name like member" })
  .openapi({ example: "member" });

export const ActiveAccount = z
  .object({ id: z.string(), tenantId: z.string() })
  .openapi("ActiveAccount");

export const Member = z
  .object({
    accountId: z.string(),
    userId: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    roles: z.array(MembershipRoleSchema),
    guest: z
      .boolean()
      .openapi({ description: "an outside collaborator: no role, explicit grants only" }),
    since: z.string(),
  })
  .openapi("Member");

export const Invitation = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.string(),
    invitedBy: z.string().openapi({ description: "the inviting account" }),
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .openapi("Invitation");

export const invitationJson = (i: PendingInvitation) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  invitedBy: i.invitedByAccountId,
  createdAt: isoTime(i.createdAt),
  expiresAt: isoTime(i.expiresAt),
});
