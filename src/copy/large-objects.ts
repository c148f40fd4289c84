import type pg from "pg";
import { z } from "zod";
import { int, num, queryOne } from "../db/rows.js";
import { baseSettings, execute, inTransaction } from "../db/session.js";
import { type PgsyncError, wrapError } from "../errors.js";
import { LARGE_OBJECT_CHUNK, LARGE_OBJECT_SIZES } from "../introspect/queries/large-objects.js";
import { quoteIdent } from "../sql/quote.js";
import { streamCopy } from "./copy-table.js";

/**
 * Staging of large objects. They belong to no schema, so they are not in the swapped staging
 * schemas: their content goes into tables of a schema of its own, named with the run's staging
 * prefix (so a failed run's cleanup and the next run's leftover cleaning drop it), and the cut-over
 * turns the rows into large objects (src/restore/large-objects.ts).
 */

export interface StagedLargeObjects {
  readonly objects: number;
  /** Their total size (content bytes, as the source reports them). */
  readonly bytes: number;
}

/** The staging schema of a run's large objects: `_pgsync_stage_<runid>_lo`. */
export function largeObjectStage(stagingPrefix: string): string {
  return `${stagingPrefix}_lo`;
}

/**
 * Streams every large object from the source (inside the run's snapshot) into the stage, one
 * chunk per row, so a big object never sits whole in memory. Each chunk carries its md5 computed by
 * the source, which the run's verification compares with the destination's own (checkStaged).
 */
export async function stageLargeObjects(
  source: pg.Client,
  destination: pg.Client,
  stage: string,
  options: { readonly stallSeconds: number },
): Promise<StagedLargeObjects> {
  const schema = quoteIdent(stage);
  return inTransaction(destination, baseSettings(0), async () => {
    await createLargeObjectStage(destination, stage);
    await copyRows(
      source,
      destination,
      LARGE_OBJECT_ROWS_SQL,
      largeObjectStageCopy(stage).objects,
      options.stallSeconds,
    );
    // The LATERAL subquery with OFFSET 0 reads each chunk once, for both the data and its md5.
    await copyRows(
      source,
      destination,
      LARGE_OBJECT_CHUNKS_SQL,
      largeObjectStageCopy(stage).chunks,
      options.stallSeconds,
    );
    return stagedTotals(destination, schema);
  });
}

/** The source's large objects (oid, size), as COPY binary: what the stage's `objects` table holds. */
export const LARGE_OBJECT_ROWS_SQL = `COPY (SELECT s.oid, s.size FROM ${LARGE_OBJECT_SIZES} s) TO STDOUT (FORMAT binary)`;

/** Every chunk of every large object with its md5 computed by the source, as COPY binary. */
export const LARGE_OBJECT_CHUNKS_SQL = `COPY (SELECT s.oid, c.off, d.data, pg_catalog.md5(d.data)
               FROM ${LARGE_OBJECT_SIZES} s
               CROSS JOIN LATERAL pg_catalog.generate_series(0::bigint, s.size - 1, ${LARGE_OBJECT_CHUNK}) c(off)
               CROSS JOIN LATERAL (SELECT pg_catalog.lo_get(s.oid, c.off, ${LARGE_OBJECT_CHUNK}) AS data OFFSET 0) d)
         TO STDOUT (FORMAT binary)`;

/** The COPY statements that load the stage's two tables (from the source, or from an archive). */
export function largeObjectStageCopy(stage: string): { readonly objects: string; readonly chunks: string } {
  const schema = quoteIdent(stage);
  return {
    objects: `COPY ${schema}.objects (loid, size) FROM STDIN (FORMAT binary)`,
    chunks: `COPY ${schema}.chunks (loid, off, data, source_md5) FROM STDIN (FORMAT binary)`,
  };
}

/** The stage's schema and tables, in the caller's transaction. */
export async function createLargeObjectStage(destination: pg.Client, stage: string): Promise<void> {
  const schema = quoteIdent(stage);
  await execute(destination, `CREATE SCHEMA ${schema}`, `schema ${schema}`);
  await execute(
    destination,
    `CREATE TABLE ${schema}.objects (loid oid PRIMARY KEY, size bigint NOT NULL);
       CREATE TABLE ${schema}.chunks (loid oid NOT NULL, off bigint NOT NULL, data bytea NOT NULL, source_md5 text NOT NULL);
       -- Staged bytes live for one run: not worth compressing (and often compressed already).
       ALTER TABLE ${schema}.chunks ALTER COLUMN data SET STORAGE EXTERNAL`,
    `tables of schema ${schema}`,
  );
}

/** How many large objects the stage holds, and their size. */
export async function stagedTotals(destination: pg.Client, schema: string): Promise<StagedLargeObjects> {
  return queryOne(
    destination,
    "staged large objects",
    `SELECT count(*) AS objects, coalesce(sum(size), 0) AS bytes FROM ${schema}.objects`,
    [],
    z.object({ objects: int, bytes: num }),
    "destination",
  );
}

/** One COPY from the source into the stage (see streamCopy: backpressure, stall detector, counts). */
function copyRows(
  source: pg.Client,
  destination: pg.Client,
  toSql: string,
  fromSql: string,
  stallSeconds: number,
): Promise<{ rows: number; bytes: number }> {
  return streamCopy(source, destination, {
    toSql,
    fromSql,
    object: "large objects",
    what: "copying the large objects",
    stallSeconds,
    describeFailure,
  });
}

/**
 * A source role that may not read a large object gets "permission denied for large object N" from
 * lo_open: said again with the privilege it needs. (The run checks this up front as well.)
 */
function describeFailure(error: unknown, side: "source" | "destination", sql: string): PgsyncError {
  const oid = /large object (\d+)/.exec(String((error as Error)?.message))?.[1];
  const denied = (error as { code?: string })?.code === "42501";
  const what =
    oid && denied && side === "source"
      ? `copying large object ${oid}: the source role lacks the SELECT privilege on it (GRANT SELECT ON LARGE OBJECT ${oid} TO the role, or run as its owner)`
      : "copying the large objects";
  return wrapError("copy", what, error, {
    object: oid ? `large object ${oid}` : "large objects",
    side,
    sql,
  });
}
