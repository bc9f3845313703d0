/**
 * A real SpiceDB (the binary SPICEDB_BIN names) on a fresh Postgres database, as the mixed
 * benchmark's production topology: `spicedb datastore migrate head`, then `spicedb serve` on
 * loopback with only its gRPC API and its metrics listening.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { RemoteEngine } from "../../src/authz/remote-engine.js";
import { createTestDatabase } from "../../test/support/postgres.js";
import { freePort, run, type Server, startServer, tail } from "./processes.js";

/**
 * The serve flags beyond the required ones, as an operator of this 2-core box would set them.
 * See docs/benchmarks.md ("SpiceDB's flags") for why each is kept or changed from the default.
 */
export const SPICEDB_TUNING = (process.env.MIXED_SPICEDB_FLAGS ?? "").split(/\s+/).filter(Boolean);

export interface SpiceDb {
  server: Server;
  endpoint: string;
  presharedKey: string;
  metricsUrl: string;
  /** Its datastore, a database of its own. */
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startSpiceDb(
  bin: string,
  adminUrl: string,
  workDir: string,
): Promise<SpiceDb> {
  const database = await createTestDatabase(adminUrl, "bench_spicedb");
  const datastore = ["--datastore-engine", "postgres", "--datastore-conn-uri", database.url];
  let server: Server | undefined;
  try {
    run(bin, ["datastore", "migrate", "head", ...datastore, "--log-level", "warn"]);
    const [grpcPort, metricsPort] = [await freePort(), await freePort()];
    const presharedKey = randomBytes(16).toString("hex");
    server = startServer(
      bin,
      [
        "serve",
        ...datastore,
        "--grpc-preshared-key",
        presharedKey,
        "--grpc-addr",
        `127.0.0.1:${grpcPort}`,
        "--http-enabled=false",
        "--dispatch-cluster-enabled=false",
        "--metrics-addr",
        `127.0.0.1:${metricsPort}`,
        "--telemetry-endpoint=",
        "--log-level",
        "warn",
        ...SPICEDB_TUNING,
      ],
      { log: join(workDir, "spicedb.log") },
    );
    const endpoint = `127.0.0.1:${grpcPort}`;
    const probe = new RemoteEngine({ endpoint, presharedKey, insecure: true, timeoutMs: 1000 });
    for (let i = 0; ; i++) {
      if (server.process.exitCode !== null)
        throw new Error(`spicedb exited (${server.process.exitCode}):\n${tail(server.log)}`);
      try {
        await probe.readSchema();
        break;
      } catch (error) {
        if (i > 300)
          throw new Error(`spicedb did not answer: ${String(error)}\n${tail(server.log)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await probe.close();
    const started = server;
    return {
      server: started,
      endpoint,
      presharedKey,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      databaseUrl: database.url,
      stop: async () => {
        await started.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await server?.stop();
    await database.drop();
    throw error;
  }
}
