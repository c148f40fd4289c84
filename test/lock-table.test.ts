/**
 * A run refuses up front when a side's lock table cannot hold what the run locks at once: the
 * source's snapshot and worker sessions lock every copied table, the destination's cut-over every
 * table it moves. The refusal names the numbers and the setting to raise, and nothing is written.
 * The servers here are started with a deliberately small lock table (max_locks_per_transaction =
 * 10 × max_connections = 25: 250 slots); the same servers take a run that fits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import {
  createServer,
  type PgMajor,
  type ServerHandle,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const major = testMajors()[0] as PgMajor;
const database = databasesForThisFile();

/** `count` tables of fixed-width columns (no TOAST table), created 50 to a transaction. */
async function createTables(url: string, count: number): Promise<void> {
  await withClient(url, async (c) => {
    for (let from = 1; from <= count; from += 50) {
      const statements: string[] = [];
      for (let i = from; i < Math.min(from + 50, count + 1); i++)
        statements.push(
          `CREATE TABLE public.t_${i} (id integer PRIMARY KEY, at timestamptz NOT NULL); INSERT INTO public.t_${i} VALUES (1, now())`,
        );
      await c.query(statements.join("; "));
    }
  });
}

async function schemasOf(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query<{ name: string }>(
      "SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
    );
    return r.rows.map((row) => row.name);
  });
}

describe(`the lock table, PostgreSQL ${major}`, () => {
  let small: ServerHandle;
  beforeAll(async () => {
    small = await createServer({
      major,
      name: "small-locks",
      settings: { max_locks_per_transaction: 10, max_connections: 25 },
    });
    await small.start();
  });
  afterAll(async () => {
    await small?.stop();
  });

  it("a destination whose cut-over would not fit is refused in the plan step, naming the numbers", async () => {
    const source = await database(major);
    await createTables(source.url, 300);
    await withClient(small.url(), (c) => c.query("CREATE DATABASE refused"));
    const target = small.url("refused");
    const before = await schemasOf(target);
    const report = await runSync({ sourceUrl: source.url, destinationUrl: target, parallelism: 2 });
    expect(report.ok).toBe(false);
    expect(report.error?.kind).toBe("guard");
    expect(report.steps.find((s) => s.status === "failed")?.name).toBe("plan");
    const message = report.error?.message ?? "";
    expect(message).toContain("the destination's lock table is too small for this run");
    expect(message).toContain("its cut-over moves 300 staged and 0 live tables");
    expect(message).toContain("about 400 locks at once");
    expect(message).toContain(
      "max_locks_per_transaction = 10 × (max_connections = 25 + max_prepared_transactions = 0) gives 250",
    );
    // 400 locks over 25 sessions: 16 each, rounded up to a multiple of 16.
    expect(message).toContain("Raise max_locks_per_transaction on the destination to at least 16");
    expect(message).toContain("nothing was written");
    expect(await schemasOf(target)).toEqual(before);
  });

  it("a source whose snapshot and workers would not fit is refused before its tables are locked", async () => {
    const sourceDb = "many_tables";
    await withClient(small.url(), (c) => c.query(`CREATE DATABASE ${sourceDb}`));
    const sourceUrl = small.url(sourceDb);
    await createTables(sourceUrl, 150);
    const destination = await database(major);
    const report = await runSync({ sourceUrl, destinationUrl: destination.url, parallelism: 2 });
    expect(report.ok).toBe(false);
    expect(report.error?.kind).toBe("guard");
    expect(report.steps.find((s) => s.status === "failed")?.name).toBe("introspect");
    const message = report.error?.message ?? "";
    expect(message).toContain("the source's lock table is too small for this run");
    expect(message).toContain("its snapshot transaction locks 150 tables and its 2 worker sessions");
    // 150 by the snapshot, 150 by the other worker, 100 of catalog per session.
    expect(message).toContain("about 500 locks at once");
    expect(message).toContain("Raise max_locks_per_transaction on the source to at least 32");
    expect(await schemasOf(destination.url)).toEqual(["public"]);
  });

  it("a snapshot that takes more locks to drop than the lock table holds is pruned in parts", async () => {
    // 60 tables, each with a TOAST table, indexes, defaults and checks: a re-sync's cut-over fits
    // (it locks 120 tables), but DROP SCHEMA ... CASCADE of the snapshot locks every object it drops,
    // about 50 a table here, far more than this server's lock table holds.
    const source = await database(major);
    const columns = Array.from({ length: 20 }, (_, k) => k + 1).map(
      (k) => `c${k} integer NOT NULL DEFAULT ${k} CHECK (c${k} > 0)`,
    );
    await withClient(source.url, async (c) => {
      const statements: string[] = [];
      for (let i = 1; i <= 60; i++)
        statements.push(
          `CREATE TABLE public.w_${i} (id integer PRIMARY KEY, note text NOT NULL, ${columns.join(", ")})`,
          `CREATE INDEX ON public.w_${i} (c1); CREATE INDEX ON public.w_${i} (c2); CREATE INDEX ON public.w_${i} (c3)`,
          `INSERT INTO public.w_${i} (id, note) VALUES (1, 'n')`,
        );
      await c.query(statements.join("; "));
    });
    await withClient(small.url(), (c) => c.query("CREATE DATABASE pruned"));
    const target = small.url("pruned");
    const options = {
      sourceUrl: source.url,
      destinationUrl: target,
      parallelism: 1,
      retention: { days: 7, count: 1 },
    };
    const warnings: string[] = [];
    for (let run = 1; run <= 3; run++) {
      const report = await runSync(options);
      expect(report.error).toBeUndefined();
      warnings.push(...report.warnings);
      if (run === 3) expect(report.prunedSnapshots.length).toBeGreaterThan(0);
    }
    expect(warnings.filter((w) => /snapshot .* (was kept|not all of it)/.test(w))).toEqual([]);
    const schemas = await schemasOf(target);
    expect(schemas.filter((n) => n.startsWith("_pgsync_snap_"))).toHaveLength(1);
    expect(schemas.filter((n) => n.startsWith("_pgsync_stage_"))).toEqual([]);
    expect(await captureState(target)).toEqual(await captureState(source.url));

    // A drop in parts that stopped half way leaves the snapshot renamed to a dead run's staging
    // schema, its record gone: the next run's clean-leftovers step drops it, in parts too.
    const [kept] = schemas.filter((n) => n.startsWith("_pgsync_snap_"));
    await withClient(target, async (c) => {
      await c.query(`ALTER SCHEMA "${kept}" RENAME TO _pgsync_stage_0badf00d_1`);
      await c.query("DELETE FROM _pgsync.snapshots WHERE snapshot_schema = $1", [kept]);
      await c.query("DROP TABLE _pgsync_stage_0badf00d_1.w_1, _pgsync_stage_0badf00d_1.w_2");
    });
    const after = await runSync({ ...options, retention: { days: 7 } });
    expect(after.error).toBeUndefined();
    expect(after.warnings).toContain(
      "dropped 1 staging schema(s) left by an interrupted run: _pgsync_stage_0badf00d_1",
    );
    expect((await schemasOf(target)).filter((n) => n.startsWith("_pgsync_stage_"))).toEqual([]);
  });

  it("a run that fits the same small lock table goes through", async () => {
    const source = await database(major);
    await createTables(source.url, 40);
    await withClient(small.url(), (c) => c.query("CREATE DATABASE fits"));
    const target = small.url("fits");
    const report = await runSync({ sourceUrl: source.url, destinationUrl: target, parallelism: 2 });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    const copied = await captureState(target);
    expect(copied).toEqual(await captureState(source.url));
  });
});
