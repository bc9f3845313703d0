import { readFileSync } from "node:fs";
import { v1 } from "@authzed/authzed-node";
import { status as GrpcStatus } from "@grpc/grpc-js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EngineError } from "../../src/authz/engine-error.js";
import { engineContract } from "../authz/engine-contract.js";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.js";
import { touchAll } from "../support/relationships.js";
import { SCHEMA_PATH } from "../support/runtime.js";
import {
  describeWithSpicedb,
  freePort,
  type SpicedbServer,
  startSpicedb,
} from "../support/spicedb.js";

/**
 * The engine contract against RemoteEngine connected to real SpiceDB (the version deploy/ pins)
 * on a Postgres datastore: the production path, where test/authz/remote-engine.test.ts covers the
 * same contract against the development server. Then what real SpiceDB does that the
 * development server does differently (docs/spicedb-dev-server.md).
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

  describe("where real SpiceDB differs from the development server", () => {
    test("a wrong preshared key is PERMISSION_DENIED, which tenantgate counts as unavailable (503)", async () => {
      const wrong = (spicedb as SpicedbServer).engine({ presharedKey: "not-the-key" });
      const error = await wrong.readSchema().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).grpcCode).toBe(GrpcStatus.PERMISSION_DENIED);
      expect((error as EngineError).unavailable).toBe(true);
    });

    test("a zedtoken keeps its meaning across a SpiceDB restart (the datastore keeps the revisions)", async () => {
      const server = spicedb as SpicedbServer;
      const engine = server.engine();
      const written = await touchAll(engine, ["tenant:restart_t#member@account:restart_a"]);
      await server.restart();
      const response = await engine.checkPermission(
        v1.CheckPermissionRequest.create({
          resource: { objectType: "tenant", objectId: "restart_t" },
          permission: "membership",
          subject: { object: { objectType: "account", objectId: "restart_a" } },
          consistency: {
            requirement: {
              oneofKind: "atExactSnapshot",
              atExactSnapshot: { token: written.writtenAt?.token ?? "" },
            },
          },
        }),
      );
      expect(response.permissionship).toBe(
        v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION,
      );
    });
  });
});

describeWithSpicedb("Watch on real SpiceDB", () => {
  let postgres: PrivatePostgres;
  let spicedb: SpicedbServer;
  beforeAll(async () => {
    // SpiceDB serves Watch on Postgres only with track_commit_timestamp=on, which the shared
    // test server (Debian's default) does not have; this private one does.
    postgres = await startPrivatePostgres(await freePort());
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query("CREATE DATABASE spicedb");
    await admin.end();
    spicedb = await startSpicedb({ datastoreUrl: postgres.url.replace(/\/postgres$/, "/spicedb") });
  });
  afterAll(async () => {
    await spicedb?.stop();
    await postgres?.stop();
  });

  test("a watcher sees a write, from the revision it asked for", async () => {
    const engine = spicedb.engine();
    const schema = await engine.writeSchema(readFileSync(SCHEMA_PATH, "utf8"));
    const client = v1.NewClient(
      spicedb.presharedKey,
      spicedb.endpoint,
      v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS,
    );
    try {
      const stream = client.watch(
        v1.WatchRequest.create({
          optionalObjectTypes: ["project"],
          optionalStartCursor: schema.writtenAt,
        }),
      );
      const seen = new Promise<string[]>((resolve, reject) => {
        stream.on("data", (response: v1.WatchResponse) => {
          const updates = response.updates.map(
            (u) => `${u.relationship?.resource?.objectId}#${u.relationship?.relation}`,
          );
          if (updates.length > 0) resolve(updates);
        });
        stream.on("error", reject);
      });
      await touchAll(engine, ["project:watched#tenant@tenant:w1", "tenant:w1#member@account:a"]);
      expect(await seen).toEqual(["watched#tenant"]);
      stream.cancel();
    } finally {
      client.close();
    }
  });
});
