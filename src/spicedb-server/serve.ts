import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { openEmbeddedDir } from "../data/data-dir.js";
import type { Logger } from "../lib/logger.js";
import { addSpicedbServices } from "./grpc-services.js";
import { requirePresharedKey } from "./preshared-key.js";
import { embeddedWatchClient, WatchProxy } from "./watch-proxy.js";

/** Its own file, apart from tenantgate's `tenantgate.sqlite`, even in a shared directory. */
export const SPICEDB_DATABASE_FILE = "spicedb.sqlite";
const EXPIRED_CLEANUP_MS = 10 * 60 * 1000;
const DEFAULT_GRACE_MS = 5_000;

export interface SpicedbServerOptions {
  host: string;
  /** 0 picks a free port; `SpicedbServer.port` is the one bound. */
  port: number;
  presharedKey: string;
  /** Where relationships are kept; without one, a temporary directory removed at close. */
  dataDir?: string | undefined;
  /** How long close() lets calls in flight finish before cutting them off. */
  graceMs?: number;
}

export interface SpicedbServer {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly memoryOnly: boolean;
  /** Stops taking calls, finishes those in flight, then closes the engine, SQLite and the lock. */
  close(): Promise<void>;
}

/**
 * Serves the embedded SpiceDB engine over SpiceDB's gRPC API on one address: a single-node
 * SpiceDB for development and tests. Relationships and the schema are kept in SQLite exactly as
 * in tenantgate's embedded mode (DurableEngine), in DATA_DIR/spicedb.sqlite, under the data dir
 * lock.
 */
export async function startSpicedbServer(
  options: SpicedbServerOptions,
  logger: Logger,
): Promise<SpicedbServer> {
  const memoryOnly = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "tenantgate-spicedb-"));
  const removeTemporary = () => {
    if (memoryOnly) rmSync(dataDir, { recursive: true, force: true });
  };
  let data: Awaited<ReturnType<typeof openEmbeddedDir>> | undefined;
  let server: grpc.Server | undefined;
  let watch: WatchProxy;
  let port: number;
  try {
    data = await openEmbeddedDir({
      dir: dataDir,
      file: SPICEDB_DATABASE_FILE,
      purpose: "spicedb serve",
      logger,
    });
    watch = new WatchProxy(embeddedWatchClient(data.engine));
    server = new grpc.Server({ interceptors: [requirePresharedKey(options.presharedKey)] });
    addSpicedbServices(server, data.engine, watch);
    port = await bind(server, options.host, options.port);
  } catch (error) {
    server?.forceShutdown();
    await data?.close();
    removeTemporary();
    throw error;
  }
  const { engine } = data;
  const opened = data;

  const cleanup = setInterval(() => engine.deleteExpired(), EXPIRED_CLEANUP_MS).unref();
  let closing: Promise<void> | undefined;
  const close = async () => {
    // Watch streams never end on their own; tryShutdown would wait for them forever.
    watch.closeAll();
    await shutDown(server, options.graceMs ?? DEFAULT_GRACE_MS);
    clearInterval(cleanup);
    await opened.close();
    removeTemporary();
  };
  return {
    host: options.host,
    port,
    dataDir,
    memoryOnly,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

function bind(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
}

function shutDown(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.forceShutdown(), graceMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * `tenantgate spicedb serve`: runs the server until SIGTERM or SIGINT, then shuts down
 * gracefully. Logs one JSON line when listening, with the port bound.
 */
export async function serveSpicedb(options: SpicedbServerOptions, logger: Logger): Promise<void> {
  const server = await startSpicedbServer(options, logger);
  if (server.memoryOnly) {
    // A kill -9 skips the removal at close; this still removes the directory on any other exit.
    process.once("exit", () => rmSync(server.dataDir, { recursive: true, force: true }));
    logger.warn(
      { dataDir: server.dataDir },
      "no --data-dir: memory-only mode, relationships are kept in a temporary directory that is removed at exit",
    );
  }
  if (!LOOPBACK.test(server.host)) {
    logger.warn(
      { host: server.host },
      "listening beyond loopback in plaintext: the preshared key and all data cross the network unencrypted",
    );
  }
  logger.info(
    {
      host: server.host,
      port: server.port,
      dataDir: server.memoryOnly ? null : server.dataDir,
      memoryOnly: server.memoryOnly,
    },
    "spicedb dev server listening",
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: no new calls, finishing those in flight");
    try {
      await server.close();
      logger.info("stopped");
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      process.exitCode = 1;
    }
    logger.flush();
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
