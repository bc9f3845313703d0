import { configDefaults, defineConfig } from "vitest/config";
import { browserSkipReason } from "./test/browser/chromium.js";
import { skipReason } from "./test/support/spicedb.js";

/**
 * Every test runs against the default identity store (SQLite). When TEST_DATABASE_URL names a
 * Postgres server (.ci/run starts one), the HTTP suite runs a second time with the identity store
 * in Postgres: the same tests, both stores.
 *
 * The `spicedb` project runs the production path: real SpiceDB (scripts/spicedb.sh builds it) on
 * Postgres. Its own suites live in test/spicedb/ and skip themselves when SpiceDB is missing; the
 * HTTP suite joins it, in remote mode with the identity store in Postgres, when SpiceDB is there.
 * In CI a missing SpiceDB stops the run here (see test/support/spicedb.ts).
 */
const postgres = process.env.TEST_DATABASE_URL;
const withoutSpicedb = skipReason();
// Said once: vitest evaluates this file again for each project that extends it.
const warned = Symbol.for("tenantgate.spicedb-skip-warned");
const registry = globalThis as { [warned]?: boolean };
if (withoutSpicedb && !registry[warned]) {
  registry[warned] = true;
  console.warn(`real-SpiceDB tests skipped: ${withoutSpicedb}`);
}

// The browser suites (test/browser/) skip without Debian's Chromium; said once here, like SpiceDB.
const withoutBrowser = browserSkipReason();
const browserWarned = Symbol.for("tenantgate.browser-skip-warned");
const browserRegistry = globalThis as { [browserWarned]?: boolean };
if (withoutBrowser && !browserRegistry[browserWarned]) {
  browserRegistry[browserWarned] = true;
  console.warn(`browser tests skipped: ${withoutBrowser}`);
}

export default defineConfig({
  test: {
    // The process tests run the compiled service (built if src/ changed since) and the console
    // from the current sources.
    globalSetup: ["test/support/build-dist.ts", "test/support/build-console.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each test file starts its own embedded SpiceDB; two cores run two files at a time.
    pool: "forks",
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/spicedb/**"],
        },
      },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: {
                name: "postgres",
                include: ["test/http/**/*.test.ts", "test/e2e/replicas.test.ts"],
                env: { TEST_STORE: "postgres" },
              },
            },
          ]
        : []),
      {
        extends: true,
        test: {
          name: "spicedb",
          include: [
            "test/spicedb/**/*.test.ts",
            ...(withoutSpicedb ? [] : ["test/http/**/*.test.ts"]),
          ],
          env: { TEST_STORE: "postgres", TEST_ENGINE: "spicedb" },
        },
      },
    ],
  },
});
