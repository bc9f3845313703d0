import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
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

/** A page of the audit log, oldest first, after `cursor` (an entry id) and not before `since`. */
export async function readAuditRows(
  store: Store,
  filter: {
    tenantId?: string | undefined;
    since?: number | undefined;
    cursor?: string | undefined;
    limit: number;
  },
): Promise<AuditLogTable[]> {
  let query = store.selectFrom("audit_log").selectAll().orderBy("id").limit(filter.limit);
  if (filter.tenantId) query = query.where("tenant_id", "=", filter.tenantId);
  if (filter.since !== undefined) query = query.where("at", ">=", filter.since);
  if (filter.cursor) query = query.where("id", ">", filter.cursor);
  return query.execute();
}
