import { join } from "node:path";
import type { Config } from "../config.js";
import { openDatabase } from "../db/sqlite.js";
import { openStore, type Store } from "../store/database.js";

/**
 * Users, service keys and the audit log live in the identity store only, so their commands open
 * that store and not the engine: they work while a server runs on the same data dir (SQLite in WAL mode takes
 * the second writer) or against the shared Postgres.
 */
export async function withStore<T>(config: Config, run: (store: Store) => Promise<T>): Promise<T> {
  const db = openDatabase(join(config.DATA_DIR, "tenantgate.sqlite"));
  const store = await openStore({ databaseUrl: config.DATABASE_URL, sqlite: db });
  try {
    return await run(store);
  } finally {
    await store.destroy();
    db.close();
  }
}
