/**
 * Shared steps of the ordering-fidelity tests (test/fidelity-ordering*.test.ts): a source built from
 * a fixture, a sync with runSync, and the judges: plain pg_catalog queries read on both sides, and
 * the independent oracle (test/oracle), never the tool's own introspection.
 */
import type pg from "pg";
import { expect } from "vitest";
import { runSync } from "../../src/pipeline/run.js";
import { catalogFingerprint, dataFingerprint, diffFingerprints, formatDiff } from "../oracle/index.js";
import type { databasesForThisFile } from "./pairs.js";
import { type PgMajor, sharedServer, testMajors, withClient } from "./pg-servers.js";

export type Fresh = ReturnType<typeof databasesForThisFile>;

/** Same version, and newest to oldest. */
export function orderingPairs(): [PgMajor, PgMajor][] {
  const majors = testMajors();
  const newest = majors[majors.length - 1] as PgMajor;
  const oldest = majors[0] as PgMajor;
  return newest === oldest
    ? [[newest, newest]]
    : [
        [newest, newest],
        [newest, oldest],
      ];
}

/** Rows of a catalog query as strings, read with search_path = pg_catalog (every user name qualified). */
export async function lines(url: string, sql: string): Promise<string[]> {
  return withClient(url, async (c) => {
    await c.query("SET search_path = pg_catalog");
    return (await c.query<{ x: string }>(sql)).rows.map((r) => r.x);
  });
}

export async function sync(sourceUrl: string, destinationUrl: string): Promise<void> {
  const report = await runSync({ sourceUrl, destinationUrl, parallelism: 2 });
  expect(report.error).toBeUndefined();
  expect(report.ok).toBe(true);
}

/**
 * The source, an empty destination, and the reference: the same fixture built natively on the
 * destination's major, whose deparsed catalog (pg_get_viewdef prints differently across majors) is
 * what the destination must read back.
 */
export async function pair(
  fresh: Fresh,
  from: PgMajor,
  to: PgMajor,
  fixture: string,
  as: "owner" | "superuser" = "owner",
): Promise<{ src: string; dst: string; ref: string }> {
  const [source, destination, reference] = await Promise.all([fresh(from), fresh(to), fresh(to)]);
  // Base types and internal functions need a superuser on both sides.
  const url = (db: { name: string; url: string }, major: PgMajor) =>
    as === "superuser" ? sharedServer(major).superuserUrl(db.name) : db.url;
  const [src, dst, ref] = [url(source, from), url(destination, to), url(reference, to)];
  await Promise.all([withClient(src, (c) => c.query(fixture)), withClient(ref, (c) => c.query(fixture))]);
  return { src, dst, ref };
}

export const IN_APP = "n.nspname = 'app'";

export const FUNCTIONS = `
  SELECT pg_get_functiondef(p.oid) AS x FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE ${IN_APP} ORDER BY p.proname`;

export async function rowsOf(url: string, query: string): Promise<string[]> {
  return lines(url, `SELECT q::text AS x FROM (${query}) q ORDER BY 1`);
}

/** The independent oracle's fingerprint of a database: its catalog and every table's data. */
async function fingerprint(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const result = [...(await catalogFingerprint(client)), ...(await dataFingerprint(client))];
    await client.query("ROLLBACK");
    return result;
  });
}

/**
 * The oracle finds no difference between the destination and the reference. `except` leaves out
 * lines the native reference cannot predict (the caller checks those against the source).
 */
export async function expectOracleSame(ref: string, dst: string, except?: RegExp): Promise<void> {
  const kept = (lines: string[]) => (except ? lines.filter((l) => !except.test(l)) : lines);
  const [expected, actual] = (await Promise.all([fingerprint(ref), fingerprint(dst)])).map(kept) as [
    string[],
    string[],
  ];
  expect(expected.length).toBeGreaterThan(10);
  const diff = diffFingerprints(expected, actual);
  expect(
    { onlyInReference: diff.onlyInA.length, onlyInDestination: diff.onlyInB.length },
    formatDiff(diff),
  ).toEqual({
    onlyInReference: 0,
    onlyInDestination: 0,
  });
}

/** The destination's catalog reads the same as the reference's (built natively on its major). */
export async function expectSame(ref: string, dst: string, ...queries: string[]): Promise<void> {
  for (const q of queries) {
    const [expected, actual] = await Promise.all([lines(ref, q), lines(dst, q)]);
    expect(actual).toEqual(expected);
  }
}

/** The SQLSTATE a statement fails with, or undefined when it succeeds. */
export async function errorCode(url: string, sql: string): Promise<string | undefined> {
  return withClient(url, async (c: pg.Client) => {
    try {
      await c.query(sql);
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  });
}

/** Nothing of the sync on the destination: no schema app, no staging schema. */
export const WRITTEN =
  "SELECT nspname AS x FROM pg_namespace WHERE nspname = 'app' OR nspname LIKE '\\_pgsync\\_stage%'";
