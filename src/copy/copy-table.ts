import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { errorSide } from "../db/lost-connection.js";
import type { TablePlan } from "../ddl/plan.js";
import { PgsyncError, wrapError } from "../errors.js";
import { hideBoundValues, IPAD_SETTING } from "../mask/hmac.js";
import { buildCopySource, buildCopyTarget, type RowFilter } from "../sql/copy-statements.js";
import { qualify } from "../sql/quote.js";
import { CopyInQuery, CopyOutQuery } from "./copy-stream-query.js";
import { StagedNameValues } from "./reg-values.js";
import { readSettings, readsOf, type SourceRows } from "./source-rows.js";

export interface CopyResult {
  readonly rows: number;
  readonly bytes: number;
}

export interface CopyOptions {
  /** Abort when no bytes arrive for this long: a stalled copy is cut, a slow one is not. */
  readonly stallSeconds: number;
  readonly onProgress?: (bytes: number) => void;
  /** Awaited after each chunk has been counted, before it is passed on (progress reporting, fault injection). */
  readonly onChunk?: () => Promise<void>;
}

/**
 * Statements of the caller's own that ride in the destination's COPY messages: `before` ahead of the
 * first COPY (BEGIN, its settings, a savepoint), `after` behind the last one (a savepoint for what
 * follows). A message of several statements runs them in order, the COPY's data in between: each
 * saves a round trip (at 10,000 small tables, two of a table's five; bench/README.md).
 */
export interface AroundCopy {
  readonly before?: string;
  readonly after?: string;
}

export interface TableCopyOptions extends CopyOptions {
  /**
   * COPY ... FREEZE: the rows arrive frozen and their pages all-visible, so the index builds,
   * foreign-key checks and ANALYZE that read them next set no hint bits (no second write of every
   * page), and autovacuum has nothing to freeze later. Needs the table created or truncated in the
   * same transaction; the caller does that.
   */
  readonly freeze?: boolean;
  /** Masked columns and a subset's rows (src/copy/source-rows.ts); every row as it is when absent. */
  readonly rows?: SourceRows;
  /** One part of a split table: only the rows of this key or block range (src/copy/table-ranges.ts). */
  readonly range?: RowFilter;
  /** Text even where the columns' binary form is portable: the retry after a receive function failed. */
  readonly forceText?: boolean;
  /** With no read at all (a subset that keeps no rows), `before` and `after` go alone, in one message. */
  readonly around?: AroundCopy;
}

/**
 * Streams one table from the source (already inside the snapshot transaction) into its staging table
 * on the destination. pipeline() propagates backpressure, and on any error it destroys the COPY FROM
 * stream, which sends CopyFail so the destination discards the partial load. A subset's rows may
 * come in several reads (its kept tuple ids in chunks): one COPY pair each, in the caller's
 * destination transaction (FREEZE holds for every COPY after the TRUNCATE of that transaction).
 */
export async function copyTable(
  source: pg.Client,
  destination: pg.Client,
  plan: TablePlan,
  { freeze, rows, range, forceText, around, ...options }: TableCopyOptions,
): Promise<CopyResult> {
  const copied = new Set(plan.columns);
  const expressions = rows?.expressions;
  const columns = plan.table.allColumns
    .filter((c) => copied.has(c.name))
    .map((c) => {
      const expression = expressions?.get(c.name);
      return { name: c.name, binarySafe: c.binarySafe, ...(expression ? { expression } : {}) };
    });
  const object = `table ${qualify(plan.table.schema, plan.table.name)}`;
  let total: CopyResult = { rows: 0, bytes: 0 };
  if (rows?.settings && IPAD_SETTING in rows.settings) await hideBoundValues(source);
  // One read ahead, to know which is the last (`around.after` goes in its message).
  const reads = readsOf(rows)[Symbol.iterator]();
  let next = reads.next();
  let first = true;
  if (next.done && (around?.before || around?.after))
    await destination.query([around.before, around.after].filter((x) => x).join("; "));
  while (!next.done) {
    const part = next.value;
    next = reads.next();
    const read = buildCopySource({
      table: plan.table,
      columns,
      filters: [
        ...(range ? [range] : []),
        ...(part.filter ? [{ kind: "condition", sql: part.filter } as const] : []),
      ],
      settings: readSettings(rows, part),
      ...(forceText ? { forceText } : {}),
    });
    for (const s of read.setup) {
      try {
        await source.query(s.text, [...s.values]);
      } catch (error) {
        // The values are not shown: they may be the masking key's blocks.
        throw wrapError("copy", `binding the settings for ${object}`, error, {
          object,
          side: "source",
          sql: s.text,
        });
      }
    }
    const fromSql = buildCopyTarget(plan.staging, plan.columns, read.format, freeze ? { freeze } : {});
    const before = total.bytes;
    const result = await streamCopy(source, destination, {
      toSql: read.sql,
      fromSql,
      ...(first && around?.before ? { before: around.before } : {}),
      ...(next.done && around?.after ? { after: around.after } : {}),
      object,
      what: `copying ${object}`,
      ...options,
      ...(plan.nameValues ? { transform: () => stagedNameValues(plan) } : {}),
      ...(options.onProgress ? { onProgress: (bytes: number) => options.onProgress?.(before + bytes) } : {}),
    });
    first = false;
    total = { rows: total.rows + result.rows, bytes: total.bytes + result.bytes };
    // A read's kept tuple ids can be large: not left in the worker's session for its next tables.
    for (const name of Object.keys(part.settings ?? {}))
      await source.query("SELECT pg_catalog.set_config($1, '', true)", [name]);
  }
  return total;
}

export interface StreamCopy extends CopyOptions, AroundCopy {
  readonly toSql: string;
  /** The COPY FROM STDIN, which errors show (with `before` and `after` around it in its message). */
  readonly fromSql: string;
  /** The object named in errors ("table ...", "large objects"). */
  readonly object: string;
  /** What failed, for the error message ("copying table ..."). */
  readonly what: string;
  /** A stage between the two COPYs, on the CopyData frames (src/copy/reg-values.ts). */
  readonly transform?: () => Transform;
  /** Turns a failure into the error to throw (default: the message names `what`, the side and the SQL). */
  readonly describeFailure?: (error: unknown, side: "source" | "destination", sql: string) => Error;
}

/**
 * One COPY TO STDOUT on the source piped into one COPY FROM STDIN on the destination, with
 * backpressure, a stall detector, and the row counts of both sides compared. The source's CopyData
 * frames go to the destination as they arrived (src/copy/copy-stream-query.ts): no payload is
 * copied or re-framed in between.
 */
export async function streamCopy(
  source: pg.Client,
  destination: pg.Client,
  copy: StreamCopy,
): Promise<CopyResult> {
  const { toSql, fromSql, object } = copy;
  let lastData = Date.now();
  const reader = source.query(new CopyOutQuery(toSql));
  const message = [copy.before, fromSql, copy.after].filter((x) => x).join("; ");
  const writer = destination.query(new CopyInQuery(message));
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      lastData = Date.now();
      // Payload bytes read so far (the chunks also hold the frames' headers).
      copy.onProgress?.(reader.payloadBytes);
      if (copy.onChunk) copy.onChunk().then(() => done(null, chunk), done);
      else done(null, chunk);
    },
  });
  const stallTimer = setInterval(
    () => {
      if (Date.now() - lastData > copy.stallSeconds * 1000) {
        meter.destroy(
          new PgsyncError("copy", `${copy.what} stalled: no data for ${copy.stallSeconds} seconds`, {
            object,
          }),
        );
      }
    },
    Math.min(5000, copy.stallSeconds * 250),
  );
  try {
    if (copy.transform) await pipeline(reader, meter, copy.transform(), writer);
    else await pipeline(reader, meter, writer);
  } catch (error) {
    // The client that failed says which it was; pipeline() passes one error to every stream it ends.
    const side = errorSide(error) ?? (isFrom(error, reader) ? "source" : "destination");
    const sql = side === "source" ? toSql : fromSql;
    throw copy.describeFailure
      ? copy.describeFailure(error, side, sql)
      : wrapError("copy", copy.what, error, { object, side, sql });
  } finally {
    clearInterval(stallTimer);
  }
  if (reader.rowCount !== writer.rowCount) {
    throw new PgsyncError(
      "copy",
      `${copy.what}: the source sent ${reader.rowCount} rows but the destination stored ${writer.rowCount}`,
      { object },
    );
  }
  return { rows: reader.rowCount, bytes: reader.payloadBytes };
}

/**
 * The reg* columns of a text COPY, their names pointed at the staged objects: of CopyData frames as
 * a source sends them, or (`framed` false) of plain COPY text as an archive holds it.
 */
export function stagedNameValues(plan: TablePlan, framed = true): Transform {
  const values = plan.nameValues as NonNullable<TablePlan["nameValues"]>;
  return new StagedNameValues(
    plan.columns.map((c) => values.columns.get(c)),
    values.stage,
    framed,
  );
}

function isFrom(error: unknown, reader: { destroyed: boolean; errored?: unknown }): boolean {
  return reader.errored === error;
}
