import { afterAll } from "vitest";
import { engineContract } from "../authz/engine-contract.js";
import { describeWithSpicedb, type SpicedbServer, startSpicedb } from "../support/spicedb.js";

/**
 * The engine contract against RemoteEngine connected to real SpiceDB (the version deploy/ pins)
 * on a Postgres datastore: the production path, where test/authz/remote-engine.test.ts covers the
 * same contract against the development server.
 */
describeWithSpicedb("RemoteEngine to real SpiceDB on Postgres", () => {
  let spicedb: SpicedbServer | undefined;
  afterAll(async () => {
    await spicedb?.stop();
  });

  engineContract("remote engine to real SpiceDB", async () => {
    spicedb = await startSpicedb({ label: "contract" });
    return spicedb.engine();
  });
});
