import { readFileSync } from "node:fs";
import { v1 } from "@authzed/authzed-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DurableEngine } from "../../src/authz/durable-engine.js";
import type { AuthzEngine } from "../../src/authz/engine.js";
import { EngineError } from "../../src/authz/engine-error.js";
import { RelationshipStore } from "../../src/authz/relationship-store.js";
import type { RemoteEngine } from "../../src/authz/remote-engine.js";
import { type DevServer, remoteEngineFor, startDevServer } from "../support/dev-server.js";
import { openEngineFile } from "../support/engine-file.js";
import { freshId } from "../support/ids.js";
import {
  check,
  fullyConsistent,
  mustMatch,
  objectRef,
  readMatching,
  relationshipFilter,
  subjectRef,
  touch,
  touchAll,
  write,
} from "../support/relationships.js";
import { SCHEMA_PATH } from "../support/runtime.js";

/**
 * `tenantgate spicedb serve` answers SpiceDB's gRPC API as SpiceDB does, seen through real
 * SpiceDB clients (RemoteEngine and @authzed/authzed-node's own client). The engine contract
 * (test/authz/remote-engine.test.ts) covers the permission semantics; this file covers what the
 * server adds: errors passed through, streaming, Watch, and the methods it does not serve.
 */

const schema = readFileSync(SCHEMA_PATH, "utf8");

let server: DevServer;
let engine: RemoteEngine;
let client: v1.ZedClientInterface;

beforeAll(async () => {
  server = await startDevServer();
  engine = remoteEngineFor(server);
  client = v1.NewClient(
    server.presharedKey,
    server.endpoint,
    v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS,
  );
});
afterAll(async () => {
  client?.close();
  await engine?.close();
  await server?.stop();
});

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as grpc.ServiceError,
  );

// First, while the server holds no schema yet.
test("before any WriteSchema, ReadSchema answers NOT_FOUND as SpiceDB does", async () => {
  const error = await caught(client.promises.readSchema(v1.ReadSchemaRequest.create()));
  expect(error?.code).toBe(grpc.status.NOT_FOUND);
  expect(error?.details).toMatch(/No schema has been defined/);
  expect(await engine.readSchema()).toBe("");
  await engine.writeSchema(schema);
});

describe("engine errors reach the client with the engine's own code and message", () => {
  let local: AuthzEngine;
  beforeAll(async () => {
    local = await DurableEngine.open(new RelationshipStore(await openEngineFile(":memory:")));
    await local.writeSchema(schema);
  });
  afterAll(async () => {
    await local?.close();
  });

  const tenant = freshId("t");
  const project = freshId("p");
  test.each([
    [
      "an unknown permission",
      (e: AuthzEngine) => check(e, `project:${project}`, "fly", `account:${freshId("a")}`),
    ],
    [
      "a relation the schema lacks",
      (e: AuthzEngine) => touchAll(e, [`project:${project}#auditor@account:${freshId("a")}`]),
    ],
    [
      "a failed precondition",
      (e: AuthzEngine) =>
        write(
          e,
          [touch(`project:${project}#tenant@tenant:${tenant}`)],
          [mustMatch(relationshipFilter({ resourceType: "project", resourceId: project }))],
        ),
    ],
    ["a schema syntax error", (e: AuthzEngine) => e.writeSchema("definition user {")],
  ])("%s", async (_label, run) => {
    const direct = await caught(run(local));
    const overGrpc = await caught(run(engine));
    expect(direct).toBeInstanceOf(EngineError);
    expect(overGrpc).toBeInstanceOf(EngineError);
    expect((overGrpc as unknown as EngineError).grpcCode).toBe(
      (direct as unknown as EngineError).grpcCode,
    );
    expect(overGrpc?.message).toBe(direct?.message);
  });
});

test("ReadRelationships streams a result of thousands of messages, and pages with a cursor", async () => {
  const project = freshId("p");
  const viewers = Array.from({ length: 2500 }, (_, i) => `account:v${i}_${freshId("a")}`);
  for (let i = 0; i < viewers.length; i += 1000) {
    await touchAll(
      engine,
      viewers.slice(i, i + 1000).map((a) => `project:${project}#viewer@${a}`),
    );
  }
  const filter = relationshipFilter({ resourceType: "project", resourceId: project });
  expect(await readMatching(engine, filter)).toHaveLength(2500);

  const firstPage = await engine.readRelationships(
    v1.ReadRelationshipsRequest.create({
      consistency: fullyConsistent(),
      relationshipFilter: filter,
      optionalLimit: 1000,
    }),
  );
  expect(firstPage).toHaveLength(1000);
  const secondPage = await engine.readRelationships(
    v1.ReadRelationshipsRequest.create({
      consistency: fullyConsistent(),
      relationshipFilter: filter,
      optionalLimit: 1000,
      optionalCursor: firstPage.at(-1)?.afterResultCursor,
    }),
  );
  expect(secondPage).toHaveLength(1000);
  const ids = (page: v1.ReadRelationshipsResponse[]) =>
    page.map((r) => r.relationship?.subject?.object?.objectId);
  expect(new Set([...ids(firstPage), ...ids(secondPage)]).size).toBe(2000);
});

test("Watch relays each change with the token it was written at, filtered as asked", async () => {
  const [tenant, account] = [freshId("t"), freshId("a")];
  const watch = client.watch(v1.WatchRequest.create({ optionalObjectTypes: ["tenant"] }));
  const events: v1.WatchResponse[] = [];
  watch.on("data", (event: v1.WatchResponse) => events.push(event));
  const ended = new Promise<grpc.ServiceError>((resolve) => watch.on("error", resolve));
  /** This test's changes seen so far, each with the token of the event that carried it. */
  const seen = () =>
    events.flatMap((event) =>
      event.updates
        .filter((update) => update.relationship?.subject?.object?.objectId === account)
        .map((update) => ({ update, token: event.changesThrough?.token })),
    );
  try {
    // The watch is open once a change made after it arrives: probe until one does.
    const probe = freshId("t");
    while (events.length === 0) {
      await touchAll(engine, [`tenant:${probe}#member@account:${freshId("a")}`]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const written = await touchAll(engine, [`tenant:${tenant}#member@account:${account}`]);
    await expect.poll(() => seen()).toHaveLength(1);
    const [first] = seen();
    expect(first?.update.operation).toBe(v1.RelationshipUpdate_Operation.TOUCH);
    expect(first?.update.relationship?.resource).toEqual(objectRef(`tenant:${tenant}`));
    expect(first?.update.relationship?.subject).toEqual(subjectRef(`account:${account}`));
    expect(first?.token).toBe(written.writtenAt?.token);

    // Only tenant changes were asked for: the project grant never arrives, the admin one does.
    await touchAll(engine, [`project:${freshId("p")}#viewer@account:${account}`]);
    await touchAll(engine, [`tenant:${tenant}#admin@account:${account}`]);
    await expect.poll(() => seen()).toHaveLength(2);
    expect(seen()[1]?.update.relationship?.relation).toBe("admin");
  } finally {
    watch.cancel();
  }
  expect((await ended).code).toBe(grpc.status.CANCELLED);
});

test.each([
  ["ReflectSchema", () => client.promises.reflectSchema(v1.ReflectSchemaRequest.create())],
  [
    "ExportBulkRelationships",
    () => client.promises.exportBulkRelationships(v1.ExportBulkRelationshipsRequest.create()),
  ],
  [
    "ExperimentalService/BulkExportRelationships",
    () => client.promises.bulkExportRelationships(v1.BulkExportRelationshipsRequest.create()),
  ],
])("%s, which it does not serve, answers UNIMPLEMENTED saying so", async (_name, call) => {
  const error = await caught(call());
  expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
  expect(error?.details).toMatch(/not served by tenantgate's development SpiceDB server/);
});
