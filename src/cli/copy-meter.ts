import type { CopyEstimate } from "../pipeline/options.js";

/**
 * The numbers behind the live progress of a copy: per table and overall, bytes against the
 * source's estimates, rows (estimated from bytes while a COPY runs: the exact count comes when it
 * ends), throughput and an ETA. Times are in seconds on any one clock the caller chooses.
 *
 * The estimate of a table's COPY stream is its size on disk (pg_table_size), corrected by what the
 * tables copied so far sent against their size on disk: text COPY and heap pages differ by a
 * factor that depends on the data, and the finished tables are the best guide to it.
 */
export interface Measure {
  readonly bytes: number;
  /** The COPY stream's expected size (0 when nothing is known). */
  readonly expectedBytes: number;
  /** 0..1, never 1 before the end. */
  readonly fraction: number;
  readonly bytesPerSecond: number;
  /** Undefined until bytes flow, or once past the estimate. */
  readonly etaSeconds: number | undefined;
}

export interface TableMeasure extends Measure {
  readonly rows: number | undefined;
  readonly expectedRows: number | undefined;
}

export interface OverallMeasure extends Measure {
  readonly tablesDone: number;
  readonly tables: number;
  readonly elapsedSeconds: number;
}

interface TableState {
  readonly estimate: CopyEstimate;
  startedAt: number | undefined;
  bytes: number;
  done: boolean;
  rows?: number;
}

export class CopyMeter {
  private readonly tables = new Map<string, TableState>();

  constructor(
    estimates: readonly CopyEstimate[],
    private readonly startedAt: number,
  ) {
    for (const e of estimates)
      this.tables.set(e.table, { estimate: e, startedAt: undefined, bytes: 0, done: false });
  }

  progress(table: string, bytes: number, at: number): void {
    const t = this.state(table);
    t.startedAt ??= at;
    t.bytes = Math.max(t.bytes, bytes);
  }

  finished(
    table: string,
    result: { readonly bytes: number; readonly rows: number; readonly seconds: number },
    at: number,
  ): void {
    const t = this.state(table);
    t.startedAt ??= at - result.seconds;
    t.bytes = result.bytes;
    t.rows = result.rows;
    t.done = true;
  }

  table(table: string, at: number): TableMeasure {
    const t = this.state(table);
    const expectedBytes = t.done ? t.bytes : this.expected(t);
    const measure = this.measure(t.bytes, expectedBytes, at - (t.startedAt ?? at), t.done);
    const estimatedRows = t.estimate.estimatedRows;
    const rows = t.done
      ? t.rows
      : estimatedRows > 0 && expectedBytes > 0
        ? Math.round(estimatedRows * Math.min(1, t.bytes / expectedBytes))
        : undefined;
    return {
      ...measure,
      rows,
      expectedRows: t.done ? t.rows : estimatedRows > 0 ? estimatedRows : undefined,
    };
  }

  overall(at: number): OverallMeasure {
    let bytes = 0;
    let expectedBytes = 0;
    let tablesDone = 0;
    for (const t of this.tables.values()) {
      bytes += t.bytes;
      expectedBytes += t.done ? t.bytes : Math.max(t.bytes, this.expected(t));
      if (t.done) tablesDone++;
    }
    const elapsedSeconds = Math.max(0, at - this.startedAt);
    const all = tablesDone === this.tables.size;
    return {
      ...this.measure(bytes, expectedBytes, elapsedSeconds, all),
      tablesDone,
      tables: this.tables.size,
      elapsedSeconds,
    };
  }

  /** Disk size times the ratio the finished tables showed (1 until one has finished). */
  private expected(t: TableState): number {
    let sent = 0;
    let onDisk = 0;
    for (const x of this.tables.values()) {
      if (!x.done || x.estimate.estimatedBytes <= 0) continue;
      sent += x.bytes;
      onDisk += x.estimate.estimatedBytes;
    }
    const ratio = onDisk > 0 ? sent / onDisk : 1;
    return Math.round(t.estimate.estimatedBytes * ratio);
  }

  private measure(bytes: number, expectedBytes: number, seconds: number, done: boolean): Measure {
    const bytesPerSecond = seconds > 0 ? bytes / seconds : 0;
    const fraction = done ? 1 : expectedBytes > 0 ? Math.min(0.99, bytes / expectedBytes) : 0;
    const remaining = expectedBytes - bytes;
    const etaSeconds = done
      ? 0
      : bytesPerSecond > 0 && remaining > 0
        ? remaining / bytesPerSecond
        : undefined;
    return { bytes, expectedBytes, fraction, bytesPerSecond, etaSeconds };
  }

  /** A table the estimates did not list (a run event for it is still shown). */
  private state(table: string): TableState {
    let t = this.tables.get(table);
    if (!t) {
      t = {
        estimate: { table, estimatedRows: 0, estimatedBytes: 0 },
        startedAt: undefined,
        bytes: 0,
        done: false,
      };
      this.tables.set(table, t);
    }
    return t;
  }
}
