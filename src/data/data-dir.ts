import { existsSync } from "node:fs";
import { join } from "node:path";
import { DurableEngine } from "../authz/durable-engine.js";
import type { AuthzEngine } from "../authz/engine.js";
import { RelationshipStore } from "../authz/relationship-store.js";
import { RemoteEngine } from "../authz/remote-engine.js";
import type { Config } from "../config.js";
import type { Logger } from "../lib/logger.js";
import { lockDataDir } from "./data-dir-lock.js";
import { migrateSqlite, openStore, type Store } from "./database.js";
import { openSqlite, type SqliteDatabase } from "./sqlite.js";
import { StoreChanges } from "./store-changes.js";

/** The SQLite file of a data dir: the engine's durable copy, and the identity store by default. */
export const DATA_FILE = "tenantgate.sqlite";

export interface DataDir {
  /** The data dir's SQLite file. */
  db: SqliteDatabase;
  /** Identity data: the SQLite file, or Postgres when DATABASE_URL is set. */
  store: Store;
  /** Counts this process's writes to a SQLite store; undefined with Postgres (see StoreChanges). */
  changes: StoreChanges | undefined;
  /** The authorization engine: SpiceDB embedded (durable in the SQLite file) or a remote one. */
  engine: AuthzEngine;
  /** The same engine when it is the embedded one (it knows every expiration; it keeps audit rows). */
  embedded: DurableEngine | undefined;
  close(): Promise<void>;
}

/** Undoes, last first, what an opener has done so far. */
class Undo {
  private readonly steps: (() => unknown)[] = [];
  push(step: () => unknown): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.reverse()) await step();
  }
}

async function opened<T>(undo: Undo, open: (undo: Undo) => Promise<T>): Promise<T> {
  try {
    return await open(undo);
  } catch (error) {
    await undo.run();
    throw error;
  }
}

/**
 * Opens everything the service runs on, in order: the data dir lock (embedded mode: a second
 * process on the same relationships would drift apart), the SQLite file and the identity store
 * (both migrated), then the engine (embedded: loads every stored relationship). The one place
 * that does; `serve`, the CLI commands that act on a data dir, and tests go through it.
 */
export function openDataDir(config: Config, logger: Logger, purpose: string): Promise<DataDir> {
  const undo = new Undo();
  return opened(undo, async () => {
    if (!config.SPICEDB_ENDPOINT) undo.push(lockDataDir(config.DATA_DIR, purpose));
    const db = openSqlite(join(config.DATA_DIR, DATA_FILE));
    undo.push(() => db.close());
    // With SQLite this process sees every change to the store, so sessions can be cached.
    const changes = config.DATABASE_URL ? undefined : new StoreChanges(db);
    const store = await openStore({ databaseUrl: config.DATABASE_URL, sqlite: db, changes });
    undo.push(() => store.destroy());
    if (config.DATABASE_URL) await migrateSqlite(db, ["engine"]);
    let embedded: DurableEngine | undefined;
    let engine: AuthzEngine;
    if (config.SPICEDB_ENDPOINT) {
      logger.info(
        { endpoint: config.SPICEDB_ENDPOINT, insecure: config.SPICEDB_INSECURE },
        "using remote SpiceDB",
      );
      engine = new RemoteEngine({
        endpoint: config.SPICEDB_ENDPOINT,
        presharedKey: config.SPICEDB_PRESHARED_KEY ?? "",
        insecure: config.SPICEDB_INSECURE,
        caFile: config.SPICEDB_CA_FILE,
        timeoutMs: config.SPICEDB_TIMEOUT_MS,
      });
    } else {
      embedded = await DurableEngine.open(new RelationshipStore(db), logger, {
        auditHere: config.DATABASE_URL === undefined,
        readTimeoutMs: config.SPICEDB_TIMEOUT_MS,
      });
      engine = embedded;
    }
    undo.push(() => engine.close());
    return { db, store, changes, engine, embedded, close: () => undo.run() };
  });
}

/**
 * Only the identity store, without the lock or the engine: users, service keys and the audit log
 * live there, so their commands work while a server runs on the same data dir (SQLite in WAL
 * mode takes the second writer) or against the shared Postgres.
 */
export function openIdentityStore(
  config: Config,
): Promise<{ store: Store; close(): Promise<void> }> {
  const undo = new Undo();
  return opened(undo, async () => {
    const db = openSqlite(join(config.DATA_DIR, DATA_FILE));
    undo.push(() => db.close());
    const store = await openStore({ databaseUrl: config.DATABASE_URL, sqlite: db });
    undo.push(() => store.destroy());
    return { store, close: () => undo.run() };
  });
}

/** A data dir that must already exist was not found. */
export class NotADataDirError extends Error {
  override name = "NotADataDirError";
}

/**
 * A directory holding only an embedded engine and its durable copy in `file`: the development
 * SpiceDB server's (`spicedb.sqlite`), or a data dir whose schema is applied while no server runs.
 */
export function openEmbeddedDir(options: {
  dir: string;
  file: string;
  purpose: string;
  logger?: Logger | undefined;
  /** Refuse a directory without the file instead of starting an empty one. */
  mustExist?: boolean;
}): Promise<{ db: SqliteDatabase; engine: DurableEngine; close(): Promise<void> }> {
  const undo = new Undo();
  return opened(undo, async () => {
    const path = join(options.dir, options.file);
    if (options.mustExist && !existsSync(path)) {
      throw new NotADataDirError(
        `${options.dir} is not a tenantgate data dir: it has no ${options.file}`,
      );
    }
    undo.push(lockDataDir(options.dir, options.purpose));
    const db = openSqlite(path);
    undo.push(() => db.close());
    await migrateSqlite(db, ["engine"]);
    const engine = await DurableEngine.open(new RelationshipStore(db), options.logger);
    undo.push(() => engine.close());
    return { db, engine, close: () => undo.run() };
  });
}
