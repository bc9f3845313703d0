import { afterAll, describe } from "vitest";
import { RemoteEngine } from "../../src/authz/remote-engine.js";
import { type DevServer, remoteEngineFor, startDevServer } from "../support/dev-server.js";
import { engineContract } from "./engine-contract.js";

/**
 * The engine contract against SpiceDB over gRPC (TCP, plaintext). By default the SpiceDB is
 * `tenantgate spicedb serve --port 0`, started here as a child process. Real SpiceDB on Postgres,
 * built by scripts/spicedb.sh, runs the same contract in test/spicedb/remote-engine.test.ts. To
 * run this file against some other SpiceDB endpoint instead:
 *
 *   docker run --rm -p 50051:50051 authzed/spicedb serve-testing
 *   TEST_SPICEDB_ENDPOINT=localhost:50051 TEST_SPICEDB_PRESHARED_KEY=anykey \
 *     npx vitest run test/authz/remote-engine.test.ts
 *
 * The suite deploys schema.zed to that SpiceDB and writes objects with fresh ids; use a
 * disposable instance (serve-testing gives each preshared key its own empty datastore).
 */
const endpoint = process.env.TEST_SPICEDB_ENDPOINT;

describe(
  endpoint ? `remote SpiceDB at ${endpoint}` : "remote engine to `tenantgate spicedb serve`",
  () => {
    let server: DevServer | undefined;
    afterAll(async () => {
      await server?.stop();
    });

    engineContract(
      endpoint ? "remote SpiceDB" : "remote engine to tenantgate spicedb serve",
      async () => {
        if (endpoint) {
          return new RemoteEngine({
            endpoint,
            presharedKey: process.env.TEST_SPICEDB_PRESHARED_KEY ?? "testkey",
            insecure: process.env.TEST_SPICEDB_INSECURE !== "false",
            caFile: process.env.TEST_SPICEDB_CA_FILE,
            timeoutMs: 5_000,
          });
        }
        server = await startDevServer();
        return remoteEngineFor(server);
      },
    );
  },
);
