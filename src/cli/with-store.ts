import type { Config } from "../config.js";
import { openIdentityStore } from "../data/data-dir.js";
import type { Store } from "../data/database.js";

/**
 * Runs a command on the identity store alone (users, service keys and the audit log live there),
 * so that it works while a server runs on the same data dir or against the shared Postgres.
 */
export async function withStore<T>(config: Config, run: (store: Store) => Promise<T>): Promise<T> {
  const { store, close } = await openIdentityStore(config);
  try {
    return await run(store);
  } finally {
    await close();
  }
}
