import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Starts one real PostgreSQL server per major (PGSYNC_TEST_VERSIONS) for the whole run.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    // Child processes rather than threads: tests spawn servers and must not share a process's state.
    pool: "forks",
    // 2-core machine, and every worker talks to up to five postgres servers.
    maxWorkers: 2,
  },
});
