import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../src/db/connect.js";
import { summarizeRuns } from "../src/schedule/history-stats.js";
import {
  ensureRunsTable,
  finishRun,
  insertFinished,
  insertRunning,
  markAbandoned,
  RUNS_TABLE,
  readRuns,
  recordRollback,
} from "../src/schedule/history-store.js";
import { recordedRun } from "../src/schedule/record-run.js";
import { runCli } from "./helpers/cli.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  sharedServer,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { writeConfig } from "./helpers/serve-process.js";

const majors = testMajors();
const databases: FreshDatabase[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  for (const c of cleanups) c();
  await Promise.all(databases.map((d) => d.drop()));
});
async function fresh(m: PgMajor): Promise<FreshDatabase> {
  const db = await freshDatabase(m);
  databases.push(db);
  return db;
}

const SEED = `CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);
  INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 300) g;
  CREATE TABLE tags (id int PRIMARY KEY, item_id int REFERENCES items (id));
  INSERT INTO tags SELECT g, g FROM generate_series(1, 50) g;`;

const historyRows = (url: string) =>
  withClient(url, async (c) => (await c.query(`SELECT * FROM ${RUNS_TABLE} ORDER BY id`)).rows);

describe.each(majors)("run history on PostgreSQL %i", (major) => {
  const other = (majors.find((m) => m !== major) ?? major) as PgMajor;

  it("`run` records every run, successful or not, and `history` shows them with the success rate and median", async () => {
    const source = await fresh(other);
    const destination = await fresh(major);
    await withClient(source.url, (c) => c.query(SEED));
    const missing = sharedServer(other).url("no_such_database");
    const config = writeConfig({
      profiles: {
        nightly: { source: source.url, destination: destination.url },
        broken: { source: missing, destination: destination.url },
      },
    });
    cleanups.push(config.remove);

    for (let i = 0; i < 2; i++) {
      const run = await runCli(["run", "--profile", "nightly", "--config", config.file, "--json"]);
      expect(run.code).toBe(0);
    }
    const failed = await runCli(["run", "--profile", "broken", "--config", config.file]);
    expect(failed.code).toBe(1);

    const rows = await historyRows(destination.url);
    expect(rows.map((r) => [r.profile, r.trigger, r.status])).toEqual([
      ["nightly", "manual", "succeeded"],
      ["nightly", "manual", "succeeded"],
      ["broken", "manual", "failed"],
    ]);
    const [first, , broken] = rows;
    expect(Number(first.rows)).toBe(350);
    expect(first.tables).toBe(2);
    expect(Number(first.bytes)).toBeGreaterThan(0);
    expect(first.verification).toEqual({ method: "row counts", ok: true, mismatches: [] });
    expect(first.finished_at.getTime()).toBeGreaterThanOrEqual(first.started_at.getTime());
    expect(first.run_id).toMatch(/^[0-9a-f]{8}$/);
    // Every step's duration is kept.
    const steps = first.steps as { name: string; status: string; seconds: number }[];
    expect(steps.map((s) => s.name)).toContain("copy-data");
    expect(steps.find((s) => s.name === "cutover")?.status).toBe("done");
    expect(first.source).toBe(source.url.replace(/:[^:@/]+@/, ":***@"));
    expect(broken.error.message).toContain("no_such_database");
    expect(broken.error.kind).toBe("connection");
    expect(broken.steps.find((s: { name: string }) => s.name === "connect").status).toBe("failed");

    // The history schema is the tool's own: never swapped into a snapshot, never copied.
    const placed = await withClient(destination.url, async (c) =>
      (
        await c.query(
          "SELECT n.nspname FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace WHERE t.relname = 'runs' AND t.relkind = 'r'",
        )
      ).rows.map((r) => r.nspname),
    );
    expect(placed).toEqual(["_pgsync"]);

    const json = await runCli(["history", "--config", config.file, "--profile", "nightly", "--json"]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.profiles).toHaveLength(1);
    expect(parsed.profiles[0].summary).toMatchObject({ runs: 2, finished: 2, succeeded: 2, successRate: 1 });
    const [s1, s2] = rows.slice(0, 2).map((r) => r.seconds as number);
    expect(parsed.profiles[0].summary.medianSeconds).toBeCloseTo(((s1 ?? 0) + (s2 ?? 0)) / 2, 6);

    // Without --profile: every profile of the config (the built-in ones are skipped: no variables).
    const all = await runCli(["history", "--config", config.file], {
      RAILWAY_DATABASE_URL: "",
      DATABASE_URL: "",
      RAILWAY_BACKUP_DB_URL: "",
    });
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("nightly  (history on");
    expect(all.stdout).toContain("success rate 100% (2 of 2 finished runs)");
    expect(all.stdout).toContain("broken  (history on");
    expect(all.stdout).toContain("success rate 0% (0 of 1 finished runs)");
    expect(all.stdout).toMatch(/failed .*error: cannot connect to the source/);
    expect(all.stderr).toContain("skipping profile dev");

    // --to reads every profile recorded on a destination.
    const byUrl = await runCli(["history", "--to", destination.url, "--json"]);
    expect(JSON.parse(byUrl.stdout).profiles.map((p: { profile: string }) => p.profile)).toEqual([
      "broken",
      "nightly",
    ]);
  });

  it("a first run refused by a guard leaves the destination untouched: no history is created there", async () => {
    const source = await fresh(other);
    const destination = await fresh(major);
    await withClient(source.url, (c) => c.query(SEED));
    // A database pgsync-ts did not create, with data of its own: the run refuses it without --force.
    await withClient(destination.url, (c) =>
      c.query("CREATE TABLE precious (id int); INSERT INTO precious VALUES (1);"),
    );
    const run = await runCli(["run", "--from", source.url, "--to", destination.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("the run is not recorded in the run history");
    const schemas = await withClient(
      destination.url,
      async (c) => (await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE '\\_pgsync%'")).rows,
    );
    expect(schemas).toEqual([]);
  });

  it("a run that fails inside the cut-over transaction is still recorded, on its own connection", async () => {
    const source = await fresh(other);
    const destination = await fresh(major);
    await withClient(source.url, (c) => c.query(SEED));
    const warnings: string[] = [];
    const result = await recordedRun({
      profile: "p",
      trigger: "manual",
      connectSeconds: 10,
      warn: (m) => warnings.push(m),
      run: {
        sourceUrl: source.url,
        destinationUrl: destination.url,
        faultHook: (point) => {
          if (point === "cutover:before-commit") throw new Error("injected failure before COMMIT");
        },
      },
    });
    expect(warnings).toEqual([]);
    expect(result.status).toBe("failed");
    expect(result.recordId).not.toBeNull();
    const [row] = await historyRows(destination.url);
    expect(row).toMatchObject({ status: "failed", profile: "p", trigger: "manual" });
    expect(row.error.message).toContain("injected failure before COMMIT");
    expect(row.steps.find((s: { name: string }) => s.name === "cutover").status).toBe("failed");
    // The cut-over rolled back: nothing of the source is live on the destination.
    const live = await withClient(
      destination.url,
      async (c) => (await c.query("SELECT to_regclass('public.items') AS t")).rows[0].t,
    );
    expect(live).toBeNull();
  });

  it("a run whose process died is marked abandoned; a live one is left alone", async () => {
    const destination = await fresh(major);
    const start = {
      profile: "p",
      trigger: "manual" as const,
      startedAt: new Date(),
      source: "postgres://u:***@src/db",
      destination: "postgres://u:***@dst/db",
    };
    const dead = await connect({
      url: destination.url,
      side: "destination",
      connectSeconds: 10,
      applicationName: "history-test dead",
    });
    const alive = await connect({
      url: destination.url,
      side: "destination",
      connectSeconds: 10,
      applicationName: "history-test alive",
    });
    try {
      await ensureRunsTable(dead.client);
      const deadId = await insertRunning(dead.client, start);
      const aliveId = await insertRunning(alive.client, start);
      // The recorder's process is killed: its connection (and guard transaction) ends.
      await withClient(destination.url, (c) =>
        c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'history-test dead'",
        ),
      );
      await new Promise((r) => setTimeout(r, 200));
      const marked = await withClient(destination.url, (c) => markAbandoned(c));
      expect(marked).toEqual([deadId]);
      expect(
        await finishRun(
          alive.client,
          aliveId,
          { status: "succeeded", finishedAt: new Date(), seconds: 1.5 },
          true,
        ),
      ).toBe(true);
      const runs = await withClient(destination.url, (c) => readRuns(c, { limit: 10 }));
      const byId = new Map(runs.map((r) => [r.id, r]));
      expect(byId.get(deadId)?.status).toBe("abandoned");
      expect(byId.get(deadId)?.error?.message).toContain("stopped before the run ended");
      expect(byId.get(aliveId)).toMatchObject({ status: "succeeded", seconds: 1.5 });
      expect(summarizeRuns(runs)).toMatchObject({
        finished: 2,
        succeeded: 1,
        successRate: 0.5,
        medianSeconds: 1.5,
      });
    } finally {
      await dead.close();
      await alive.close();
    }
  });

  it("`history` shows the lock wait apart from the duration, and rollbacks apart from the runs' success rate", async () => {
    const destination = await fresh(major);
    const password = new URL(destination.url).password;
    expect(password.length).toBeGreaterThan(0);
    const at = (minute: number) => new Date(Date.UTC(2026, 1, 1, 10, minute));
    const start = {
      profile: "p",
      trigger: "manual" as const,
      startedAt: at(0),
      source: "postgres://sync:pw-in-url@src.example/app",
      destination: destination.url,
    };
    const ids = await withClient(destination.url, async (c) => {
      await ensureRunsTable(c);
      return [
        await insertFinished(c, start, {
          status: "succeeded",
          finishedAt: at(1),
          seconds: 4.5,
          lockWaitSeconds: 2.25,
        }),
        // Not measured: shown as unknown.
        await insertFinished(
          c,
          { ...start, startedAt: at(2) },
          {
            status: "failed",
            finishedAt: at(3),
            seconds: 1,
            error: { kind: "connection", message: "refused" },
          },
        ),
        await recordRollback(c, {
          profile: "p",
          startedAt: at(4),
          destination: destination.url,
          restoredSnapshot: "20260201t100000z_aaaa1111",
          keptSnapshot: "20260201t100400z_bbbb2222",
          end: {
            status: "succeeded",
            finishedAt: at(5),
            runId: "bbbb2222",
            seconds: 0.75,
            lockWaitSeconds: 0,
          },
        }),
      ];
    });

    const text = await runCli(["history", "--to", destination.url]);
    expect(text.code).toBe(0);
    const line = (needle: string) => text.stdout.split("\n").find((l) => l.includes(needle)) ?? "";
    expect(line("2026-02-01T10:00:00Z")).toMatch(/manual\s+succeeded\s+4\.5s\s+lock wait 2\.25s/);
    expect(line("2026-02-01T10:02:00Z")).toMatch(/manual\s+failed\s+1s\s+lock wait unknown\s+error: refused/);
    expect(line("2026-02-01T10:04:00Z")).toMatch(
      /rollback\s+succeeded\s+0\.75s\s+lock wait 0s\s+restored snapshot 20260201t100000z_aaaa1111\s+replaced state kept as 20260201t100400z_bbbb2222/,
    );
    // The rollback is listed, but the success rate counts runs only.
    expect(text.stdout).toContain("success rate 50% (1 of 2 finished runs)");

    const json = JSON.parse((await runCli(["history", "--to", destination.url, "--json"])).stdout);
    const listed = json.profiles[0].runs as { id: number; kind: string; lockWaitSeconds: number | null }[];
    expect(listed.map((r) => [r.id, r.kind, r.lockWaitSeconds])).toEqual([
      [ids[2], "rollback", 0],
      [ids[1], "sync", null],
      [ids[0], "sync", 2.25],
    ]);
    // Readers of runs (metrics, the status page, schedules) see the syncs only.
    const runs = await withClient(destination.url, (c) => readRuns(c, { limit: 10 }));
    expect(runs.map((r) => r.id)).toEqual([ids[1], ids[0]]);

    // Whatever the writer is given, the history keeps masked URLs; a rollback's source is its destination.
    const rows = await historyRows(destination.url);
    for (const r of rows) {
      expect(`${r.source} ${r.destination}`).not.toContain(password);
      expect(r.source).not.toContain("pw-in-url");
    }
    expect(rows[2]).toMatchObject({ kind: "rollback", source: rows[2].destination, trigger: "manual" });
  });
});
