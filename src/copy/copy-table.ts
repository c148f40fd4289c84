import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import type { TablePlan } from "../ddl/plan.js";
import { PgsyncError, wrapError } from "../errors.js";
import { qualify, quoteIdent } from "../sql/quote.js";

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

export interface TableCopyOptions extends CopyOptions {
  /**
   * COPY ... FREEZE: the rows arrive frozen and their pages all-visible, so the index builds,
   * foreign-key checks and ANALYZE that read them next set no hint bits (no second write of every
   * page), and autovacuum has nothing to freeze later. Needs the table created or truncated in the
   * same transaction; the caller does that.
   */
  readonly freeze?: boolean;
}

/**
 * Streams one table from the source (already inside the snapshot transaction) into its staging table
 * on the destination. pipeline() propagates backpressure, and on any error it destroys the COPY FROM
 * stream, which sends CopyFail so the destination discards the partial load.
 */
export async function copyTable(
  source: pg.Client,
  destination: pg.Client,
  plan: TablePlan,
  { freeze, ...options }: TableCopyOptions,
): Promise<CopyResult> {
  const columnList = plan.columns.length > 0 ? ` (${plan.columns.map(quoteIdent).join(", ")})` : "";
  const format = plan.format === "binary" ? " WITH (FORMAT binary)" : "";
  const fromOptions = [...(plan.format === "binary" ? ["FORMAT binary"] : []), ...(freeze ? ["FREEZE"] : [])];
  const fromWith = fromOptions.length > 0 ? ` WITH (${fromOptions.join(", ")})` : "";
  const toSql = `COPY ${qualify(plan.table.schema, plan.table.name)}${columnList} TO STDOUT${format}`;
  const fromSql = `COPY ${qualify(plan.staging.schema, plan.staging.name)}${columnList} FROM STDIN${fromWith}`;
  const object = `table ${qualify(plan.table.schema, plan.table.name)}`;
  return streamCopy(source, destination, { toSql, fromSql, object, what: `copying ${object}`, ...options });
}

export interface StreamCopy extends CopyOptions {
  readonly toSql: string;
  readonly fromSql: string;
  /** The object named in errors ("table ...", "large objects"). */
  readonly object: string;
  /** What failed, for the error message ("copying table ..."). */
  readonly what: string;
  /** Turns a failure into the error to throw (default: the message names `what`, the side and the SQL). */
  readonly describeFailure?: (error: unknown, side: "source" | "destination", sql: string) => Error;
}

/**
 * One COPY TO STDOUT on the source piped into one COPY FROM STDIN on the destination, with
 * backpressure, a stall detector, and the row counts of both sides compared.
 */
export async function streamCopy(
  source: pg.Client,
  destination: pg.Client,
  copy: StreamCopy,
): Promise<CopyResult> {
  const { toSql, fromSql, object } = copy;
  let bytes = 0;
  let lastData = Date.now();
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      lastData = Date.now();
      copy.onProgress?.(bytes);
      if (copy.onChunk) copy.onChunk().then(() => done(null, chunk), done);
      else done(null, chunk);
    },
  });
  const reader = source.query(copyTo(toSql));
  const writer = destination.query(copyFrom(fromSql));
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
    await pipeline(reader, meter, writer);
  } catch (error) {
    const side = isFrom(error, reader) ? "source" : "destination";
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
  return { rows: reader.rowCount, bytes };
}

function isFrom(error: unknown, reader: { destroyed: boolean; errored?: unknown }): boolean {
  return reader.errored === error;
}
