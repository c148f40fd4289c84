import type { RunReport } from "../pipeline/run.js";
import { formatBytes } from "../util/format-bytes.js";
import type { VerifyReport } from "../verify/compare.js";

export { formatBytes } from "../util/format-bytes.js";

const n = (value: number) => value.toLocaleString("en-US");

/** What the summary cannot know from the report itself. */
export interface RunReportFormat {
  /** The command that undoes this run, exactly as it can be typed (`pgsync-ts rollback --profile dev`). */
  readonly rollback?: string;
  /** The signal that stopped the run, when the user interrupted it (the error is then its consequence). */
  readonly interrupted?: string;
}

/** Warnings listed in the summary; `--json` has all of them. */
const SUMMARY_WARNINGS = 8;

/** The human summary of a run, printed on stdout: about 10 to 20 lines, whatever the database's size. */
export function formatRunReport(report: RunReport, format: RunReportFormat = {}): string {
  const lines: string[] = [];
  const who = report.profile ? ` (profile ${report.profile})` : "";
  const outcome = report.ok ? "OK" : format.interrupted ? "INTERRUPTED" : "FAILED";
  lines.push(`pgsync-ts run ${report.runId}${who}: ${outcome} in ${report.seconds}s`);
  lines.push(
    `  source       ${report.source}${report.sourceVersion ? ` (PostgreSQL ${report.sourceVersion})` : ""}`,
  );
  lines.push(
    `  destination  ${report.destination}${report.destinationVersion ? ` (PostgreSQL ${report.destinationVersion})` : ""}`,
  );
  lines.push(
    `  copied       ${n(report.totals.tables)} tables, ${n(report.totals.rows)} rows, ${formatBytes(report.totals.bytes)}`,
  );
  if (report.masking)
    lines.push(
      `  masked       ${maskedColumns(report.masking.columns)}${report.masking.strict ? " (strict)" : ""}`,
    );
  if (report.subset)
    lines.push(
      `  subset       ${report.subset.tables.map((t) => `${t.table} ${n(t.kept)} of ${n(t.total)} rows`).join(", ") || "(no table subsetted)"}`,
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
      `  snapshot     ${report.snapshot.id} keeps the previous state${format.rollback ? ` (undo with: ${format.rollback})` : ""}`,
    );
  if (report.adopted)
    lines.push(
      `  adopted      ${n(report.adopted.destinationOnly.length)} object(s) the source does not have are now only in ${report.snapshot ? "the snapshot" : "the snapshot this run would have taken"}, kept ${report.adopted.keptFor}: ${shortList(report.adopted.destinationOnly, 5)}`,
    );
  if (report.prunedSnapshots.length > 0) lines.push(`  pruned       ${report.prunedSnapshots.join(", ")}`);
  lines.push(`  steps        ${formatSteps(report.steps, format.interrupted !== undefined)}`);
  for (const w of report.warnings.slice(0, SUMMARY_WARNINGS)) lines.push(`  warning      ${w}`);
  if (report.warnings.length > SUMMARY_WARNINGS)
    lines.push(
      `  warning      and ${report.warnings.length - SUMMARY_WARNINGS} more (the log and --json list every warning)`,
    );
  if (format.interrupted) lines.push(`  interrupted  by ${format.interrupted}${stoppedIn(report.steps)}`);
  else if (report.error) lines.push(`  error        ${indented(String(report.error.message))}`);
  // Only the synced schemas are promised: source-defined code that ran during the load may have
  // written elsewhere (docs/safety.md, "A source you do not trust"); an in-doubt COMMIT says so itself.
  if (!report.ok && !/whether it took effect is not known/.test(String(report.error?.message ?? "")))
    lines.push("  The synced schemas keep their previous state.");
  return lines.join("\n");
}

/**
 * The steps in one short line: all done, with the longest three; or how far the run got, which step
 * failed, and how many never ran.
 */
function formatSteps(steps: RunReport["steps"], interrupted: boolean): string {
  const done = steps.filter((s) => s.status === "done");
  const failed = steps.filter((s) => s.status === "failed").map((s) => s.name);
  const notRun = steps.filter((s) => s.status === "not run").map((s) => s.name);
  const longest = [...done]
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 3)
    .map((s) => `${s.name} ${s.seconds}s`)
    .join(", ");
  const parts = [`${done.length} done${longest ? ` (longest: ${longest})` : ""}`];
  if (failed.length > 0) parts.push(`${interrupted ? "interrupted" : "failed"}: ${failed.join(", ")}`);
  if (notRun.length > 0)
    parts.push(
      notRun.length <= 3
        ? `not run: ${notRun.join(", ")}`
        : `${notRun.length} not run (${notRun[0]} to ${notRun.at(-1)})`,
    );
  return parts.join("; ");
}

/** ` during copy-data`: the step the interruption cut short, if any. */
function stoppedIn(steps: RunReport["steps"]): string {
  const cut = steps.find((s) => s.status === "failed" && s.name !== "cleanup");
  return cut ? ` during ${cut.name}` : "";
}

/** A message of several lines, its next lines under the first (after the 15-column label). */
function indented(text: string): string {
  return text.replace(/\n\s*/g, `\n${" ".repeat(15)}`);
}

function shortList(items: readonly string[], shown: number): string {
  return `${items.slice(0, shown).join(", ")}${items.length > shown ? `, and ${items.length - shown} more` : ""}`;
}

/**
 * The verify summary: what was compared and what was not, then every difference on a line of its
 * own (the object, the property, both values), then what a run does not carry, listed apart.
 */
export function formatVerifyReport(report: VerifyReport): string {
  const count = report.differences.length;
  const lines = [
    `pgsync-ts verify (${report.method}): ${report.outcome.toUpperCase()}${count ? ` (${count} difference${count === 1 ? "" : "s"})` : ""}`,
  ];
  lines.push(`  source       ${report.source}`, `  destination  ${report.destination}`);
  if (report.error) lines.push(`  error        ${report.error}`);
  const list = (label: string, items: readonly string[]) => {
    items.forEach((item, i) => {
      lines.push(`  ${(i === 0 ? label : "").padEnd(12)} ${item}`);
    });
  };
  list("compared", report.checks);
  list("not compared", report.notCompared);
  if (report.masked)
    lines.push(
      `  masked       ${maskedColumns(report.masked)} (the source's side digests the masked values)`,
    );
  for (const d of report.differences) lines.push(`  DIFF ${d}`);
  list("not carried", report.notCarried);
  return lines.join("\n");
}

/** `public.users.email (email), public.invoices.billing_email (email, via public.users.email)` */
function maskedColumns(columns: readonly { column: string; rule: string; via?: string }[]): string {
  return columns.map((c) => `${c.column} (${c.rule}${c.via ? `, via ${c.via}` : ""})`).join(", ");
}
