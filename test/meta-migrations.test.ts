/**
 * The tool's own metadata schema `_pgsync` has a version and one migration path. A schema written
 * by the release before versioning (test/fixtures/meta-v1.sql, its DDL verbatim) is upgraded and
 * every row it held still reads through the library's readers; migrating is idempotent, safe to
 * run from several sessions at once, and refuses a schema from a newer release without writing.
 */
import { readFileSync } from "node:fs";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { formatHistory } from "../src/cli/history-command.js";
import { PgsyncError } from "../src/errors.js";
import { restoreDatabaseSettings } from "../src/restore/database-settings.js";
import { savedLargeObjects } from "../src/restore/large-objects.js";
import { ensureMetaSchema, listSnapshots, readManaged } from "../src/restore/meta.js";
import {
  checkMetaSchemaVersion,
  META_MIGRATIONS,
  META_VERSION,
  migrateMetaSchema,
} from "../src/restore/migrations.js";
import { summarizeRuns } from "../src/schedule/history-stats.js";
import { ensureRunsTable, readRuns } from "../src/schedule/history-store.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { type PgMajor, testMajors, withClient } from "./helpers/pg-servers.js";

const RELEASE_BEFORE_VERSIONING = readFileSync(new URL("./fixtures/meta-v1.sql", import.meta.url), "utf8");
const fresh = databasesForThisFile();

const SNAP = "20260105t020000z_ab12cd34";
const ROLLED = "20260106t030000z_ef56ab78";
const LO_ONLY = "20260107t040000z_cd90ef12";
const SNAP_PUBLIC = `_pgsync_snap_${SNAP}_0`;
const SNAP_APP = `_pgsync_snap_${SNAP}_1`;
const SNAP_ROLLED = `_pgsync_snap_${ROLLED}_0`;

/** Rows as that release wrote them: every column it had, its JSON shapes, and unmasked URLs it may have kept. */
const SEED = `
CREATE SCHEMA ${SNAP_PUBLIC};
CREATE TABLE ${SNAP_PUBLIC}.items (id int PRIMARY KEY, name text);
INSERT INTO ${SNAP_PUBLIC}.items SELECT g, 'item ' || g FROM generate_series(1, 500) g;
CREATE SCHEMA ${SNAP_APP};
CREATE SCHEMA ${SNAP_ROLLED};
INSERT INTO _pgsync.managed (first_run_id, adopted_at, source_identity, how)
  VALUES ('ab12cd34', '2026-01-01 00:00:00+00', 'system 7 database app', 'forced');
INSERT INTO _pgsync.snapshots (snapshot_schema, original_schema, snapshot_id, run_id, taken_at, reason, existed) VALUES
  ('${SNAP_PUBLIC}', 'public', '${SNAP}', 'ab12cd34', '2026-01-05 02:00:00+00', 'run', true),
  ('${SNAP_APP}', 'app', '${SNAP}', 'ab12cd34', '2026-01-05 02:00:00+00', 'run', false),
  ('${SNAP_ROLLED}', 'public', '${ROLLED}', 'ef56ab78', '2026-01-06 03:00:00+00', 'rollback', true);
INSERT INTO _pgsync.database_settings VALUES ('${SNAP}', '{work_mem=64MB,pgsync.production=off}');
INSERT INTO _pgsync.large_object_snapshots (snapshot_id, run_id, taken_at, reason, objects, bytes) VALUES
  ('${SNAP}', 'ab12cd34', '2026-01-05 02:00:00+00', 'run', 1, 3),
  ('${LO_ONLY}', 'cd90ef12', '2026-01-07 04:00:00+00', 'run', 0, 0);
INSERT INTO _pgsync.large_objects VALUES ('${SNAP}', 424242, 'alice', NULL, 3);
INSERT INTO _pgsync.large_object_chunks VALUES ('${SNAP}', 424242, 0, '\\x616263');
INSERT INTO _pgsync.runs (profile, trigger, scheduled_for, started_at, finished_at, status, run_id, seconds, steps,
                          tables, rows, bytes, verification, error, source, destination, host, pid) VALUES
  ('nightly', 'scheduled', '2026-01-05 02:00:00+00', '2026-01-05 02:00:01+00', '2026-01-05 02:00:13.5+00',
   'succeeded', 'ab12cd34', 12.5,
   '[{"name":"connect","status":"done","seconds":0.25},{"name":"cutover","status":"done","seconds":0.5}]',
   2, 12345678901, 4096, '{"method":"row counts","ok":true,"mismatches":[]}', NULL,
   'postgres://sync@src.example:5432/app?sslmode=require&password=secret',
   'postgres://sync:***@dst.example/app', 'runner-1', 4242),
  ('nightly', 'manual', NULL, '2026-01-06 09:00:00+00', '2026-01-06 09:00:02+00', 'failed', 'ef56ab78', 2,
   '[{"name":"connect","status":"failed","seconds":2,"error":"no route"},{"name":"guard","status":"not run","seconds":0}]',
   NULL, NULL, NULL, NULL, '{"kind":"connection","message":"cannot connect to the source","side":"source"}',
   'postgres://user:pa@ss@src.example/app', 'postgresql://user:pa@ss@dst.example:6432/app', 'runner-2', 77),
  ('nightly', 'scheduled', '2026-01-07 02:00:00+00', '2026-01-07 02:30:00+00', '2026-01-07 02:30:00+00',
   'skipped', NULL, NULL, '[]', NULL, NULL, NULL, NULL, '{"kind":"misfire","message":"missed by 30 minutes"}',
   'postgres://sync:***@src.example/app', 'postgres://sync:***@dst.example/app', 'runner-1', 4242);`;

async function releaseBeforeVersioning(major: PgMajor) {
  const db = await fresh(major);
  await withClient(db.url, (c) => c.query(`${RELEASE_BEFORE_VERSIONING}\n${SEED}`));
  return db;
}

/** Everything observable about `_pgsync`: its columns, constraints, indexes, comments and rows. */
async function metaState(c: pg.Client): Promise<Record<string, string[]>> {
  const list = async (sql: string) => (await c.query<{ x: string }>(sql)).rows.map((r) => r.x);
  const inMeta = "n.nspname = '_pgsync'";
  const state: Record<string, string[]> = {
    columns: await list(`
      SELECT cl.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
             || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') || coalesce(' -- ' || col_description(cl.oid, a.attnum), '') AS x
      FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE ${inMeta} AND cl.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1`),
    constraints: await list(`
      SELECT cl.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid) AS x
      FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
      WHERE ${inMeta} AND co.contype <> 'n' ORDER BY 1`),
    indexes: await list(`
      SELECT pg_get_indexdef(i.indexrelid) AS x FROM pg_index i JOIN pg_class cl ON cl.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE ${inMeta} ORDER BY 1`),
  };
  const tables = await list(`
    SELECT cl.relname AS x FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
    WHERE ${inMeta} AND cl.relkind = 'r' AND cl.relname <> 'schema_version' ORDER BY 1`);
  for (const t of tables) state[t] = await list(`SELECT t::text AS x FROM _pgsync.${t} t ORDER BY 1`);
  return state;
}

const versions = (c: pg.Client) =>
  c
    .query<{ version: number }>("SELECT version FROM _pgsync.schema_version ORDER BY version")
    .then((r) => r.rows.map((v) => v.version));

const ALL_STEPS = META_MIGRATIONS.map((m) => m.version);

describe.each(testMajors())("metadata migrations on PostgreSQL %i", (major) => {
  it("upgrades a schema the release before versioning wrote, and every row it held still reads", async () => {
    const db = await releaseBeforeVersioning(major);
    await withClient(db.url, async (c) => {
      const before = await metaState(c);
      expect(await migrateMetaSchema(c)).toEqual({ from: 0, to: META_VERSION, applied: ALL_STEPS });
      expect(await versions(c)).toEqual(ALL_STEPS);

      expect(await readManaged(c)).toEqual({
        firstRunId: "ab12cd34",
        adoptedAt: new Date("2026-01-01T00:00:00Z"),
        how: "forced",
      });
      const tableBytes = Number(
        (await c.query(`SELECT pg_total_relation_size('${SNAP_PUBLIC}.items') AS b`)).rows[0].b,
      );
      expect(tableBytes).toBeGreaterThan(0);
      expect(await listSnapshots(c)).toEqual([
        {
          snapshotId: LO_ONLY,
          runId: "cd90ef12",
          takenAt: new Date("2026-01-07T04:00:00Z"),
          reason: "run",
          schemas: [],
          bytes: 0,
          largeObjects: { objects: 0, bytes: 0 },
        },
        {
          snapshotId: ROLLED,
          runId: "ef56ab78",
          takenAt: new Date("2026-01-06T03:00:00Z"),
          reason: "rollback",
          schemas: [{ original: "public", snapshot: SNAP_ROLLED, existed: true }],
          bytes: 0,
        },
        {
          snapshotId: SNAP,
          runId: "ab12cd34",
          takenAt: new Date("2026-01-05T02:00:00Z"),
          reason: "run",
          schemas: [
            { original: "app", snapshot: SNAP_APP, existed: false },
            { original: "public", snapshot: SNAP_PUBLIC, existed: true },
          ],
          bytes: tableBytes + 3,
          largeObjects: { objects: 1, bytes: 3 },
        },
      ]);
      expect(await savedLargeObjects(c, SNAP)).toEqual([{ oid: 424242, owner: "alice", grants: null }]);
      // The kept settings read back (inside a transaction rolled back: the database keeps its own).
      await c.query("BEGIN");
      expect(await restoreDatabaseSettings(c, SNAP, "kept-in-test")).toEqual({
        set: ["work_mem"],
        reset: [],
      });
      await c.query("ROLLBACK");

      const runs = await readRuns(c, { limit: 10, kinds: ["sync", "rollback"] });
      expect(runs.map((r) => [r.kind, r.trigger, r.status, r.lockWaitSeconds])).toEqual([
        ["sync", "scheduled", "skipped", null],
        ["sync", "manual", "failed", null],
        ["sync", "scheduled", "succeeded", null],
      ]);
      const [skipped, failed, succeeded] = runs;
      expect(succeeded).toMatchObject({
        runId: "ab12cd34",
        profile: "nightly",
        scheduledFor: new Date("2026-01-05T02:00:00Z"),
        startedAt: new Date("2026-01-05T02:00:01Z"),
        finishedAt: new Date("2026-01-05T02:00:13.500Z"),
        seconds: 12.5,
        steps: [
          { name: "connect", status: "done", seconds: 0.25 },
          { name: "cutover", status: "done", seconds: 0.5 },
        ],
        tables: 2,
        rows: 12345678901,
        bytes: 4096,
        verification: { method: "row counts", ok: true, mismatches: [] },
        error: null,
        restoredSnapshot: null,
        keptSnapshot: null,
        host: "runner-1",
        pid: 4242,
      });
      expect(failed?.steps[0]).toEqual({ name: "connect", status: "failed", seconds: 2, error: "no route" });
      expect(failed?.error).toEqual({
        kind: "connection",
        message: "cannot connect to the source",
        side: "source",
      });
      expect(skipped?.error).toEqual({ kind: "misfire", message: "missed by 30 minutes" });
      // The URLs were rewritten masked: no password left, the rest of each URL kept.
      const urls = runs.flatMap((r) => [r.source, r.destination]);
      for (const url of urls) {
        expect(url).not.toContain("secret");
        expect(url).not.toContain("pa@ss");
        expect(url).toMatch(/^postgres(ql)?:\/\/(sync|user)\b.*@(src|dst)\.example\b/);
      }
      expect(succeeded?.source).toContain("sslmode=require");
      expect(failed?.destination).toContain("dst.example:6432/app");
      // Rows that held no password are left exactly as they were.
      expect(skipped?.source).toBe("postgres://sync:***@src.example/app");
      expect(succeeded?.destination).toBe("postgres://sync:***@dst.example/app");

      const shown = formatHistory([
        { profile: "nightly", destination: "dst", summary: summarizeRuns(runs), runs },
      ]);
      expect(shown.match(/lock wait unknown/g)).toHaveLength(2);
      expect(shown).not.toContain("secret");

      // Nothing else changed: the same tables and rows, plus the new columns (their values unknown).
      const after = await metaState(c);
      const added = after.columns?.filter((col) => !before.columns?.includes(col)) ?? [];
      expect(added.map((col) => col.replace(/ -- .*/, ""))).toEqual([
        // Version 5: the masking rules' fingerprint of each masked run (a table of its own).
        "masking_runs.fingerprint text false",
        "masking_runs.recorded_at timestamp with time zone true default now()",
        "masking_runs.run_id text true",
        "runs.kept_snapshot text false",
        "runs.kind text true default 'sync'::text",
        "runs.lock_wait_seconds double precision false",
        "runs.restored_snapshot text false",
        "schema_version.applied_at timestamp with time zone true default now()",
        "schema_version.description text true",
        "schema_version.version integer true",
      ]);
      expect(after.managed).toEqual(before.managed);
      expect(after.snapshots).toEqual(before.snapshots);
      expect(after.database_settings).toEqual(before.database_settings);
      expect(after.large_objects).toEqual(before.large_objects);
      expect(after.large_object_chunks).toEqual(before.large_object_chunks);
    });
  });

  it("migrating again changes nothing, even when every step runs again", async () => {
    const db = await releaseBeforeVersioning(major);
    await withClient(db.url, async (c) => {
      await migrateMetaSchema(c);
      const migrated = await metaState(c);
      expect(await migrateMetaSchema(c)).toEqual({ from: META_VERSION, to: META_VERSION, applied: [] });
      expect(await metaState(c)).toEqual(migrated);
      // Each step is idempotent on its own: forgetting the record replays all of them, to the same state.
      await c.query("DELETE FROM _pgsync.schema_version");
      expect(await migrateMetaSchema(c)).toEqual({ from: 0, to: META_VERSION, applied: ALL_STEPS });
      expect(await metaState(c)).toEqual(migrated);
      expect(await versions(c)).toEqual(ALL_STEPS);
    });
  });

  it("sessions migrating at once do not collide: one applies the steps, the others find them done", async () => {
    for (const start of ["empty", "release before versioning"] as const) {
      const db = start === "empty" ? await fresh(major) : await releaseBeforeVersioning(major);
      const reports = await Promise.all(
        Array.from({ length: 4 }, () =>
          withClient(db.url, async (c) => {
            // Each session has looked the schema up before (as a run or the history does), so a
            // stale answer from its catalog cache would show as a collision.
            await c.query("SELECT to_regclass('_pgsync.schema_version'), to_regnamespace('_pgsync')");
            return migrateMetaSchema(c);
          }),
        ),
      );
      expect(reports.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(ALL_STEPS);
      expect(reports.filter((r) => r.applied.length > 0).map((r) => r.from)).toEqual([0]);
      await withClient(db.url, async (c) => {
        expect(await versions(c)).toEqual(ALL_STEPS);
        expect(await readRuns(c, { limit: 10 })).toHaveLength(start === "empty" ? 0 : 3);
      });
    }
  });

  it("a migration waits for whoever holds the metadata lock, and writes nothing meanwhile", async () => {
    const db = await fresh(major);
    await withClient(db.url, async (holder) => {
      // The key the history writer has always used (older releases included) and the migrations take.
      await holder.query("BEGIN; SELECT pg_advisory_xact_lock(hashtext('pgsync-ts:meta-ddl'))");
      let settled = false;
      const migrating = withClient(db.url, (c) => migrateMetaSchema(c)).finally(() => {
        settled = true;
      });
      const waiting = async () =>
        (
          await holder.query(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
             WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`,
          )
        ).rows[0].n === 1;
      while (!settled && !(await waiting())) await new Promise((r) => setTimeout(r, 20));
      expect(settled).toBe(false);
      const schema = await holder.query("SELECT 1 FROM pg_namespace WHERE nspname = '_pgsync'");
      expect(schema.rows).toEqual([]);
      await holder.query("COMMIT");
      expect(await migrating).toEqual({ from: 0, to: META_VERSION, applied: ALL_STEPS });
    });
  });

  it("a schema from a newer release is refused, naming both versions, and nothing is written", async () => {
    const db = await releaseBeforeVersioning(major);
    await withClient(db.url, async (c) => {
      await c.query(`CREATE TABLE _pgsync.schema_version (
        version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
        INSERT INTO _pgsync.schema_version (version, description) VALUES (1, 'baseline'), (99, 'from the future')`);
      const before = await metaState(c);
      for (const migrate of [
        () => migrateMetaSchema(c),
        () => ensureMetaSchema(c),
        () => ensureRunsTable(c),
        () => checkMetaSchemaVersion(c),
      ]) {
        const error = await migrate().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(PgsyncError);
        expect((error as PgsyncError).kind).toBe("guard");
        expect((error as PgsyncError).message).toContain("version 99");
        expect((error as PgsyncError).message).toContain(`version ${META_VERSION}`);
      }
      expect(await metaState(c)).toEqual(before);
      expect(await versions(c)).toEqual([1, 99]);
      // The unmasked URL is still there: the rewrite step did not run either.
      expect(before.runs?.join("\n")).toContain("password=secret");
    });
  });
});
