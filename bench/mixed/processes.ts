/**
 * Processes of the mixed benchmark: servers it starts (their output kept in a log file, shown
 * when they fail), children it runs to completion, CPU time from /proc, free ports.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..");

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** CPU seconds a process has used (user + system, all threads), from /proc; undefined elsewhere. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The 1-minute load average, as `uptime` shows it. */
export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address
          ? resolvePort(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

export interface Server {
  process: ChildProcess;
  pid: number | undefined;
  log: string;
  stop(): Promise<void>;
}

/** Starts a long-running server with its stdout and stderr going to `log`. */
export function startServer(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; log: string },
): Server {
  const fd = openSync(options.log, "a");
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  return {
    process: child,
    pid: child.pid,
    log: options.log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(force);
    },
  };
}

/** The end of a server's log, for an error message. */
export function tail(log: string, lines = 15): string {
  try {
    return readFileSync(log, "utf8").trim().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Waits until `url` answers `ok` (default: any 2xx), or the server exits. */
export async function waitForHttp(
  url: string,
  server: Server | undefined,
  {
    seconds = 120,
    ok = (status: number) => status >= 200 && status < 300,
    init,
  }: { seconds?: number; ok?: (status: number) => boolean; init?: RequestInit } = {},
): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (server && server.process.exitCode !== null)
      throw new Error(`server exited (${server.process.exitCode}):\n${tail(server.log)}`);
    try {
      if (ok((await fetch(url, init)).status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `${url} did not answer within ${seconds} s${server ? `:\n${tail(server.log)}` : ""}`,
  );
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 30 * 60 * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.status ?? result.signal}):\n${`${result.stdout}\n${result.stderr}`.trim().slice(-3000)}`,
    );
  return result.stdout;
}

/** Runs one of the benchmark's TypeScript children with a JSON plan; resolves with its JSON line. */
export function runChild<T>(script: string, plan: unknown, workDir: string): Promise<T> {
  const planFile = join(workDir, `plan-${Date.now()}-${Math.floor(Math.random() * 1e6)}.json`);
  writeFileSync(planFile, JSON.stringify(plan));
  return new Promise((resolveChild, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "bench/mixed", script), planFile],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${script} failed (${code}): ${stderr}`));
      try {
        resolveChild(JSON.parse(stdout.trim().split("\n").at(-1) as string) as T);
      } catch (error) {
        reject(new Error(`${script} printed no result: ${String(error)}\n${stdout}\n${stderr}`));
      }
    });
  });
}
