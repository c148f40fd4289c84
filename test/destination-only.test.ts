/**
 * Commands that touch only the destination (rollback, snapshots, history) resolve only the
 * profile's destination: its source variable may be unset on the machine that runs them.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { testMajors, withClient } from "./helpers/pg-servers.js";
import { writeConfig } from "./helpers/safety-cli.js";

const database = databasesForThisFile();

describe.each(testMajors().slice(-1))("PostgreSQL %i", (major) => {
  it("rollback, snapshots and history --profile work with only the destination's variable set", async () => {
    const source = await database(major);
    const destination = await database(major);
    await withClient(source.url, (c) =>
      c.query("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)"),
    );
    const config = writeConfig({
      profiles: {
        dr: {
          source: { env: "PGSYNC_TEST_UNSET_SOURCE" },
          destination: { env: "PGSYNC_TEST_DESTINATION" },
          retention: { days: 7 },
        },
      },
    });
    const env = { PGSYNC_TEST_DESTINATION: destination.url, PGSYNC_TEST_SOURCE: source.url };
    const runs = [
      await runCli(["run", "--profile", "dr", "--config", config], {
        ...env,
        PGSYNC_TEST_UNSET_SOURCE: source.url,
      }),
    ];
    await withClient(source.url, (c) => c.query("INSERT INTO t VALUES (2)"));
    runs.push(
      await runCli(["run", "--profile", "dr", "--config", config], {
        ...env,
        PGSYNC_TEST_UNSET_SOURCE: source.url,
      }),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);

    // A run needs the source, and says which variable is missing.
    const refused = await runCli(["run", "--profile", "dr", "--config", config], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("PGSYNC_TEST_UNSET_SOURCE is not set");

    const snapshots = await runCli(["snapshots", "--profile", "dr", "--config", config, "--json"], env);
    expect(snapshots.code, snapshots.stderr).toBe(0);
    expect((JSON.parse(snapshots.stdout) as { snapshots: unknown[] }).snapshots).toHaveLength(2);

    const history = await runCli(["history", "--profile", "dr", "--config", config, "--json"], env);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('"profile": "dr"');

    const rollback = await runCli(["rollback", "--profile", "dr", "--config", config, "--yes"], env);
    expect(rollback.code, rollback.stderr).toBe(0);
    const rows = await withClient(destination.url, (c) =>
      c.query<{ id: number }>("SELECT id FROM t ORDER BY id"),
    );
    expect(rows.rows.map((r) => r.id)).toEqual([1]);

    // Ad hoc, a destination-only command takes --to alone.
    const adHoc = await runCli(["snapshots", "--to", destination.url]);
    expect(adHoc.code, adHoc.stderr).toBe(0);
    expect(adHoc.stdout).toContain("snapshot(s) take");
  });
});
