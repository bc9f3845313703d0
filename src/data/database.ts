import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { type Holding, migrate } from "./migrate.js";
import type { SqliteDatabase } from "./sqlite.js";
import type { StoreChanges } from "./store-changes.js";
import type { Tables } from "./tables.js";

export type Store = Kysely<Tables>;

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
 * service's SQLite file. Migrated to the latest version before it is returned (the SQLite file
 * also to its engine tables: it holds both).
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
  try {
    await migrate(
      store as unknown as Kysely<unknown>,
      options.databaseUrl ? "postgres" : "sqlite",
      options.databaseUrl ? ["identity"] : ["engine", "identity"],
    );
  } catch (error) {
    await store.destroy();
    throw error;
  }
  return store;
}

/** Brings a SQLite file to the latest version of what it holds (without an identity store). */
export async function migrateSqlite(db: SqliteDatabase, holds: readonly Holding[]): Promise<void> {
  // Not destroyed: that would close the database, which stays its caller's.
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) });
  await migrate(kysely, "sqlite", holds);
}
