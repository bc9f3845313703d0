import { z } from "@hono/zod-openapi";
import { isoTime } from "../http/schemas.js";
import type { PendingInvitation } from "./store.js";

/** The tenancy domain's request and response shapes. */

export const MembershipRoleSchema = z.enum(["owner", "admin", "member"]);

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
