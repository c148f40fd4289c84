import type { Logger } from "../output/logger.js";
import { logRunEvent } from "../output/run-events.js";
import type { RunEvent } from "../pipeline/run.js";
import { formatBytes } from "../util/format-bytes.js";

/** The source's estimates for a table, as the run's `copy-start` event reports them. */
export interface TableEstimate {
  readonly rows: number;
  readonly bytes: number;
}

/**
 * The lines of an interactive run, one per event: each step with its time, each copied table with
 * its rows against the source's estimate (pg_class.reltuples, as of the last ANALYZE, which the run
 * reports in its `copy-start` event) and the share of all estimated rows copied so far. The live
 * bars (progress-bars.ts) show what is under way; these lines stay as the record of what was done.
 */
export class RunProgress {
  private estimates: Map<string, TableEstimate> | undefined;
  private done = 0;
  private rowsDone = 0;

  /** `interrupted` tells whether the user stopped the run: a step it cut short is not an error. */
  constructor(private readonly interrupted: () => boolean = () => false) {}

  handle(log: Logger, e: RunEvent): void {
    switch (e.type) {
      case "copy-start":
        this.setEstimates(
          new Map(e.tables.map((t) => [t.table, { rows: t.estimatedRows, bytes: t.estimatedBytes }])),
        );
        return;
      case "table": {
        const { message, fields } = this.table(e);
        log.info({ table: e.table, rows: e.rows, bytes: e.bytes, seconds: e.seconds, ...fields }, message);
        return;
      }
      case "step":
        this.step(log, e.report);
        return;
      // The live bars show these.
      case "table-progress":
      case "task":
        return;
      default:
        logRunEvent(log, e);
    }
  }

  private step(log: Logger, report: Extract<RunEvent, { type: "step" }>["report"]): void {
    const fields = { step: report.name, status: report.status, seconds: report.seconds };
    if (report.status !== "failed")
      log.info(fields, `step ${report.name} ${report.status} (${report.seconds}s)`);
    else if (this.interrupted()) log.warn(fields, `step ${report.name} interrupted`);
    else
      log.error(
        { ...fields, err: report.error },
        `step ${report.name} failed: ${report.error ?? "unknown error"}`,
      );
  }

  setEstimates(estimates: Map<string, TableEstimate>): void {
    this.estimates = estimates;
  }

  /** The line and fields for a table that has been copied. */
  table(e: { table: string; rows: number; bytes: number; seconds: number }): {
    message: string;
    fields: Record<string, number>;
  } {
    this.done++;
    this.rowsDone += e.rows;
    const estimate = this.estimates?.get(e.table);
    const total = this.estimates ? [...this.estimates.values()].reduce((n, t) => n + t.rows, 0) : undefined;
    const count = this.estimates ? `[${this.done}/${this.estimates.size}]` : `[${this.done}]`;
    const parts = [`copied ${e.table}: ${e.rows.toLocaleString("en-US")} rows`];
    const fields: Record<string, number> = {};
    if (estimate && estimate.rows > 0) {
      const pct = percent(e.rows, estimate.rows);
      parts[0] += ` (${pct}% of ~${estimate.rows.toLocaleString("en-US")} estimated)`;
      fields.estimatedRows = estimate.rows;
      fields.percentOfEstimate = pct;
    }
    parts.push(`${formatBytes(e.bytes)} in ${e.seconds}s`, `${count} tables`);
    if (total !== undefined && total > 0) {
      const overall = Math.min(100, percent(this.rowsDone, total));
      parts.push(`${overall}% of all estimated rows`);
      fields.percentOfAllRows = overall;
    }
    return { message: parts.join(", "), fields };
  }
}

function percent(part: number, whole: number): number {
  return Math.round((part / whole) * 1000) / 10;
}
