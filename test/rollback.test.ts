/**
 * rollback: the newest snapshot comes back as the live state, exactly, atomically; the state it
 * replaces is kept as a snapshot, so a rollback can itself be undone.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { listSnapshots } from "../src/restore/meta.js";
import { rollback } from "../src/restore/rollback.js";
import { runCli } from "./helpers/cli.js";
import { captureState } from "./helpers/db-state.js";
import {
  createRole,
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { pausedCli, userSchemas } from "./helpers/safety-cli.js";

const FIXTURE = readFileSync(new URL("./fixtures/foundation-kinds.sql", import.meta.url), "utf8");
const majors = testMajors();
const databases: FreshDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});
async function fresh(major: PgMajor): Promise<FreshDatabase> {
  const db = await freshDatabase(major);
  databases.push(db);
  return db;
}

async function snapshotsOf(url: string) {
  return withClient(url, (c) => listSnapshots(c));
}

describe.each(majors)("rollback on PostgreSQL %i", (major) => {
  const sourceMajor = majors[(majors.indexOf(major) + 1) % majors.length] as PgMajor;

  it("brings back the exact previous contents, and a second rollback brings back the newer ones", async () => {
    const source = await fresh(sourceMajor);
    const destination = await fresh(major);
    await withClient(source.url, (c) => c.query(FIXTURE));
    const first = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(first.error).toBeUndefined();
    const stateA = await captureState(destination.url);
    const liveSchemas = async () =>
      (await userSchemas(destination.url)).filter((s) => !s.startsWith("_pgsync"));
    const schemasA = await liveSchemas();

    // The second state differs in rows, in a dropped table, and in a schema the first did not have.
    await withClient(source.url, (c) =>
      c.query(`
        UPDATE app.users SET score = score * 2 WHERE id % 3 = 0;
        DELETE FROM app.members WHERE role = 'admin';
        DROP TABLE public.settings;
        CREATE SCHEMA added;
        CREATE TABLE added.things (id int PRIMARY KEY, name text);
        INSERT INTO added.things SELECT g, 't' || g FROM generate_series(1, 25) g;
        SELECT setval('app.invoice_numbers', 5000);`),
    );
    const second = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(second.error).toBeUndefined();
    const stateB = await captureState(destination.url);
    expect(stateB).toEqual(await captureState(source.url));
    expect(stateB).not.toEqual(stateA);
    expect(stateB.rows["added.things"]).toHaveLength(25);

    const undo = await runCli(["rollback", "--to", destination.url, "--yes"]);
    expect(undo.stderr).toBe("");
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain(`rolled back to snapshot ${second.snapshot?.id}`);
    // Row for row, sequence for sequence, the first state; the schema the second run added is gone.
    expect(await captureState(destination.url)).toEqual(stateA);
    expect(await liveSchemas()).toEqual(schemasA);

    // The replaced state is a snapshot now (reason "rollback"), newest first.
    const after = await snapshotsOf(destination.url);
    expect(after[0]?.reason).toBe("rollback");
    expect(after[0]?.bytes).toBeGreaterThan(0);
    expect(undo.stdout).toContain(`kept as snapshot ${after[0]?.snapshotId}`);

    // Undo the undo.
    const redo = await rollback({ destinationUrl: destination.url });
    expect(redo.restored.snapshotId).toBe(after[0]?.snapshotId);
    expect(await captureState(destination.url)).toEqual(stateB);

    // And a run after all that still works and is exact.
    const third = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(third.error).toBeUndefined();
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
  });

  it("puts the database's own settings back as the snapshot kept them, and never touches pgsync.* markers", async () => {
    const source = await fresh(sourceMajor);
    const destination = await fresh(major);
    const settingsOf = (db: FreshDatabase) =>
      withClient(db.url, async (c) => {
        const r = await c.query<{ setconfig: string[] | null }>(
          `SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
           WHERE d.datname = current_database() AND s.setrole = 0`,
        );
        return [...(r.rows[0]?.setconfig ?? [])].sort();
      });
    await withClient(source.url, (c) =>
      c.query(`CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY);
               ALTER DATABASE "${source.name}" SET work_mem = '7MB';
               ALTER DATABASE "${source.name}" SET search_path = app, public;`),
    );
    await withClient(destination.url, (c) =>
      c.query(`ALTER DATABASE "${destination.name}" SET work_mem = '3MB';
               ALTER DATABASE "${destination.name}" SET statement_timeout = '5min';
               ALTER DATABASE "${destination.name}" SET pgsync.note = 'mine';`),
    );
    const before = await settingsOf(destination);
    // search_path is carried only on request (src/sql/settings-policy.ts).
    const run = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      copyDatabaseSettings: true,
    });
    expect(run.error).toBeUndefined();
    const synced = await settingsOf(destination);
    // The run sets the source's settings and resets none of the destination's own.
    expect(synced).toEqual(
      ["pgsync.note=mine", "search_path=app, public", "statement_timeout=5min", "work_mem=7MB"].sort(),
    );

    const undo = await runCli(["rollback", "--to", destination.url, "--yes"]);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain(
      "database settings as the snapshot kept them: work_mem set, search_path reset",
    );
    expect(await settingsOf(destination)).toEqual(before);

    // A marker changed since stays as it is now, whichever state comes back.
    await withClient(destination.url, (c) =>
      c.query(`ALTER DATABASE "${destination.name}" SET pgsync.note = 'later'`),
    );
    const redo = await rollback({ destinationUrl: destination.url });
    expect(redo.databaseSettings).toEqual({ set: ["search_path", "work_mem"], reset: [] });
    expect(await settingsOf(destination)).toEqual(
      synced.map((s) => (s === "pgsync.note=mine" ? "pgsync.note=later" : s)),
    );
    // Each restored snapshot's settings went live with it; only the newest kept state remains.
    const kept = await withClient(destination.url, async (c) =>
      (await c.query("SELECT snapshot_id FROM _pgsync.database_settings")).rows.map((r) => r.snapshot_id),
    );
    expect(kept).toEqual([redo.keptAs]);
  });

  it("run by a role that does not own the database: the data comes back, differing settings stay, with a warning", async () => {
    const source = await fresh(sourceMajor);
    const destination = await fresh(major);
    const role = await createRole(major, "pgsync_not_db_owner", { password: "not-owner-pw-1" });
    await withClient(destination.url, (c) =>
      c.query(`GRANT CREATE ON DATABASE "${destination.name}" TO ${role.name}`),
    );
    await withClient(source.url, (c) =>
      c.query(
        "CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY); INSERT INTO app.t VALUES (1), (2)",
      ),
    );
    const asRole = role.url(destination.name);
    const run = await runSync({ sourceUrl: source.url, destinationUrl: asRole, schemas: ["app"] });
    expect(run.error).toBeUndefined();
    // The owner changes a setting afterwards; the role may not change it back.
    await withClient(destination.url, (c) =>
      c.query(`ALTER DATABASE "${destination.name}" SET work_mem = '9MB'`),
    );
    const undo = await rollback({ destinationUrl: asRole });
    expect(undo.databaseSettings?.notRestored).toBe(
      "database settings not restored (work_mem differ): only the database's owner may change them",
    );
    expect(undo.warnings).toContain(undo.databaseSettings?.notRestored);
    // The data came back (the schema did not exist before the run).
    expect(await userSchemas(destination.url)).not.toContain("app");
  });

  it("rolls back to an older snapshot by id, and refuses an unknown one", async () => {
    const source = await fresh(sourceMajor);
    const destination = await fresh(major);
    await withClient(source.url, (c) => c.query("CREATE TABLE t (id int PRIMARY KEY, v text)"));
    const states = [];
    for (const v of ["one", "two", "three"]) {
      await withClient(source.url, (c) => c.query(`DELETE FROM t; INSERT INTO t VALUES (1, '${v}')`));
      const r = await runSync({
        sourceUrl: source.url,
        destinationUrl: destination.url,
        retention: { days: 7, count: 5 },
      });
      expect(r.error).toBeUndefined();
      states.push(await captureState(destination.url));
    }
    // Snapshots, newest first: the state before run 3 ("two"), before run 2 ("one"), before run 1 (empty).
    const snapshots = await snapshotsOf(destination.url);
    expect(snapshots).toHaveLength(3);
    const result = await runCli([
      "rollback",
      "--to",
      destination.url,
      "--yes",
      "--snapshot",
      snapshots[1]?.snapshotId ?? "",
    ]);
    expect(result.code).toBe(0);
    expect(await captureState(destination.url)).toEqual(states[0]);

    const unknown = await runCli(["rollback", "--to", destination.url, "--yes", "--snapshot", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no snapshot "nope" on the destination');
    expect(await captureState(destination.url)).toEqual(states[0]);
  });

  it("refuses without --yes when there is no terminal to ask on (exit 2), changing nothing", async () => {
    const source = await fresh(sourceMajor);
    const destination = await fresh(major);
    await withClient(source.url, (c) => c.query("CREATE TABLE t (id int); INSERT INTO t VALUES (1)"));
    expect((await runSync({ sourceUrl: source.url, destinationUrl: destination.url })).ok).toBe(true);
    await withClient(source.url, (c) => c.query("INSERT INTO t VALUES (2)"));
    expect((await runSync({ sourceUrl: source.url, destinationUrl: destination.url })).ok).toBe(true);
    const before = await captureState(destination.url);
    const snapshotsBefore = await snapshotsOf(destination.url);

    const result = await runCli(["rollback", "--to", destination.url]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "pgsync-ts: error: rollback replaces the live destination; pass --yes to confirm (no terminal to ask on)",
    );
    expect(await captureState(destination.url)).toEqual(before);
    expect(await snapshotsOf(destination.url)).toEqual(snapshotsBefore);
  });

  it("says so when there is nothing to roll back to", async () => {
    const destination = await fresh(major);
    const result = await runCli(["rollback", "--to", destination.url, "--yes"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the destination has no snapshot to roll back to");
  });
});

describe("rollback while a run is working on the destination", () => {
  const major = majors[0] as PgMajor;
  it("fails at once and changes nothing; the run then completes", async () => {
    const source = await fresh(major);
    const destination = await fresh(major);
    await withClient(source.url, (c) =>
      c.query("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10)"),
    );
    expect((await runSync({ sourceUrl: source.url, destinationUrl: destination.url })).ok).toBe(true);
    const before = await captureState(destination.url);
    await withClient(source.url, (c) => c.query("INSERT INTO t VALUES (11)"));

    const run = await pausedCli(["run", "--from", source.url, "--to", destination.url], "before:copy-data");
    try {
      const result = await runCli(["rollback", "--to", destination.url, "--yes"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("another pgsync-ts run");
      expect(await captureState(destination.url)).toEqual(before);
    } finally {
      run.resume();
    }
    expect((await run.exited).code).toBe(0);
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
  });
});
