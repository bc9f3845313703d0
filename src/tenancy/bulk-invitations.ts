import { z } from "@hono/zod-openapi";
import type { ActionContext } from "../action-context.js";
import { requirePermission } from "../authz/permission.js";
import { AppError } from "../lib/errors.js";
import { actingAccount } from "./active-account.js";
import { inviteMember } from "./invitations.js";
import { managePermission } from "./role-rules.js";

export type BulkStatus = "invited" | "already_member" | "invalid" | "refused";

export interface BulkRowResult {
  email: string;
  role: string;
  status: BulkStatus;
  detail?: string;
  invitation?: { id: string; token: string; expiresAt: number };
}

const email = z.email();

/**
 * Invites a list of people, one result per row: each row goes through the same action (and the
 * same SpiceDB checks) as a single invitation, and one bad row does not stop the others. The
 * caller must be able to invite at all, else the whole request is refused; a row the caller may
 * not make (an owner, for an admin) is `refused`.
 */
export async function inviteMany({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string; invitations: { email: string; role: string }[] };
}): Promise<BulkRowResult[]> {
  const { tenancy } = ctx.services;
  const actor = await actingAccount(ctx, input.tenantId);
  // The power over the lowest role: to invite at all.
  await requirePermission(ctx.services.engine, {
    resource: `tenant:${input.tenantId}`,
    permission: managePermission(tenancy, tenancy.roleNames.at(-1) as string),
    subject: `account:${actor.id}`,
  });
  const results: BulkRowResult[] = [];
  const seen = new Set<string>();
  for (const row of input.invitations) {
    const address = row.email.trim();
    const role = row.role.trim();
    const base = { email: address, role };
    if (!email.safeParse(address).success || address.length > 254) {
      results.push({ ...base, status: "invalid", detail: "not an email address" });
      continue;
    }
    if (!tenancy.roleNames.includes(role)) {
      results.push({
        ...base,
        status: "invalid",
        detail: `role must be one of ${tenancy.roleNames.join(", ")}`,
      });
      continue;
    }
    if (seen.has(address.toLowerCase())) {
      results.push({ ...base, status: "invalid", detail: "listed twice" });
      continue;
    }
    seen.add(address.toLowerCase());
    try {
      const invitation = await inviteMember({
        ctx,
        input: { tenantId: input.tenantId, email: address, role },
      });
      results.push({
        ...base,
        email: invitation.email,
        status: "invited",
        invitation: { id: invitation.id, token: invitation.token, expiresAt: invitation.expiresAt },
      });
    } catch (error) {
      // An outage (503) or anything unexpected stops the run; what was invited stays invited.
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      results.push({
        ...base,
        status: error.code === "already_member" ? "already_member" : "refused",
        detail: error.message,
      });
    }
  }
  return results;
}
