import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { configSchema } from "../../src/config.js";
import { REPO_ROOT } from "./runtime.js";

export const CLI_PATH = `${REPO_ROOT}bin/tenantgate.js`;

/**
 * The parent's environment without tenantgate's own variables, so a child sees only what the
 * test sets (a PORT or DATA_DIR in the developer's shell must not leak into a test).
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(configSchema.shape)) delete base[key];
  return { ...base, ...env };
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a node script to completion (killed after `timeoutMs`), collecting its output; `input`
 * is written to its standard input, which is then closed.
 */
export function runNode(
  args: string[],
  {
    env = {},
    timeoutMs = 30_000,
    input,
  }: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: childEnv(env) });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    if (input !== undefined) child.stdin.end(input);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `bin/tenantgate.js ARGS` to completion. */
export function runCli(
  args: string[],
  options?: { env?: Record<string, string>; timeoutMs?: number; input?: string },
) {
  return runNode([CLI_PATH, ...args], options);
}

/** Spawns a long-running node process; the caller stops it (see `stopProcess`). */
export function spawnNode(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Resolves when the process has exited, with its code and signal. */
export function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** Sends SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return exited(child);
  const done = exited(child);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves with the first line of `stream` that `match` accepts; rejects if the process exits
 * or `timeoutMs` passes first (with what it printed, to show why).
 */
export function waitForLine(
  child: ChildProcess,
  stream: "stdout" | "stderr",
  match: (line: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  const source = child[stream];
  if (!source) throw new Error(`${stream} is not piped`);
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const lines = createInterface({ input: source });
    const finish = (error?: Error, line?: string) => {
      clearTimeout(timer);
      lines.off("line", onLine);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(line as string);
    };
    const onLine = (line: string) => {
      seen.push(line);
      if (match(line)) finish(undefined, line);
    };
    const onExit = (code: number | null) =>
      finish(
        new Error(`process exited (${code}) before the line came; it printed:\n${seen.join("\n")}`),
      );
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `no matching line within ${timeoutMs} ms; ${stream} so far:\n${seen.join("\n")}`,
          ),
        ),
      timeoutMs,
    );
    lines.on("line", onLine);
    child.once("exit", onExit);
  });
}

export interface RunningServer {
  process: ChildProcess;
  url: string;
  pid: number;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `tenantgate serve` on a free port (PORT=0), waits for its "listening" log line to learn
 * the port, then for /readyz to answer 200.
 */
export async function startServer(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<RunningServer> {
  const child = spawnNode([CLI_PATH, "serve"], { PORT: "0", LOG_LEVEL: "info", ...env });
  try {
    const line = await waitForLine(
      child,
      "stderr",
      (l) => l.includes("tenantgate listening"),
      timeoutMs,
    );
    const { port } = JSON.parse(line) as { port: number };
    const url = `http://127.0.0.1:${port}`;
    await waitForReady(url, timeoutMs);
    return { process: child, url, pid: child.pid as number, stop: () => stopProcess(child) };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}

/** Polls GET /readyz until it answers 200. */
export async function waitForReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url}/readyz not ready within ${timeoutMs} ms: ${last}`);
}
