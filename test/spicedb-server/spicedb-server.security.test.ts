import { v1 } from "@authzed/authzed-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EngineError } from "../../src/authz/engine-error.js";
import { type DevServer, remoteEngineFor, startDevServer } from "../support/dev-server.js";

/** Like SpiceDB, `tenantgate spicedb serve` answers only calls that carry its preshared key. */

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("through RemoteEngine (authorization: Bearer KEY)", () => {
  test.each([
    ["a wrong key", () => `${server.presharedKey}x`, /invalid preshared key/],
    [
      "a key differing only in case",
      () => server.presharedKey.toUpperCase(),
      /invalid preshared key/,
    ],
    ["an empty key (the client then sends no authorization)", () => "", /Request unauthenticated/],
  ])(
    "%s is UNAUTHENTICATED, which callers see as the engine unavailable",
    async (_label, key, message) => {
      const engine = remoteEngineFor(server, { presharedKey: key() });
      try {
        const error = await engine.readSchema().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EngineError);
        expect((error as EngineError).grpcCode).toBe(grpc.status.UNAUTHENTICATED);
        expect((error as EngineError).unavailable).toBe(true);
        expect((error as EngineError).message).toMatch(message);
      } finally {
        await engine.close();
      }
    },
  );

  test("the right key is let through", async () => {
    const engine = remoteEngineFor(server);
    try {
      await expect(engine.readSchema()).resolves.toBe("");
    } finally {
      await engine.close();
    }
  });
});

test.each([
  [
    "unary (WriteSchema)",
    (c: v1.ZedClientInterface) =>
      c.promises.writeSchema(v1.WriteSchemaRequest.create({ schema: "definition user {}" })),
  ],
  [
    "server-streaming (ReadRelationships)",
    (c: v1.ZedClientInterface) =>
      c.promises.readRelationships(
        v1.ReadRelationshipsRequest.create({ relationshipFilter: { resourceType: "user" } }),
      ),
  ],
])(
  "a %s call with no authorization metadata at all is UNAUTHENTICATED and does nothing",
  async (_label, call) => {
    const anonymous = v1.NewClientWithChannelCredentials(
      server.endpoint,
      grpc.credentials.createInsecure(),
    );
    try {
      const error = (await call(anonymous).catch((e: unknown) => e)) as grpc.ServiceError;
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(error.details).toBe("invalid preshared key: Request unauthenticated with bearer");
    } finally {
      anonymous.close();
    }
    // The refused WriteSchema did not reach the engine.
    const engine = remoteEngineFor(server);
    await expect(engine.readSchema()).resolves.toBe("");
    await engine.close();
  },
);

test("the key may come from SPICEDB_GRPC_PRESHARED_KEY instead of the command line", async () => {
  const fromEnvironment = await startDevServer({ keyInEnvironment: true });
  const engine = remoteEngineFor(fromEnvironment);
  const impostor = remoteEngineFor(fromEnvironment, { presharedKey: server.presharedKey });
  try {
    await expect(engine.readSchema()).resolves.toBe("");
    const error = await impostor.readSchema().catch((e: unknown) => e);
    expect((error as EngineError).grpcCode).toBe(grpc.status.UNAUTHENTICATED);
  } finally {
    await engine.close();
    await impostor.close();
    await fromEnvironment.stop();
  }
});
