/**
 * Shared steps of the property-fidelity tests (test/fidelity-properties*.test.ts): a source built
 * from a fixture, a sync with runSync, and catalog reads by plain SQL on both sides. The judge is
 * always pg_catalog (and pg_get_*def), never the tool's own introspection.
 */
import { expect } from "vitest";
import { type RunReport, runSync } from "../../src/pipeline/run.js";
import { catalogFingerprint, diffFingerprints, formatDiff } from "../oracle/index.js";
import { databasesForThisFile } from "./pairs.js";
import { type PgMajor, sharedServer, testMajors, withClient } from "./pg-servers.js";

export type Pair = readonly [PgMajor, PgMajor];

export function newest(): PgMajor {
  const majors = testMajors();
  return majors[majors.length - 1] as PgMajor;
}

export function oldest(): PgMajor {
  return testMajors()[0] as PgMajor;
}

/** The same version (the newest of the run), and newest to oldest when the run has two versions. */
export function samePlusDown(): Pair[] {
  return newest() === oldest()
    ? [[newest(), newest()]]
    : [
        [newest(), newest()],
        [newest(), oldest()],
      ];
}

/** Every pair of the run whose versions satisfy the condition, each once. */
export function pairsWhere(ok: (from: PgMajor, to: PgMajor) => boolean): Pair[] {
  const majors = testMajors();
  const candidates: Pair[] = [
    [newest(), newest()],
    [newest(), oldest()],
    [oldest(), oldest()],
    [oldest(), newest()],
    ...majors.flatMap((a) => majors.map((b) => [a, b] as Pair)),
  ];
  const seen = new Set<string>();
  return candidates.filter(([a, b]) => {
    const key = `${a}-${b}`;
    if (seen.has(key) || !ok(a, b)) return false;
    seen.add(key);
    return true;
  });
}

/** Throw-away databases of one test file; superuser URLs (access methods, wrappers and aggregates over internal need one). */
export function fixturePairs(): (from: PgMajor, to: PgMajor, fixture: string) => Promise<Databases> {
  const fresh = databasesForThisFile();
  return async (from, to, fixture) => {
    const [source, destination] = await Promise.all([fresh(from), fresh(to)]);
    const src = sharedServer(from).superuserUrl(source.name);
    const dst = sharedServer(to).superuserUrl(destination.name);
    await withClient(src, (c) => c.query(fixture));
    return { src, dst, sourceName: source.name, fresh };
  };
}

export interface Databases {
  readonly src: string;
  readonly dst: string;
  readonly sourceName: string;
  readonly fresh: ReturnType<typeof databasesForThisFile>;
}

/** Rows of a catalog query as strings (column `x`), read with search_path = pg_catalog. */
export async function lines(url: string, sql: string): Promise<string[]> {
  return withClient(url, async (c) => {
    await c.query("SET search_path = pg_catalog");
    return (await c.query<{ x: string }>(sql)).rows.map((r) => String(r.x));
  });
}

export async function sync(src: string, dst: string): Promise<RunReport> {
  const report = await runSync({ sourceUrl: src, destinationUrl: dst, parallelism: 2 });
  expect(report.error).toBeUndefined();
  expect(report.ok).toBe(true);
  return report;
}

async function major(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const r = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return Math.floor(Number(r.rows[0]?.v) / 10000);
  });
}

/** The independent oracle's difference between the two databases' schema fp ("" when none). */
export async function oracleDifference(
  src: string,
  dst: string,
  normalize: (line: string) => string = (line) => line,
): Promise<string> {
  const [a, b] = [await major(src), await major(dst)];
  const fingerprint = (url: string, peerMajor: number) =>
    withClient(url, async (c) => {
      await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      try {
        return await catalogFingerprint(c, { schemas: ["fp"], peerMajor });
      } finally {
        await c.query("ROLLBACK");
      }
    });
  const [fa, fb] = [await fingerprint(src, b), await fingerprint(dst, a)];
  return formatDiff(diffFingerprints(fa.map(normalize), fb.map(normalize)));
}

/**
 * The destination reads back what the source holds for every query, and the source is not
 * vacuous: each `mustContain` text is found in some line of the source's answers. The oracle
 * (test/oracle) then compares the whole of schema fp.
 */
export async function expectSame(
  src: string,
  dst: string,
  queries: readonly string[],
  mustContain: readonly string[],
  /** A documented rewrite: applied to the oracle's lines of both sides before they are compared. */
  normalize?: (line: string) => string,
): Promise<void> {
  for (const sql of queries) {
    const [expected, actual] = await Promise.all([lines(src, sql), lines(dst, sql)]);
    expect(actual).toEqual(expected);
  }
  const all = (await Promise.all(queries.map((q) => lines(src, q)))).flat();
  for (const text of mustContain)
    expect(
      all.some((l) => l.includes(text)),
      text,
    ).toBe(true);
  expect(await oracleDifference(src, dst, normalize)).toBe("");
}

/**
 * The run is refused in the plan step, before anything is written: the error names every object
 * (each pattern), and the destination holds no staging schema and no object of the source.
 */
export async function expectRefused(report: RunReport, dst: string, patterns: readonly RegExp[]) {
  expect(report.ok).toBe(false);
  expect(report.error?.kind).toBe("unportable");
  expect(report.steps.find((s) => s.status === "failed")?.name).toBe("plan");
  for (const p of patterns) expect(String(report.error?.message)).toMatch(p);
  const leftover = await lines(
    dst,
    `SELECT nspname AS x FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('public', 'information_schema') ORDER BY 1`,
  );
  expect(leftover).toEqual([]);
}

/** Columns of the relations of schema fp, in their physical order, with the properties a query names. */
export const IN_FP = "n.nspname = 'fp'";
