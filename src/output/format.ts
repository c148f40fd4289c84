import type { RunReport } from "../pipeline/run.js";
import type { VerifyReport } from "../verify/compare.js";

export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const n = (value: number) => value.toLocaleString("en-US");

/** The human summary of a run, printed on stdout. */
export function formatRunReport(report: RunReport): string {
  const lines: string[] = [];
  const who = report.profile ? ` (profile ${report.profile})` : "";
  lines.push(`pgsync-ts run ${report.runId}${who}: ${report.ok ? "OK" : "FAILED"} in ${report.seconds}s`);
  lines.push(
    `  source       ${report.source}${report.sourceVersion ? ` (PostgreSQL ${report.sourceVersion})` : ""}`,
  );
  lines.push(
    `  destination  ${report.destination}${report.destinationVersion ? ` (PostgreSQL ${report.destinationVersion})` : ""}`,
  );
  lines.push(
    `  copied       ${n(report.totals.tables)} tables, ${n(report.totals.rows)} rows, ${formatBytes(report.totals.bytes)}`,
  );
  // Only when there were any, on either side: most databases have none.
  const lo = report.largeObjects;
  if (lo && (lo.carried > 0 || (lo.replaced ?? 0) > 0))
    lines.push(
      `  large obj.   ${n(lo.carried)} large objects, ${formatBytes(lo.bytes)}${lo.replaced ? ` (replacing ${n(lo.replaced)}, kept in the snapshot)` : ""}`,
    );
  if (report.verification) {
    lines.push(
      `  verified     ${report.verification.method}: ${report.verification.ok ? `match for ${report.tables.length} tables${lo?.carried ? ` and ${n(lo.carried)} large objects` : ""}` : report.verification.mismatches.join("; ")}`,
    );
  }
  if (report.snapshot)
    lines.push(
      `  snapshot     ${report.snapshot.id} keeps the previous state (undo with: pgsync-ts rollback)`,
    );
  if (report.prunedSnapshots.length > 0) lines.push(`  pruned       ${report.prunedSnapshots.join(", ")}`);
  lines.push(
    `  steps        ${report.steps.map((s) => `${s.name} ${s.status === "done" ? `${s.seconds}s` : s.status}`).join(", ")}`,
  );
  for (const w of report.warnings) lines.push(`  warning      ${w}`);
  if (report.error) lines.push(`  error        ${String(report.error.message)}`);
  if (!report.ok) lines.push("  The destination keeps its previous state.");
  return lines.join("\n");
}

export function formatVerifyReport(report: VerifyReport): string {
  const lines = [`pgsync-ts verify (${report.method}): ${report.outcome.toUpperCase()}`];
  lines.push(`  source       ${report.source}`, `  destination  ${report.destination}`);
  if (report.error) lines.push(`  error        ${report.error}`);
  for (const t of report.tables) {
    const rows = t.sourceRows === null ? "" : ` ${n(t.sourceRows)} rows`;
    lines.push(
      `  ${t.differences.length === 0 ? "ok  " : "DIFF"} ${t.table}${rows}${t.differences.length ? `: ${t.differences.join("; ")}` : ""}`,
    );
  }
  const lo = report.largeObjects;
  if (lo)
    lines.push(
      `  ${lo.differences.length === 0 ? "ok  " : "DIFF"} large objects ${n(lo.source)}${lo.differences.length ? `: ${lo.differences.join("; ")}` : ""}`,
    );
  return lines.join("\n");
}
