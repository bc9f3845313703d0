import type { ChildProcess } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, test } from "vitest";
import { freshId } from "../support/ids.js";
import { exited, spawnNode } from "../support/processes.js";
import { readAllRelationships, storedRelationships, touchAll } from "../support/relationships.js";
import { REPO_ROOT, SCHEMA_PATH, startTestRuntime } from "../support/runtime.js";
import { tempDirForTest } from "../support/temp-dir.js";

const WRITE_STORM = `${REPO_ROOT}test/fixtures/write-storm.ts`;

/** The embedded engine's socket files, which a killed process leaves behind in the temp dir. */
function removeStreamingSockets(pid: number): void {
  for (const name of readdirSync(tmpdir())) {
    if (name.startsWith(`spicedb-streaming-${pid}-`)) rmSync(join(tmpdir(), name), { force: true });
  }
}

describe("crash durability", () => {
  let storm: ChildProcess | undefined;
  afterEach(() => {
    storm?.kill("SIGKILL");
  });

  test("a writer killed with SIGKILL mid-storm keeps every acknowledged write, and whole batches only", async () => {
    const dataDir = tempDirForTest("storm");
    // Something written before the storm must survive it too.
    const [t, a] = [freshId("t"), freshId("a")];
    const before = await startTestRuntime({ DATA_DIR: dataDir });
    await touchAll(before.services.engine, [`tenant:${t}#member@account:${a}`]);
    await before.close();

    // Kill at a different point each run, after some hundreds of acknowledgements.
    const killAfter = 300 + Math.floor(Math.random() * 400);
    storm = spawnNode(["--import", "tsx", WRITE_STORM], {
      DATA_DIR: dataDir,
      SCHEMA_PATH,
      LOG_LEVEL: "warn",
    });
    const child = storm;
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const closed = new Promise((resolve) => child.once("close", resolve));
    const acked: string[] = [];
    const batchSizes = new Map<number, number>();
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on("line", (line) => {
        const [kind, first, second] = line.split(" ");
        if (kind === "ack" && first) acked.push(first);
        if (kind === "batch") batchSizes.set(Number(first), Number(second));
        if (acked.length >= killAfter && child.exitCode === null && child.signalCode === null) {
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.once("exit", (code, signal) => {
        if (signal !== "SIGKILL")
          reject(new Error(`write storm exited by itself (${code}, ${signal}):\n${stderr}`));
      });
    });
    expect((await exited(child)).signal).toBe("SIGKILL");
    removeStreamingSockets(child.pid as number);
    await closed; // every line it managed to print has been read
    expect(acked.length).toBeGreaterThanOrEqual(killAfter);

    // Restart on the same data dir: the dead writer's lock is taken over.
    const after = await startTestRuntime({ DATA_DIR: dataDir });
    try {
      const present = await readAllRelationships(after.services.engine);
      const presentSet = new Set(present);
      const lost = acked.filter((rel) => !presentSet.has(rel));
      expect(lost, `${lost.length} of ${acked.length} acknowledged writes lost`).toEqual([]);
      expect(presentSet.has(`tenant:${t}#member@account:${a}`)).toBe(true);

      // Each batch is there whole or not at all (the one in flight at the kill may be either).
      const perBatch = new Map<number, number>();
      for (const rel of present) {
        const batch = /^project:storm_(\d+)_/.exec(rel)?.[1];
        if (batch !== undefined)
          perBatch.set(Number(batch), (perBatch.get(Number(batch)) ?? 0) + 1);
      }
      const torn = [...perBatch].filter(([batch, count]) => count !== batchSizes.get(batch));
      expect(torn, "batches present in part: [batch, relationships present]").toEqual([]);

      // SQLite holds exactly what the engine loaded.
      expect(storedRelationships(after.services.db)).toEqual(present);
    } finally {
      await after.close();
    }
  });
});
