import { z } from "@hono/zod-openapi";
import type { ActionContext } from "../action-context.js";
import { hasPermission, requirePermission } from "../authz/permission.js";
import { AppError } from "../lib/errors.js";
import { actingAccount } from "./active-account.js";
import { createInvitation } from "./invitations.js";
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
 * Invites a list of people, one result per row: each row is made as a single invitation is
 * (createInvitation), after the same SpiceDB checks, asked once per role; one bad row does not
 * stop the others. The
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
  const { tenancy, engine } = ctx.services;
  const inviter = await actingAccount(ctx, input.tenantId);
  const query = (role: string) => ({
    resource: `tenant:${input.tenantId}`,
    permission: managePermission(tenancy, role),
    subject: `account:${inviter.id}`,
  });
  // The power over the lowest role: to invite at all.
  await requirePermission(engine, query(tenancy.roleNames.at(-1) as string));
  // The power over each role, asked once per role rather than once per row.
  const mayInvite = new Map<string, Promise<boolean>>();
  const allowed = (role: string) => {
    const known = mayInvite.get(role);
    if (known) return known;
    const answer = hasPermission(engine, query(role));
    mayInvite.set(role, answer);
    return answer;
  };
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
    if (!(await allowed(role))) {
      const { permission } = query(role);
      results.push({
        ...base,
        status: "refused",
        detail: `inviting a ${role} needs ${permission}`,
      });
      continue;
    }
    try {
      const invitation = await createInvitation(ctx, inviter, {
        tenantId: input.tenantId,
        email: address,
        role,
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
