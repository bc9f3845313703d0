import type { ActionContext } from "../action-context.js";
import { requirePermission } from "../authz/permission.js";
import { actingAccount } from "../tenancy/active-account.js";
import { type AuditEntry, allAuditEntries, readAuditLog } from "./audit-log.js";
import type { AuditFilter } from "./store.js";

export type TenantAuditQuery = Omit<AuditFilter, "tenantId"> & { tenantId: string };

/** The caller's account in the tenant must have the tenancy model's readAudit permission on it. */
async function requireAuditReader(ctx: ActionContext, tenantId: string): Promise<void> {
  const account = await actingAccount(ctx, tenantId);
  await requirePermission(ctx.services.engine, {
    resource: `tenant:${tenantId}`,
    permission: ctx.services.tenancy.tenant.permissions.readAudit,
    subject: `account:${account.id}`,
  });
}

/** A page of the tenant's audit log, for accounts that may read it. */
export async function readTenantAudit({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: TenantAuditQuery;
}): Promise<{ entries: AuditEntry[]; nextCursor: string | undefined }> {
  await requireAuditReader(ctx, input.tenantId);
  const entries = await readAuditLog(ctx.services.store, input);
  return {
    entries,
    nextCursor: entries.length === input.limit ? entries.at(-1)?.id : undefined,
  };
}

/**
 * Every entry of the tenant's log matching the filter, oldest first, for accounts that may read
 * it: refused here, before anything is read, or handed over to be read a page at a time.
 */
export async function exportTenantAudit({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: Omit<TenantAuditQuery, "limit" | "cursor" | "order">;
}): Promise<AsyncIterable<AuditEntry>> {
  await requireAuditReader(ctx, input.tenantId);
  return allAuditEntries(ctx.services.store, input);
}
