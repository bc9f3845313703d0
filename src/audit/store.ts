import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from "kysely";
import type { Store } from "../data/database.js";
import type { AuditLogTable, Tables } from "../data/tables.js";

/**
 * The audit log's queries. Append-only: nothing here updates or deletes a row. Rows are appended
 * in the same transaction as the change they record, by whichever layer commits it.
 */

const insert = (store: Store, row: AuditLogTable) => store.insertInto("audit_log").values(row);

export async function appendAuditRow(store: Store, row: AuditLogTable): Promise<void> {
  await insert(store, row).execute();
}

/** Builds SQLite statements without a connection (Kysely's documented compile-only setup). */
const sqliteCompiler = new Kysely<Tables>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/**
 * The same append as a SQLite statement, for the embedded engine's durable copy, which commits a
 * change and its audit row in one synchronous SQLite transaction.
 */
export function auditRowInsert(row: AuditLogTable): CompiledQuery {
  return insert(sqliteCompiler, row).compile();
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
export async function readAuditRows(store: Store, filter: AuditFilter): Promise<AuditLogTable[]> {
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
  return query.execute();
}
