import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { RemoteEngine } from "../../src/authz/remote-engine.js";
import { CLI_PATH, exited, spawnNode, stopProcess, waitForLine } from "./processes.js";

export interface DevServer {
  process: ChildProcess;
  port: number;
  /** host:port, as SPICEDB_ENDPOINT takes it. */
  endpoint: string;
  presharedKey: string;
  /** Every line it printed on stderr so far (its JSON logs), to show why when a test fails. */
  stderr: string[];
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown at all. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `tenantgate spicedb serve` as a child process (on a free port unless `port` is given)
 * and resolves once its "listening" line says which port it bound.
 */
export async function startDevServer(
  options: {
    dataDir?: string;
    port?: number;
    presharedKey?: string;
    /** Pass the key in SPICEDB_GRPC_PRESHARED_KEY instead of --preshared-key. */
    keyInEnvironment?: boolean;
  } = {},
): Promise<DevServer> {
  const presharedKey = options.presharedKey ?? `key-${randomBytes(8).toString("hex")}`;
  const args = [CLI_PATH, "spicedb", "serve", "--port", String(options.port ?? 0)];
  if (!options.keyInEnvironment) args.push("--preshared-key", presharedKey);
  if (options.dataDir) args.push("--data-dir", options.dataDir);
  const child = spawnNode(args, {
    SPICEDB_GRPC_PRESHARED_KEY: options.keyInEnvironment ? presharedKey : "",
  });
  child.stdout?.resume();
  const stderr: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) =>
    stderr.push(line),
  );
  try {
    const line = await waitForLine(child, "stderr", (l) =>
      l.includes("spicedb dev server listening"),
    );
    const { port } = JSON.parse(line) as { port: number };
    return {
      process: child,
      port,
      endpoint: `127.0.0.1:${port}`,
      presharedKey,
      stderr,
      stop: () => stopProcess(child),
      kill: () => {
        child.kill("SIGKILL");
        return exited(child);
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}

/** A RemoteEngine (plaintext, as SPICEDB_INSECURE=true) to a dev server. */
export function remoteEngineFor(
  server: Pick<DevServer, "endpoint" | "presharedKey">,
  { presharedKey = server.presharedKey, timeoutMs = 5_000 } = {},
): RemoteEngine {
  return new RemoteEngine({ endpoint: server.endpoint, presharedKey, insecure: true, timeoutMs });
}
