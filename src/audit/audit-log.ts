import type { Store } from "../data/database.js";
import type { AuditLogTable } from "../data/tables.js";
import { type AuditFilter, readAuditRows } from "./store.js";

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

function toAuditEntry(row: AuditLogTable): AuditEntry {
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

/** A page of the audit log, filtered (see AuditFilter). */
export async function readAuditLog(store: Store, filter: AuditFilter): Promise<AuditEntry[]> {
  return (await readAuditRows(store, filter)).map(toAuditEntry);
}

const PAGE = 1000;

/** Every entry matching the filter, oldest first, read a page at a time. */
export async function* allAuditEntries(
  store: Store,
  filter: Omit<AuditFilter, "cursor" | "limit" | "order">,
): AsyncGenerator<AuditEntry> {
  let cursor: string | undefined;
  for (;;) {
    const page = await readAuditLog(store, { ...filter, cursor, order: "asc", limit: PAGE });
    yield* page;
    if (page.length < PAGE) return;
    cursor = page.at(-1)?.id;
  }
}
