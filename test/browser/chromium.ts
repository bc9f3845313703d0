import { existsSync } from "node:fs";

/**
 * Debian's Chromium, which the browser suites drive. Without it they skip (vitest.config.ts says
 * so once); in CI (CI=true) a missing browser stops the run instead, since .ci/run installs it.
 */
export const CHROMIUM = "/usr/bin/chromium";

export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (process.env.CI === "true")
    throw new Error(`${CHROMIUM} is missing; .ci/run installs Debian's chromium package`);
  return `${CHROMIUM} is missing (apt-get install -y chromium)`;
}
