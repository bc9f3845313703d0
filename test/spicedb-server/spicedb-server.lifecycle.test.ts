import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, test, vi } from "vitest";
import { EngineError } from "../../src/authz/engine-error.js";
import type { RemoteEngine } from "../../src/authz/remote-engine.js";
import { runSpicedbCommand } from "../../src/cli/spicedb-command.js";
import { CliUsageError } from "../../src/cli/usage-error.js";
import { type DevServer, remoteEngineFor, startDevServer } from "../support/dev-server.js";
import { freshId } from "../support/ids.js";
import { runCli } from "../support/processes.js";
import {
  check,
  readAllRelationships,
  relationshipFilter,
  touchAll,
} from "../support/relationships.js";
import { SCHEMA_PATH } from "../support/runtime.js";
import { tempDirForTest } from "../support/temp-dir.js";

/**
 * `tenantgate spicedb serve` as a process: what it keeps across stops and kills, how it stops,
 * and how a client rides out its restart.
 */

const schema = readFileSync(SCHEMA_PATH, "utf8");

// Whatever a test leaves running is killed after it.
const running: { servers: DevServer[]; engines: RemoteEngine[] } = { servers: [], engines: [] };
afterEach(async () => {
  for (const engine of running.engines.splice(0)) await engine.close();
  for (const server of running.servers.splice(0)) await server.kill();
});

async function start(options: Parameters<typeof startDevServer>[0] = {}) {
  const server = await startDevServer(options);
  running.servers.push(server);
  return server;
}

function connect(server: DevServer, options?: Parameters<typeof remoteEngineFor>[1]) {
  const engine = remoteEngineFor(server, options);
  running.engines.push(engine);
  return engine;
}

describe("with --data-dir", () => {
  test("the schema and relationships survive a stop (SIGTERM), kept in DIR/spicedb.sqlite under the data dir lock", async () => {
    const dataDir = tempDirForTest("spicedb");
    const first = await start({ dataDir });
    let engine = connect(first);
    await engine.writeSchema(schema);
    const [t, owner, member, p] = [freshId("t"), freshId("a"), freshId("a"), freshId("p")];
    await touchAll(engine, [
      `tenant:${t}#owner@account:${owner}`,
      `tenant:${t}#member@account:${member}`,
      `project:${p}#tenant@tenant:${t}`,
      `project:${p}#viewer@account:${member}[on_network:{"allowed_cidr":"10.0.0.0/8"}]`,
      `project:${p}#editor@account:${member}[expiration:2100-01-01T00:00:00Z]`,
    ]);
    await engine.deleteRelationships(
      v1.DeleteRelationshipsRequest.create({
        relationshipFilter: relationshipFilter({
          resourceType: "tenant",
          relation: "owner",
          subjectType: "account",
          subjectId: owner,
        }),
      }),
    );
    const deployed = await engine.readSchema();
    const before = await readAllRelationships(engine);
    expect(before).toHaveLength(4);
    expect(existsSync(join(dataDir, "spicedb.sqlite"))).toBe(true);

    // A second server on the same directory would drift from the first: it refuses to start.
    const second = await runCli(
      ["spicedb", "serve", "--port", "0", "--preshared-key", "k", "--data-dir", dataDir],
      { env: { LOG_LEVEL: "silent" } },
    );
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`in use by process ${first.process.pid} \\(spicedb serve\\)`),
    );

    expect(await first.stop()).toEqual({ code: 0, signal: null });
    expect(first.stderr.join("\n")).toMatch(/"msg":"stopped"/);
    expect(existsSync(join(dataDir, "tenantgate.lock"))).toBe(false);

    const restarted = await start({ dataDir });
    engine = connect(restarted);
    expect(await engine.readSchema()).toBe(deployed);
    expect(await readAllRelationships(engine)).toEqual(before);
    expect(await check(engine, `project:${p}`, "edit", `account:${member}`)).toBe("yes");
    expect(await check(engine, `tenant:${t}`, "manage_owners", `account:${owner}`)).toBe("no");
  });

  test("every acknowledged write survives a kill (SIGKILL) in the middle of a stream of writes", async () => {
    const dataDir = tempDirForTest("spicedb");
    const server = await start({ dataDir });
    const engine = connect(server);
    await engine.writeSchema(schema);
    const tenant = freshId("t");
    const acknowledged: string[] = [];
    let writing = true;
    // Four writers at once, so that writes are in flight (queued in the server) at the kill.
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const relationship = `tenant:${tenant}#member@account:${freshId("a")}`;
        try {
          await touchAll(engine, [relationship]);
          acknowledged.push(relationship);
        } catch (error) {
          expect((error as EngineError).unavailable).toBe(true);
          return;
        }
      }
    });
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(150), { timeout: 20_000 });
    expect((await server.kill()).signal).toBe("SIGKILL");
    writing = false;
    await Promise.all(writers);

    // The lock left by the killed process is taken over.
    const restarted = await start({ dataDir });
    const after = await readAllRelationships(connect(restarted));
    expect(after).toEqual(expect.arrayContaining(acknowledged));
    // Nothing else appears: at most the writes that were in flight at the kill.
    expect(after.length - acknowledged.length).toBeLessThanOrEqual(4);
  });

  test("a client gets `unavailable` errors while the server is down and recovers by itself when it is back on the same port", async () => {
    const dataDir = tempDirForTest("spicedb");
    const first = await start({ dataDir });
    const engine = connect(first, { timeoutMs: 1_000 });
    await engine.writeSchema(schema);
    const [t, a] = [freshId("t"), freshId("a")];
    await touchAll(engine, [`tenant:${t}#member@account:${a}`]);

    // Checks every 50 ms, through one client, for the whole test.
    const outcomes: { at: number; decision?: string; error?: unknown }[] = [];
    let checking = true;
    const checker = (async () => {
      while (checking) {
        const at = Date.now();
        await check(engine, `tenant:${t}`, "view_members", `account:${a}`).then(
          (decision) => outcomes.push({ at, decision }),
          (error: unknown) => outcomes.push({ at, error }),
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      await vi.waitFor(() => expect(outcomes.filter((o) => o.decision).length).toBeGreaterThan(5));
      await first.kill();
      await vi.waitFor(() => expect(outcomes.at(-1)?.error).toBeDefined(), { timeout: 5_000 });

      await start({ dataDir, port: first.port, presharedKey: first.presharedKey });
      const back = Date.now();
      await vi.waitFor(() => expect(outcomes.at(-1)?.decision).toBe("yes"), { timeout: 5_000 });
      const recovered = outcomes.find((o) => o.at >= back && o.decision);
      expect((recovered?.at ?? Number.POSITIVE_INFINITY) - back).toBeLessThan(3_000);
    } finally {
      checking = false;
      await checker;
    }
    const errors = outcomes.flatMap((o) => (o.error === undefined ? [] : [o.error]));
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).unavailable).toBe(true);
    }
    // Every answer, before and after the restart, was the right one.
    expect(outcomes.filter((o) => o.decision).every((o) => o.decision === "yes")).toBe(true);
  });
});

describe("without --data-dir", () => {
  test("says it is memory-only, and on SIGTERM ends open Watch streams, exits 0 and removes its temporary directory", async () => {
    const server = await start();
    const notice = server.stderr.find((line) => line.includes("memory-only"));
    expect(notice).toBeDefined();
    const { dataDir } = JSON.parse(notice as string) as { dataDir: string };
    expect(existsSync(join(dataDir, "spicedb.sqlite"))).toBe(true);

    const engine = connect(server);
    await engine.writeSchema(schema);
    const client = v1.NewClient(
      server.presharedKey,
      server.endpoint,
      v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS,
    );
    const watch = client.watch(v1.WatchRequest.create());
    let events = 0;
    watch.on("data", () => events++);
    const ended = new Promise<grpc.ServiceError>((resolve) => watch.on("error", resolve));
    try {
      while (events === 0) {
        await touchAll(engine, [`tenant:${freshId("t")}#member@account:${freshId("a")}`]);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const stopping = Date.now();
      expect(await server.stop()).toEqual({ code: 0, signal: null });
      // An open Watch must not hold shutdown up to its grace period (5 s).
      expect(Date.now() - stopping).toBeLessThan(3_000);
      const end = await ended;
      expect(end.code).toBe(grpc.status.UNAVAILABLE);
      expect(end.details).toMatch(/shutting down/);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      client.close();
    }
  });
});

describe("command line", () => {
  test.each([
    [["serve", "--preshared-key", "k", "--port", "http"], /--port must be a port number/],
    [["serve", "--preshared-key", "k", "--port", "65536"], /--port must be a port number/],
    [["serve", "--preshared-key", "k", "--verbose"], /Unknown option '--verbose'/],
    [["serve", "--preshared-key", "k", "--log-level", "loud"], /--log-level must be one of/],
    [["start"], /unknown command: spicedb start/],
  ])("spicedb %j is a usage error, before anything starts", async (args, message) => {
    const error = await runSpicedbCommand(args, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toMatch(message);
  });

  test("`tenantgate spicedb serve` without a key exits 2, needing no tenantgate configuration", async () => {
    const result = await runCli(["spicedb", "serve"], { env: { SPICEDB_GRPC_PRESHARED_KEY: "" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs --preshared-key KEY \(or SPICEDB_GRPC_PRESHARED_KEY\)/);
  });

  test("`tenantgate spicedb --help` says it is a development server", async () => {
    const result = await runCli(["spicedb", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/single-node SpiceDB for development and tests/);
    expect(result.stdout).toMatch(/Production uses a SpiceDB\s+cluster/);
  });
});
