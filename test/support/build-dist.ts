import { execFileSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./runtime.js";

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Vitest's global setup: the tests that start `tenantgate` as a process run bin/tenantgate.js,
 * which runs the bundle in dist/server. When src/ is newer than the last build, build first (tsc
 * is incremental; the bundle takes about a second), so those tests never run yesterday's code.
 */
export default function buildDist(): void {
  // tsc leaves its files alone when their content did not change, so a stamp of our own.
  const stamp = join(REPO_ROOT, "dist/.built-for-tests");
  let built = 0;
  try {
    built = statSync(stamp).mtimeMs;
  } catch {
    // Never built for the tests.
  }
  if (newest(join(REPO_ROOT, "src")) <= built) return;
  for (const args of [
    [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    [join(REPO_ROOT, "scripts/build-server.mjs")],
  ]) {
    execFileSync(process.execPath, args, { cwd: REPO_ROOT, stdio: "inherit" });
  }
  writeFileSync(stamp, "");
}
