import type { Store } from "../store/database.js";
import type { AuditLogTable } from "../store/tables.js";

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
  filter: {
    tenantId?: string | undefined;
    since?: number | undefined;
    cursor?: string | undefined;
    limit: number;
  },
): Promise<AuditEntry[]> {
  let query = store.selectFrom("audit_log").selectAll().orderBy("id").limit(filter.limit);
  if (filter.tenantId) query = query.where("tenant_id", "=", filter.tenantId);
  if (filter.since !== undefined) query = query.where("at", ">=", filter.since);
  if (filter.cursor) query = query.where("id", ">", filter.cursor);
  return (await query.execute()).map(toAuditEntry);
}

/** Appends a row to the audit log (changes that are not engine writes: invitations). */
export async function appendAuditRow(store: Store, row: AuditLogTable): Promise<void> {
  await store.insertInto("audit_log").values(row).execute();
}
