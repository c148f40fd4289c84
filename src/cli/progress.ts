import { connect } from "../db/connect.js";
import { formatBytes } from "../output/format.js";
import type { Logger } from "../output/logger.js";
import { logRunEvent } from "../output/run-events.js";
import type { RunEvent } from "../pipeline/run.js";

export interface TableEstimate {
  readonly rows: number;
  readonly bytes: number;
}

/**
 * The planner's estimates for every user table of the source: rows (pg_class.reltuples, as of the
 * last ANALYZE or autovacuum) and size on disk. Keyed like the run's table events: `"schema"."table"`.
 */
export async function estimateTables(
  sourceUrl: string,
  connectSeconds: number,
): Promise<Map<string, TableEstimate>> {
  const c = await connect({
    url: sourceUrl,
    side: "source",
    connectSeconds,
    applicationName: "pgsync-ts progress",
  });
  try {
    const result = await c.client.query<{ name: string; rows: string; bytes: string }>(
      `SELECT '"' || replace(n.nspname, '"', '""') || '"."' || replace(t.relname, '"', '""') || '"' AS name,
              greatest(t.reltuples, 0)::bigint AS rows, pg_catalog.pg_total_relation_size(t.oid) AS bytes
       FROM pg_catalog.pg_class t JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
       WHERE t.relkind IN ('r', 'p', 'm') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
         AND n.nspname NOT LIKE '\\_pgsync%'`,
    );
    return new Map(result.rows.map((r) => [r.name, { rows: Number(r.rows), bytes: Number(r.bytes) }]));
  } finally {
    await c.close();
  }
}

/**
 * Per-table progress of an interactive run: each table as it is copied, with its rows against the
 * estimate, and the share of all estimated rows copied so far.
 */
export class RunProgress {
  private estimates: Map<string, TableEstimate> | undefined;
  private done = 0;
  private rowsDone = 0;
  private loading = false;

  constructor(private readonly source?: { url: string; connectSeconds: number }) {}

  /**
   * Logs a run event like every command does, except that a copied table gets its progress line.
   * The estimates are read once the source is introspected (on a connection of their own, in the
   * background: a failure only means no percentages).
   */
  handle(log: Logger, e: RunEvent): void {
    if (e.type === "table") {
      const { message, fields } = this.table(e);
      log.info({ table: e.table, rows: e.rows, bytes: e.bytes, seconds: e.seconds, ...fields }, message);
      return;
    }
    if (e.type === "step" && e.report.name === "introspect" && e.report.status === "done") this.load();
    logRunEvent(log, e);
  }

  private load(): void {
    if (this.loading || !this.source) return;
    this.loading = true;
    estimateTables(this.source.url, this.source.connectSeconds).then(
      (m) => {
        this.estimates = m;
      },
      () => {},
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
