/**
 * PGSYNC_TEST_PAUSE_AT stops a run only in the test suite's own entry point: the shipped CLI's
 * entry (main() without enableTestHooks) runs through and warns that the variable is ignored.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { databasesForThisFile } from "./helpers/pairs.js";
import { testMajors, withClient } from "./helpers/pg-servers.js";

const database = databasesForThisFile();
const MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));

function runShippedEntry(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string }> {
  // What bin/pgsync-ts.js does, from the sources: main() with no test hooks enabled.
  const script = `import(${JSON.stringify(MAIN)}).then(async (m) => { process.exitCode = await m.main(process.argv); })`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "-e", script, "--", "pgsync-ts", ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe.each(testMajors().slice(-1))("PostgreSQL %i", (major) => {
  it("the shipped entry point ignores PGSYNC_TEST_PAUSE_AT, with a warning, and never waits", async () => {
    const source = await database(major);
    const destination = await database(major);
    await withClient(source.url, (c) =>
      c.query("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)"),
    );
    const result = await runShippedEntry(["run", "--from", source.url, "--to", destination.url], {
      PGSYNC_TEST_PAUSE_AT: "before:copy-data",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("PGSYNC_TEST_PAUSE_AT is set but ignored");
    expect(result.stderr).not.toContain("PGSYNC_TEST_PAUSED");
  });
});
