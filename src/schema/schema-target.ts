import type { AuthzEngine } from "../authz/engine.js";
import { RemoteEngine } from "../authz/remote-engine.js";
import { DATA_FILE, NotADataDirError, openEmbeddedDir } from "../data/data-dir.js";
import { DataDirLockedError } from "../data/data-dir-lock.js";

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
  try {
    const { engine, close } = await openEmbeddedDir({
      dir: spec.dataDir,
      file: DATA_FILE,
      purpose,
      mustExist: true,
    });
    return { engine, name: `data dir ${spec.dataDir}`, close };
  } catch (error) {
    if (error instanceof NotADataDirError) throw new UnusableTargetError(error.message);
    if (!(error instanceof DataDirLockedError)) throw error;
    throw new UnusableTargetError(
      `${error.message}\n  ${purpose} needs the data dir to itself: stop the server first. A SpiceDB that serves gRPC (a cluster, or \`tenantgate spicedb serve\`) can be compared while it runs, with --against HOST:PORT.`,
    );
  }
}
