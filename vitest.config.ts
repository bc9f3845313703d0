import { defineConfig } from "vitest/config";

/**
 * Every test runs against the default identity store (SQLite). When TEST_DATABASE_URL names a
 * Postgres server (.ci/run starts one), the HTTP suite runs a second time with the identity store
 * in Postgres: the same tests, both stores.
 */
const postgres = process.env.TEST_DATABASE_URL;

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each test file starts its own embedded SpiceDB; two cores run two files at a time.
    pool: "forks",
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "sqlite", include: ["test/**/*.test.ts"] } },
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
    ],
  },
});
