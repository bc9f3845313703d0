import { sql } from "kysely";
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

export interface AuditFilter {
  tenantId?: string | undefined;
  /** Not before / before these unix milliseconds. */
  since?: number | undefined;
  until?: number | undefined;
  /** A user, account or service key id: entries it made. */
  actor?: string | undefined;
  /** An object (`project:p1`) or any text the entry's updates contain. */
  object?: string | undefined;
  /** An entry id: the page continues after it (before it, newest first). */
  cursor?: string | undefined;
  /** Oldest first (default) or newest first. */
  order?: "asc" | "desc" | undefined;
  limit: number;
}

/** `text` matched literally inside a LIKE pattern (both SQLite and Postgres honour ESCAPE). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A page of the audit log by id (which sorts by time), filtered. */
export async function readAuditLog(store: Store, filter: AuditFilter): Promise<AuditEntry[]> {
  const desc = filter.order === "desc";
  let query = store
    .selectFrom("audit_log")
    .selectAll()
    .orderBy("id", desc ? "desc" : "asc")
    .limit(filter.limit);
  if (filter.tenantId) query = query.where("tenant_id", "=", filter.tenantId);
  if (filter.since !== undefined) query = query.where("at", ">=", filter.since);
  if (filter.until !== undefined) query = query.where("at", "<", filter.until);
  if (filter.cursor) query = query.where("id", desc ? "<" : ">", filter.cursor);
  const { actor, object } = filter;
  if (actor)
    query = query.where((eb) => eb.or([eb("actor_id", "=", actor), eb("account_id", "=", actor)]));
  if (object)
    query = query.where(sql<boolean>`updates like ${`%${likeLiteral(object)}%`} escape '\\'`);
  return (await query.execute()).map(toAuditEntry);
}

/** Appends a row to the audit log (changes that are not engine writes: invitations). */
export async function appendAuditRow(store: Store, row: AuditLogTable): Promise<void> {
  await store.insertInto("audit_log").values(row).execute();
}
