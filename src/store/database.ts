import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import pg from "pg";
import type { SqliteDatabase } from "../db/sqlite.js";
import * as identity from "./migrations/0001_identity.js";
import * as serviceKeys from "./migrations/0002_service_keys_and_freshness.js";
import * as auditAndRoles from "./migrations/0003_audit_and_roles.js";
import * as invitationRevocation from "./migrations/0004_invitation_revocation.js";
import * as operators from "./migrations/0005_operators.js";
import type { StoreChanges } from "./store-changes.js";
import type { Tables } from "./tables.js";

export type Store = Kysely<Tables>;

/** Versioned migrations of the identity tables, in order; the same files serve both databases. */
const MIGRATIONS: Record<string, Migration> = {
  "0001_identity": identity,
  "0002_service_keys_and_freshness": serviceKeys,
  "0003_audit_and_roles": auditAndRoles,
  "0004_invitation_revocation": invitationRevocation,
  "0005_operators": operators,
};

// Postgres returns int8 as strings; our bigints are unix milliseconds, well within 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew; on the check path that was the largest single
 * cost. The same query shape compiles to the same SQL text, so prepared statements are reused by
 * text (least recently used dropped beyond a bound, for queries with varying IN lists).
 */
function withStatementCache(db: SqliteDatabase) {
  const statements = new Map<string, ReturnType<SqliteDatabase["prepare"]>>();
  return {
    close: () => db.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) statements.delete(sql);
      else statement = db.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > STATEMENT_CACHE_SIZE)
        statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}

/**
 * The identity store: Postgres when DATABASE_URL is set (several replicas share it), otherwise the
 * service's SQLite file. Migrated to the latest version before it is returned.
 */
export async function openStore(options: {
  databaseUrl?: string | undefined;
  sqlite: SqliteDatabase;
  /** Counts this process's writes to the SQLite store (see StoreChanges). */
  changes?: StoreChanges | undefined;
}): Promise<Store> {
  const dialect = options.databaseUrl
    ? new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl, max: 10 }) })
    : new SqliteDialect({ database: withStatementCache(options.sqlite) });
  const store = new Kysely<Tables>({
    dialect,
    plugins: options.changes ? [options.changes] : [],
  });
  const migrator = new Migrator({
    db: store,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: "identity_migrations",
    migrationLockTableName: "identity_migrations_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await store.destroy();
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(`identity migration ${failed ?? ""} failed: ${(error as Error).message}`);
  }
  return store;
}
