import type { Config } from "../config.js";
import type { SqliteDatabase } from "../data/sqlite.js";
import type { Logger } from "../lib/logger.js";
import { DurableEngine } from "./durable-engine.js";
import type { AuthzEngine } from "./engine.js";
import { RelationshipStore } from "./relationship-store.js";
import { RemoteEngine } from "./remote-engine.js";

/** The remote engine when SPICEDB_ENDPOINT is set, else the durable embedded one. */
export async function openEngine(
  config: Config,
  db: SqliteDatabase,
  logger: Logger,
): Promise<AuthzEngine> {
  if (config.SPICEDB_ENDPOINT) {
    logger.info(
      { endpoint: config.SPICEDB_ENDPOINT, insecure: config.SPICEDB_INSECURE },
      "using remote SpiceDB",
    );
    return new RemoteEngine({
      endpoint: config.SPICEDB_ENDPOINT,
      presharedKey: config.SPICEDB_PRESHARED_KEY ?? "",
      insecure: config.SPICEDB_INSECURE,
      caFile: config.SPICEDB_CA_FILE,
      timeoutMs: config.SPICEDB_TIMEOUT_MS,
    });
  }
  return DurableEngine.open(new RelationshipStore(db), logger, {
    auditHere: config.DATABASE_URL === undefined,
    readTimeoutMs: config.SPICEDB_TIMEOUT_MS,
  });
}
