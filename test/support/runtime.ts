import { fileURLToPath } from "node:url";
import { type Config, loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/lib/logger.js";
import { type Runtime, startRuntime } from "../../src/main.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The repo's own schema, the one the service deploys. */
export const SCHEMA_PATH = fileURLToPath(new URL("../../schema.zed", import.meta.url));

/** Tests keep quiet; set TEST_LOG_LEVEL=debug to see the service's logs. */
export const testLogger = createLogger(process.env.TEST_LOG_LEVEL ?? "silent");

/** A Config as the service would parse it, for a data dir (and anything else) of the test's. */
export function testConfig(env: Record<string, string> & { DATA_DIR: string }): Config {
  return loadConfig({ SCHEMA_PATH, LOG_LEVEL: "silent", ...env });
}

/** startRuntime on a data dir, with the repo's schema unless SCHEMA_PATH says otherwise. */
export function startTestRuntime(
  env: Record<string, string> & { DATA_DIR: string },
  options?: Parameters<typeof startRuntime>[2],
): Promise<Runtime> {
  return startRuntime(testConfig(env), testLogger, options);
}
