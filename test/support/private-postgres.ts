import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createTempDir } from "./temp-dir.js";

/**
 * A Postgres server of the test's own (initdb in a temp dir, on a free port), for tests that
 * stop and restart the database under a running service: the shared server other tests use is
 * never touched. Debian's binaries (/usr/lib/postgresql/N/bin); when the tests run as root, as
 * in CI, the server runs as the `postgres` OS user, since Postgres refuses root.
 */
export interface PrivatePostgres {
  /** Superuser URL of the `postgres` database (trust authentication, loopback only). */
  url: string;
  port: number;
  /** pg_ctl stop -m fast: the server goes away (its data stays). */
  halt(): Promise<void>;
  /** Starts the halted server again, with the same settings. */
  resume(): Promise<void>;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (!newest) throw new Error(`no Postgres server binaries under ${root}`);
  return join(root, newest, "bin");
}

export async function startPrivatePostgres(port: number): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const dir = createTempDir("private-pg");
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  // Asynchronous, so that a test's traffic goes on while the server stops and starts.
  const run = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const command = asRoot ? "runuser" : join(bin, tool);
      const argv = asRoot ? ["-u", "postgres", "--", join(bin, tool), ...args] : args;
      execFile(command, argv, { cwd: dir, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`${tool} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`),
          );
        else resolve();
      });
    });
  // track_commit_timestamp lets SpiceDB serve Watch; fsync off: test data, faster.
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c track_commit_timestamp=on",
    "-c fsync=off",
    "-c max_connections=50",
  ].join(" ");
  const start = () =>
    run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-o", options, "-w", "start"]);
  const stop = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  try {
    await run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync"]);
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let up = true;
  let removed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async halt() {
      await stop();
      up = false;
    },
    async resume() {
      await start();
      up = true;
    },
    async stop() {
      if (removed) return;
      removed = true;
      try {
        if (up) await stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
