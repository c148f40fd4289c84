import { defineConfig } from "vitest/config";

/**
 * Two projects. `unit` (test/unit) needs no server: pure functions fed inputs, checked against the
 * exact SQL or objects they must produce; `npm run test:unit` runs it alone, in seconds. `integration`
 * (test/*.test.ts) runs against real PostgreSQL servers that its global setup starts. `vitest run`
 * runs both, each file once; a file filter (`vitest run test/cli.test.ts`) starts only the project
 * whose files it names, so running unit files alone never boots a server.
 */
export default defineConfig({
  test: {
    teardownTimeout: 60_000,
    // 2-core machine, and every integration worker talks to up to five postgres servers.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // A few unit tests spawn the command line (no server): generous on a busy machine.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/*.test.ts"],
          // Starts one real PostgreSQL server per major (PGSYNC_TEST_VERSIONS) for the whole run.
          globalSetup: ["test/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Child processes rather than threads: tests spawn servers and must not share a process's state.
          pool: "forks",
          maxWorkers: 2,
        },
      },
    ],
  },
});
