import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { describe } from "vitest";
import { RemoteEngine } from "../../src/authz/remote-engine.js";
import { createTestDatabase } from "./postgres.js";
import { exited } from "./processes.js";
import { REPO_ROOT } from "./runtime.js";

/**
 * The one way tests find a real SpiceDB: the binaries scripts/spicedb.sh builds (SPICEDB_BIN,
 * SPICEDB_VALIDATE_BIN) and a Postgres server for its datastore (TEST_DATABASE_URL, whose role
 * may create databases). Without them the suites that need them are skipped, with one line
 * saying why; in CI (CI=true) a missing piece is an error, so those suites cannot pass unseen.
 */
export interface SpicedbTools {
  /** The `spicedb` binary of the version deploy/spicedb.version names. */
  spicedb: string;
  /** scripts/spicedb-validate: SpiceDB's own check of zed validation files. */
  validate: string;
  /** Postgres URL of a role that may create databases: each SpiceDB gets its own. */
  adminUrl: string;
}

/** The SpiceDB release deploy/ pins. */
export const SPICEDB_VERSION = readFileSync(`${REPO_ROOT}deploy/spicedb.version`, "utf8").trim();

const HOW = 'eval "$(scripts/spicedb.sh)" and set TEST_DATABASE_URL';

let found: { tools: SpicedbTools } | { missing: string } | undefined;

function lookForTools(env: NodeJS.ProcessEnv): { tools: SpicedbTools } | { missing: string } {
  const spicedb = env.SPICEDB_BIN;
  const validate = env.SPICEDB_VALIDATE_BIN;
  const adminUrl = env.TEST_DATABASE_URL;
  if (!spicedb) return { missing: "SPICEDB_BIN is not set" };
  if (!validate) return { missing: "SPICEDB_VALIDATE_BIN is not set" };
  if (!adminUrl) return { missing: "TEST_DATABASE_URL is not set" };
  for (const [name, path] of [
    ["SPICEDB_BIN", spicedb],
    ["SPICEDB_VALIDATE_BIN", validate],
  ] as const) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      return { missing: `${name}=${path} is not an executable file` };
    }
  }
  const version = spawnSync(spicedb, ["version", "--skip-release-check"], { encoding: "utf8" });
  const reported = `${version.stdout}${version.stderr}`.trim();
  if (!reported.includes(SPICEDB_VERSION)) {
    return {
      missing: `SPICEDB_BIN=${spicedb} is "${reported}", not ${SPICEDB_VERSION} (deploy/spicedb.version)`,
    };
  }
  return { tools: { spicedb, validate, adminUrl } };
}

/**
 * The tools, or undefined with `skipReason()` saying why. Throws in CI, where the real-SpiceDB
 * suites must run.
 */
export function spicedbTools(env: NodeJS.ProcessEnv = process.env): SpicedbTools | undefined {
  found ??= lookForTools(env);
  if ("tools" in found) return found.tools;
  if (env.CI === "true") {
    throw new Error(`real SpiceDB is required in CI, but ${found.missing}: ${HOW}`);
  }
  return undefined;
}

/** Why the real-SpiceDB suites are skipped here, or undefined when they run. */
export function skipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (spicedbTools(env)) return undefined;
  return found && "missing" in found ? `${found.missing}; ${HOW}` : undefined;
}

/** The tools, for code that runs only when `spicedbTools()` found them. */
export function requireSpicedbTools(): SpicedbTools {
  const tools = spicedbTools();
  if (!tools) throw new Error(`real SpiceDB is not available: ${skipReason()}`);
  return tools;
}

/**
 * `describe` for a suite that needs real SpiceDB: skipped with the reason in its title when the
 * tools are missing (locally), failing when they are missing in CI.
 */
export function describeWithSpicedb(title: string, body: () => void): void {
  const reason = skipReason();
  if (reason) describe.skip(`${title} (skipped: ${reason})`, body);
  else describe(title, body);
}

/** A TCP port nothing listens on right now (SpiceDB cannot bind port 0 and say which it got). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

const running = new Set<ChildProcess>();
// A test file that dies half-way must not leave SpiceDB processes behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

function runToEnd(command: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

export interface SpicedbServer {
  /** 127.0.0.1:PORT, as SPICEDB_ENDPOINT takes it. */
  endpoint: string;
  presharedKey: string;
  /** Its Postgres datastore. */
  datastoreUrl: string;
  /** The last lines SpiceDB logged (JSON), to show why when a test fails. */
  logs: string[];
  /** The process's pid while it runs. */
  pid(): number | undefined;
  /** A RemoteEngine to it (plaintext, as SPICEDB_INSECURE=true). */
  engine(options?: { timeoutMs?: number; presharedKey?: string }): RemoteEngine;
  /** SIGKILL: SpiceDB dies without a word; its datastore stays. */
  kill(): Promise<void>;
  /** Starts it again on the same port and datastore (after `kill` or `stop`). */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: SpiceDB hangs, holding its connections, then goes on. */
  freeze(): void;
  thaw(): void;
  /** SIGTERM, then drops its database when it made one. */
  stop(): Promise<void>;
}

const SERVING = "grpc server started serving";
const KEPT_LOG_LINES = 200;

/**
 * Migrates a Postgres datastore (`spicedb datastore migrate head`) and starts `spicedb serve` on
 * it: plaintext gRPC on 127.0.0.1 and a free port, a preshared key, no HTTP gateway, metrics,
 * dispatch listener or telemetry, so that parallel test files never collide. Without
 * `datastoreUrl` it makes a fresh database on TEST_DATABASE_URL's server, dropped by `stop()`.
 */
export async function startSpicedb(
  options: { datastoreUrl?: string; presharedKey?: string; label?: string } = {},
): Promise<SpicedbServer> {
  const tools = requireSpicedbTools();
  const database = options.datastoreUrl
    ? undefined
    : await createTestDatabase(tools.adminUrl, options.label ?? "spicedb");
  const datastoreUrl = options.datastoreUrl ?? (database?.url as string);
  const presharedKey = options.presharedKey ?? `key-${randomBytes(12).toString("hex")}`;
  const datastoreFlags = ["--datastore-engine", "postgres", "--datastore-conn-uri", datastoreUrl];
  const logs: string[] = [];
  let child: ChildProcess | undefined;

  try {
    const migrated = await runToEnd(tools.spicedb, [
      "datastore",
      "migrate",
      "head",
      ...datastoreFlags,
      "--log-format",
      "json",
      "--skip-release-check",
    ]);
    if (migrated.code !== 0) {
      throw new Error(`spicedb datastore migrate head failed (${migrated.code}):\n${migrated.out}`);
    }
  } catch (error) {
    await database?.drop();
    throw error;
  }

  let port = 0;
  const serve = async (): Promise<void> => {
    const args = [
      "serve",
      "--grpc-preshared-key",
      presharedKey,
      ...datastoreFlags,
      "--grpc-addr",
      `127.0.0.1:${port}`,
      "--http-enabled=false",
      "--metrics-enabled=false",
      "--dispatch-cluster-enabled=false",
      "--telemetry-endpoint=",
      "--skip-release-check",
      "--log-format",
      "json",
      // Several SpiceDBs share one Postgres (max_connections 100) in the tests, so pools start
      // at one connection (SpiceDB opens 20 + 10 at start by default). The read pool may still
      // grow to SpiceDB's default of 20: with 6, ExpandPermissionTree on schema.zed hung until
      // its deadline in most calls (nested dispatches each waiting for a connection).
      "--datastore-conn-pool-read-max-open",
      "20",
      "--datastore-conn-pool-read-min-open",
      "1",
      "--datastore-conn-pool-write-max-open",
      "4",
      "--datastore-conn-pool-write-min-open",
      "1",
    ];
    const started = spawn(tools.spicedb, args, { stdio: ["ignore", "pipe", "pipe"] });
    running.add(started);
    started.once("exit", () => running.delete(started));
    child = started;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error(`SpiceDB did not serve within 30 s:\n${logs.join("\n")}`)),
        30_000,
      );
      const onExit = (code: number | null) =>
        fail(new Error(`SpiceDB exited (${code}) before serving:\n${logs.join("\n")}`));
      const fail = (error: Error) => {
        clearTimeout(timer);
        started.kill("SIGKILL");
        reject(error);
      };
      for (const stream of [started.stdout, started.stderr]) {
        createInterface({ input: stream }).on("line", (line) => {
          logs.push(line);
          if (logs.length > KEPT_LOG_LINES) logs.shift();
          if (line.includes(SERVING)) {
            clearTimeout(timer);
            started.off("exit", onExit);
            resolve();
          }
        });
      }
      started.once("exit", onExit);
    });
  };

  // Another process may take the free port between the look and the bind: try a few.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await serve();
      break;
    } catch (error) {
      if (attempt >= 3 || !logs.some((l) => l.includes("address already in use"))) {
        await database?.drop();
        throw error;
      }
    }
  }

  const endpoint = `127.0.0.1:${port}`;
  const engines: RemoteEngine[] = [];
  const kill = async () => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    current.kill("SIGCONT");
    current.kill("SIGKILL");
    await exited(current);
  };
  return {
    endpoint,
    presharedKey,
    datastoreUrl,
    logs,
    pid: () => (child && child.exitCode === null ? child.pid : undefined),
    engine({ timeoutMs = 5_000, presharedKey: key = presharedKey } = {}) {
      const engine = new RemoteEngine({ endpoint, presharedKey: key, insecure: true, timeoutMs });
      engines.push(engine);
      return engine;
    },
    kill,
    async restart() {
      await kill();
      await serve();
    },
    freeze: () => child?.kill("SIGSTOP"),
    thaw: () => child?.kill("SIGCONT"),
    async stop() {
      for (const engine of engines.splice(0)) await engine.close();
      const current = child;
      if (current && current.exitCode === null && current.signalCode === null) {
        current.kill("SIGCONT");
        current.kill("SIGTERM");
        const timer = setTimeout(() => current.kill("SIGKILL"), 10_000);
        await exited(current);
        clearTimeout(timer);
      }
      await database?.drop();
    },
  };
}

/** `spicedb-validate FILE…`: SpiceDB's verdict on each validation file, in order. */
export interface SpicedbVerdict {
  file: string;
  errors: { source: string; line: number; column: number; message: string; context?: string }[];
}

export async function spicedbValidate(files: string[]): Promise<SpicedbVerdict[]> {
  const { validate } = requireSpicedbTools();
  const result = await runToEnd(validate, files);
  if (result.code !== 0 && result.code !== 1) {
    throw new Error(`spicedb-validate failed (${result.code}):\n${result.out}`);
  }
  return result.out
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as SpicedbVerdict);
}
