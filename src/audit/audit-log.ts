import type { ActionContext } from "../action-context.js";
import { requirePermission } from "../authz/permission.js";
import type { Store } from "../data/database.js";
import type { AuditLogTable } from "../data/tables.js";
import { actingAccount } from "../tenancy/active-account.js";
import { readAuditRows } from "./store.js";

export interface AuditEntry {
  id: string;
  tenantId: string | null;
  at: string;
  actor: { type: string; id: string; accountId: string | null };
  ip: string | null;
  action: string;
  updates: unknown;
  zedtoken: string | null;
}

export function toAuditEntry(row: AuditLogTable): AuditEntry {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    at: new Date(row.at).toISOString(),
    actor: { type: row.actor_type, id: row.actor_id, accountId: row.account_id },
    ip: row.ip,
    action: row.action,
    updates: JSON.parse(row.updates),
    zedtoken: row.zedtoken,
  };
}

/** A page of the audit log, oldest first, after `cursor` (an entry id) and not before `since`. */
export async function readAuditLog(
  store: Store,
  filter: Parameters<typeof readAuditRows>[1],
): Promise<AuditEntry[]> {
  return (await readAuditRows(store, filter)).map(toAuditEntry);
}

/** A page of one tenant's audit log, for accounts with view_audit on it. */
export async function readTenantAudit({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: {
    tenantId: string;
    since?: number | undefined;
    cursor?: string | undefined;
    limit: number;
  };
}): Promise<{ entries: AuditEntry[]; nextCursor: string | undefined }> {
  const actor = await actingAccount(ctx, input.tenantId);
  await requirePermission(ctx.services.engine, {
    resource: `tenant:${input.tenantId}`,
    permission: ctx.services.tenancy.tenant.permissions.readAudit,
    subject: `account:${actor.id}`,
  });
  const entries = await readAuditLog(ctx.services.store, input);
  return { entries, nextCursor: entries.length === input.limit ? entries.at(-1)?.id : undefined };
}
