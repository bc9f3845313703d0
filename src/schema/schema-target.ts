import { existsSync } from "node:fs";
import { join } from "node:path";
import { DurableEngine } from "../authz/durable-engine.js";
import type { AuthzEngine } from "../authz/engine.js";
import { RelationshipStore } from "../authz/relationship-store.js";
import { RemoteEngine } from "../authz/remote-engine.js";
import { openDatabase, type SqliteDatabase } from "../db/sqlite.js";
import { DataDirLockedError, lockDataDir } from "../lib/data-dir-lock.js";

/** Where the deployed schema lives: a SpiceDB gRPC endpoint, or a tenantgate data dir. */
export type SchemaTargetSpec =
  | {
      endpoint: string;
      presharedKey: string;
      insecure: boolean;
      caFile?: string | undefined;
    }
  | { dataDir: string };

export interface SchemaTarget {
  engine: AuthzEngine;
  /** `spicedb.internal:50051` or `data dir ./data`, for messages. */
  name: string;
  close(): Promise<void>;
}

/** The target cannot be used at all (no such data dir, locked by a server): exit 2. */
export class UnusableTargetError extends Error {
  override name = "UnusableTargetError";
}

// A schema write makes SpiceDB look for relationships under whatever it removes; on a large
// datastore that takes longer than a request of the service would be allowed.
const REMOTE_TIMEOUT_MS = 60_000;

/**
 * Opens the engine holding the deployed schema. A data dir is opened as `serve` opens it (the
 * data dir lock, SQLite, the embedded engine loaded with every stored relationship), so that
 * the check and the write see exactly what the service would; a write goes through
 * DurableEngine, which stores the schema as well.
 */
export async function openSchemaTarget(
  spec: SchemaTargetSpec,
  purpose: string,
): Promise<SchemaTarget> {
  if ("endpoint" in spec) {
    const engine = new RemoteEngine({ ...spec, timeoutMs: REMOTE_TIMEOUT_MS });
    return { engine, name: spec.endpoint, close: () => engine.close() };
  }
  const { dataDir } = spec;
  const file = join(dataDir, "tenantgate.sqlite");
  if (!existsSync(file)) {
    throw new UnusableTargetError(
      `${dataDir} is not a tenantgate data dir: it has no tenantgate.sqlite`,
    );
  }
  let unlock: () => void;
  try {
    unlock = lockDataDir(dataDir, purpose);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    throw new UnusableTargetError(
      `${error.message}\n  ${purpose} needs the data dir to itself: stop the server first. A SpiceDB that serves gRPC (a cluster, or \`tenantgate spicedb serve\`) can be compared while it runs, with --against HOST:PORT.`,
    );
  }
  let db: SqliteDatabase | undefined;
  try {
    db = openDatabase(file);
    const engine = await DurableEngine.open(new RelationshipStore(db));
    const opened = db;
    return {
      engine,
      name: `data dir ${dataDir}`,
      async close() {
        await engine.close();
        opened.close();
        unlock();
      },
    };
  } catch (error) {
    db?.close();
    unlock();
    throw error;
  }
}
