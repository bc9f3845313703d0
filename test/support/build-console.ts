import { execFileSync } from "node:child_process";
import { REPO_ROOT } from "./runtime.js";

/**
 * Vitest global setup: builds the console (a second or two with esbuild) so that every test,
 * the route matrix and the browser suites included, serves the console from the current
 * sources, not from whatever dist/ an earlier `npm install` left.
 */
export default function buildConsole(): void {
  execFileSync(process.execPath, ["console/build.mjs"], { cwd: REPO_ROOT, stdio: "inherit" });
}
