/**
 * The guards: never write into the source (detected by server identity and database, not URL
 * text), never into a destination marked as production unless the profile allows it, never over a
 * non-empty destination pgsync-ts did not create unless --force (or the profile) adopts it once, and
 * never two runs at once on one destination (the second waits or fails, as lockWait says).
 */
import { afterAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { runCli } from "./helpers/cli.js";
import { captureState } from "./helpers/db-state.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  sharedServer,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { pausedCli, spawnCli, userSchemas, writeConfig } from "./helpers/safety-cli.js";

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
const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";
/** Schemas other than the tool's metadata (the CLI's run history may record a refused run there). */
const liveSchemas = async (url: string) => (await userSchemas(url)).filter((s) => s !== "_pgsync");
const SOURCE_SQL =
  "CREATE TABLE public.items (id int PRIMARY KEY, name text); INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, 50) g;";

/**
 * A run (library and command line) is refused by a guard with `message`, and the destination is
 * left exactly as it was.
 */
async function expectRefused(
  source: FreshDatabase,
  destination: FreshDatabase,
  message: string,
): Promise<void> {
  const before = await captureState(destination.url);
  const schemasBefore = await userSchemas(destination.url);
  const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
  expect(report.error).toMatchObject({ kind: "guard" });
  expect(await userSchemas(destination.url)).toEqual(schemasBefore);
  const refused = await runCli(["run", "--from", source.url, "--to", destination.url]);
  expect(refused.code).toBe(1);
  expect(lastLine(refused.stderr)).toContain(message);
  expect(await captureState(destination.url)).toEqual(before);
  expect(await liveSchemas(destination.url)).toEqual(schemasBefore);
}

describe.each(majors)("guards on PostgreSQL %i", (major) => {
  it("refuses to write into the source when the destination is the same database spelled differently", async () => {
    const db = await fresh(major);
    await withClient(db.url, (c) => c.query(SOURCE_SQL));
    const asIp = db.url;
    const asName = db.url.replace("@127.0.0.1:", "@localhost:");
    expect(asName).not.toBe(asIp);
    const schemasBefore = await userSchemas(db.url);
    const stateBefore = await captureState(db.url);

    // The run itself writes nothing at all, not even its metadata schema.
    const report = await runSync({ sourceUrl: asIp, destinationUrl: asName });
    expect(report.error).toMatchObject({ kind: "guard" });
    expect(report.steps.find((s) => s.status === "failed")?.name).toBe("guard");
    expect(await userSchemas(db.url)).toEqual(schemasBefore);

    const result = await runCli(["run", "--from", asIp, "--to", asName]);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toBe(
      `pgsync-ts: error: the destination is the source database itself ("${db.name}" on the same server); refusing to write into the source`,
    );
    expect(await captureState(db.url)).toEqual(stateBefore);
    expect(await liveSchemas(db.url)).toEqual(schemasBefore);

    // Another database on the same server, reached through "localhost", is a different destination.
    const other = await fresh(major);
    const ok = await runCli(["run", "--from", asIp, "--to", other.url.replace("@127.0.0.1:", "@localhost:")]);
    expect(ok.code).toBe(0);
    expect(await captureState(other.url)).toEqual(stateBefore);
  });

  // The setting needs a superuser on 15 and later; the comment only the database owner.
  const markers: [string, (db: FreshDatabase) => Promise<unknown>, string][] = [
    [
      "ALTER DATABASE ... SET pgsync.role = 'production'",
      (db) =>
        withClient(sharedServer(major).superuserUrl(db.name), (c) =>
          c.query(`ALTER DATABASE "${db.name}" SET pgsync.role = 'production'`),
        ),
      "pgsync.role = 'production'",
    ],
    [
      "a database comment with pgsync:production",
      (db) =>
        withClient(db.url, (c) =>
          c.query(`COMMENT ON DATABASE "${db.name}" IS 'Billing (pgsync:production), do not overwrite'`),
        ),
      "its comment says pgsync:production",
    ],
  ];
  it.each(markers)(
    "refuses a destination marked as production (%s) unless the profile allows it",
    async (_name, mark, described) => {
      const source = await fresh(major);
      const destination = await fresh(major);
      await withClient(source.url, (c) => c.query(SOURCE_SQL));
      await mark(destination);
      await expectRefused(
        source,
        destination,
        `the destination database "${destination.name}" is marked as production (${described}); refusing to replace it`,
      );

      const profile = { source: source.url, destination: destination.url };
      const stillRefused = await runCli([
        "run",
        "--profile",
        "prod",
        "--config",
        writeConfig({ profiles: { prod: profile } }),
      ]);
      expect(stillRefused.code).toBe(1);

      const allowed = await runCli([
        "run",
        "--profile",
        "prod",
        "--config",
        writeConfig({ profiles: { prod: { ...profile, allowProduction: true } } }),
      ]);
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(await captureState(destination.url)).toEqual(await captureState(source.url));
    },
  );

  it("refuses a non-empty destination it did not create; --force adopts it once", async () => {
    const source = await fresh(major);
    const destination = await fresh(major);
    await withClient(source.url, (c) => c.query(SOURCE_SQL));
    await withClient(destination.url, (c) =>
      c.query(
        "CREATE TABLE public.mine (id int, note text); INSERT INTO public.mine VALUES (1, 'precious');",
      ),
    );
    await expectRefused(
      source,
      destination,
      `the destination database "${destination.name}" already holds 1 object(s) that pgsync-ts did not create, which a run would replace: table "public"."mine". Pass --force`,
    );

    const forced = await runCli([
      "run",
      "--from",
      source.url,
      "--to",
      destination.url,
      "--force",
      "--keep",
      "3",
    ]);
    expect(forced.code).toBe(0);
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
    await withClient(destination.url, async (c) => {
      const managed = await c.query("SELECT how FROM _pgsync.managed");
      expect(managed.rows).toEqual([{ how: "forced" }]);
      // What was there is kept in the snapshot, not lost.
      const snap = await c.query(
        "SELECT snapshot_schema FROM _pgsync.snapshots WHERE original_schema = 'public'",
      );
      const kept = await c.query(`SELECT note FROM "${snap.rows[0].snapshot_schema}".mine`);
      expect(kept.rows).toEqual([{ note: "precious" }]);
    });

    // Adopted: the next run needs no flag.
    await withClient(source.url, (c) => c.query("INSERT INTO public.items VALUES (51, 'later')"));
    const later = await runCli(["run", "--from", source.url, "--to", destination.url]);
    expect(later.code).toBe(0);
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
  });

  it("counts the destination's large objects: a run of the whole database would replace them", async () => {
    const source = await fresh(major);
    const destination = await fresh(major);
    await withClient(source.url, (c) => c.query(SOURCE_SQL));
    await withClient(destination.url, (c) => c.query("SELECT lo_from_bytea(0, 'precious'::bytea)"));
    await expectRefused(
      source,
      destination,
      "already holds 1 object(s) that pgsync-ts did not create, which a run would replace: 1 large object(s). Pass --force",
    );
    // A run of selected schemas leaves large objects alone, so they do not make the destination non-empty.
    const selected = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      schemas: ["public"],
    });
    expect(selected.ok).toBe(true);
    const kept = await withClient(destination.url, async (c) => {
      const r = await c.query("SELECT convert_from(lo_get(oid), 'UTF8') AS v FROM pg_largeobject_metadata");
      return r.rows.map((x) => x.v);
    });
    expect(kept).toEqual(["precious"]);
  });

  it("a profile with force: true adopts a non-empty destination too", async () => {
    const source = await fresh(major);
    const destination = await fresh(major);
    await withClient(source.url, (c) => c.query(SOURCE_SQL));
    await withClient(destination.url, (c) => c.query("CREATE TABLE public.items (id int)"));
    const config = writeConfig({
      profiles: { adopt: { source: source.url, destination: destination.url, force: true } },
    });
    const result = await runCli(["run", "--profile", "adopt", "--config", config]);
    expect(result.code).toBe(0);
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
  });
});

describe("two runs onto one destination never overlap", () => {
  const major = majors[majors.length - 1] as PgMajor;

  async function busyDestination() {
    const source = await fresh(major);
    const destination = await fresh(major);
    await withClient(source.url, (c) => c.query(SOURCE_SQL));
    const first = await pausedCli(["run", "--from", source.url, "--to", destination.url], "before:copy-data");
    return { source, destination, first };
  }

  it('with lockWait "fail" the second run fails at once and clearly', async () => {
    const { source, destination, first } = await busyDestination();
    try {
      const config = writeConfig({ defaults: { lockWait: "fail" } });
      const second = await runCli(["run", "--from", source.url, "--to", destination.url, "--config", config]);
      expect(second.code).toBe(1);
      // Clear: it says what holds the destination, and which session.
      expect(lastLine(second.stderr)).toMatch(
        /^pgsync-ts: error: another pgsync-ts run is writing to this destination \(its advisory lock is held\); held by pid \d+ \(application "pgsync-ts [0-9a-f]{8}", user "\w+", idle in transaction since /,
      );
    } finally {
      first.resume();
    }
    expect((await first.exited).code).toBe(0);
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
  });

  it('with lockWait "wait" the second run waits for the first, then runs', async () => {
    const { source, destination, first } = await busyDestination();
    const config = writeConfig({ defaults: { lockWait: "wait", timeouts: { lockSeconds: 120 } } });
    const second = spawnCli(["run", "--from", source.url, "--to", destination.url, "--config", config]);
    let secondDone = false;
    void second.exited.then(() => {
      secondDone = true;
    });
    try {
      await second.waitForStderr(/step guard done/);
      // The lock is polled every second: give it a few chances to (wrongly) get through.
      await new Promise((r) => setTimeout(r, 3000));
      expect(secondDone).toBe(false);
      expect(second.stderr()).not.toContain("step lock done");
    } finally {
      first.resume();
    }
    expect((await first.exited).code).toBe(0);
    expect((await second.exited).code).toBe(0);
    expect(second.stderr()).toContain("step lock done");
    // The second run started its work only after the first had committed: its snapshot is the first run's result.
    await withClient(destination.url, async (c) => {
      const snaps = await c.query("SELECT DISTINCT run_id FROM _pgsync.snapshots");
      expect(snaps.rowCount).toBe(1); // ad hoc keeps one: the second run's, holding the first run's copy
      const snap = await c.query(
        "SELECT snapshot_schema FROM _pgsync.snapshots WHERE original_schema = 'public'",
      );
      const rows = await c.query(`SELECT count(*)::int AS n FROM "${snap.rows[0].snapshot_schema}".items`);
      expect(rows.rows[0].n).toBe(50);
    });
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
  });
});
