import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { TablePlan } from "../ddl/plan.js";
import { PgsyncError, wrapError } from "../errors.js";
import { buildCopyTarget, type CopyFormat } from "../sql/copy-statements.js";
import { qualify } from "../sql/quote.js";
import { type CopyResult, stagedNameValues, type TableCopyOptions } from "./copy-table.js";

/**
 * The table-reader seam of the load: where a table's rows come from when they do not come from a
 * source connection at the snapshot (copy-table.ts). A restore reads them from an archive's files
 * (src/archive/archive-tables.ts): one read per part, each a stream of COPY data with the columns
 * it holds and the row count the archive recorded.
 */
export interface TableRead {
  readonly stream: Readable;
  readonly format: CopyFormat;
  /** The columns the data holds, in order. */
  readonly columns: readonly string[];
  /** The rows the data holds, compared with what the destination's COPY stored. */
  readonly rows: number;
  /** Names the data in errors, e.g. `file /backups/<id>/data/000001.0000.copy.zst`. */
  readonly object: string;
}

export interface TableSource {
  /** The reads that together give the table's rows, in order, each opened when its turn comes. */
  reads(plan: TablePlan): readonly (() => Promise<TableRead>)[];
}

/**
 * Loads one table's staging table from a TableSource: one COPY FROM STDIN per read, in the
 * caller's destination transaction (FREEZE holds for each), with backpressure and the stall
 * detector of any copy. Each read's rows are compared with what the destination stored.
 */
export async function copyTableFrom(
  source: TableSource,
  destination: pg.Client,
  plan: TablePlan,
  options: Omit<TableCopyOptions, "rows">,
): Promise<CopyResult> {
  const table = `table ${qualify(plan.table.schema, plan.table.name)}`;
  let total: CopyResult = { rows: 0, bytes: 0 };
  const reads = source.reads(plan);
  const { around } = options;
  if (reads.length === 0 && (around?.before || around?.after))
    await destination.query([around.before, around.after].filter((x) => x).join("; "));
  for (const [i, open] of reads.entries()) {
    const read = await open();
    if (read.columns.join("\u0000") !== plan.columns.join("\u0000")) {
      read.stream.destroy();
      throw new PgsyncError(
        "copy",
        `${table}: ${read.object} holds the columns (${read.columns.join(", ")}) but the destination's table takes (${plan.columns.join(", ")})`,
        { object: table },
      );
    }
    const fromSql = buildCopyTarget(
      plan.staging,
      read.columns,
      read.format,
      options.freeze ? { freeze: true } : {},
    );
    const before = total.bytes;
    let bytes = 0;
    let lastData = Date.now();
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        lastData = Date.now();
        options.onProgress?.(before + bytes);
        if (options.onChunk) options.onChunk().then(() => done(null, chunk), done);
        else done(null, chunk);
      },
    });
    const message = [
      i === 0 ? around?.before : undefined,
      fromSql,
      i === reads.length - 1 ? around?.after : undefined,
    ]
      .filter((x) => x)
      .join("; ");
    const writer = destination.query(copyFrom(message));
    const stall = setInterval(
      () => {
        if (Date.now() - lastData > options.stallSeconds * 1000)
          meter.destroy(
            new PgsyncError(
              "copy",
              `loading ${table} from ${read.object} stalled: no data for ${options.stallSeconds} seconds`,
              {
                object: table,
              },
            ),
          );
      },
      Math.min(5000, options.stallSeconds * 250),
    );
    try {
      // reg* values name objects: pointed at the staged ones, as a load from a source does (12.1).
      if (plan.nameValues) await pipeline(read.stream, stagedNameValues(plan, false), meter, writer);
      else await pipeline(read.stream, meter, writer);
    } catch (error) {
      // A failure of the file (changed, cut short, the store gone) names the file itself.
      if (error instanceof PgsyncError) throw error;
      throw wrapError("copy", `loading ${table} from ${read.object}`, error, {
        object: table,
        side: "destination",
        sql: fromSql,
      });
    } finally {
      clearInterval(stall);
    }
    if (writer.rowCount !== read.rows)
      throw new PgsyncError(
        "copy",
        `loading ${table}: ${read.object} should hold ${read.rows} rows but the destination stored ${writer.rowCount}`,
        { object: table },
      );
    total = { rows: total.rows + read.rows, bytes: total.bytes + bytes };
  }
  return total;
}
