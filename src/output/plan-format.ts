import type { PlanReport } from "../pipeline/plan-only.js";
import { redact } from "../util/redact.js";
import { formatBytes } from "./format.js";

const n = (value: number) => value.toLocaleString("en-US");
/** Text inside SQL comments, each line as `--` and `pad` spaces, so the output stays a runnable script. */
const comment = (text: string, pad = 1) =>
  text
    .split("\n")
    .map((line) => `--${" ".repeat(pad)}${line}`.trimEnd())
    .join("\n");

/**
 * `pgsync-ts plan` for a terminal: what is copied, the DDL as it reads after the cut-over, then the
 * guards, the trial and the verdict last, where a terminal leaves them in view.
 */
export function formatPlanReport(report: PlanReport): string {
  const lines: string[] = [];
  lines.push(
    `-- plan: ${report.source} (PostgreSQL ${report.sourceVersion}) -> ${report.destination} (PostgreSQL ${report.destinationVersion})`,
  );
  lines.push(`-- schemas: ${report.schemas.join(", ") || "(none)"}`);
  for (const t of report.tables)
    lines.push(
      `-- table ${t.table}: ~${n(t.estimatedRows)} rows, ${formatBytes(t.bytes)}, ${t.data ? `${t.format} COPY` : "structure only"}`,
    );
  for (const c of report.notCarried) lines.push(`-- not carried: ${c.kind} ${c.identity} (${c.reason})`);
  if (report.ddl.length > 0)
    lines.push(
      "-- The statements, as they read once the objects are live (a run builds them in staging schemas):",
    );
  for (const s of report.ddl) lines.push(`${s.sql};`);
  lines.push("--");
  for (const g of report.guards) {
    const head = `-- guard ${g.name.padEnd(11)} ${g.ok ? "ok" : "REFUSED"}`;
    if (g.reasons.length === 0) lines.push(head);
    else if (g.ok) lines.push(`${head}: ${g.reasons.join("; ")}`);
    else lines.push(head, ...g.reasons.map((r) => comment(r, 3)));
  }
  for (const w of report.warnings) lines.push(comment(`warning: ${w}`));
  lines.push(...trialLines(report));
  lines.push(`-- ${verdict(report)}`);
  return redact(lines.join("\n"));
}

function trialLines(report: PlanReport): string[] {
  const t = report.trial;
  if (!t.ran) return [`-- trial: not run: ${t.skipped ?? ""}`];
  const head = `${n(t.statements)} statement(s) tried on PostgreSQL ${report.destinationVersion} in one transaction, rolled back (${t.seconds.toFixed(1)}s)`;
  if (t.ok) return [`-- trial: passed: ${head}`, comment(`(${t.scope})`, 3)];
  const lines = [`-- trial: FAILED: the destination rejected ${n(t.failures.length)} of ${head}:`];
  for (const f of t.failures) {
    const code = f.server?.code ? ` (SQLSTATE ${f.server.code})` : "";
    lines.push(`--   ${f.object} (${f.phase}): ${f.message}${code}`);
    if (f.server?.detail) lines.push(comment(`detail: ${f.server.detail}`, 5));
    if (f.server?.hint) lines.push(comment(`hint: ${f.server.hint}`, 5));
    lines.push(comment(f.sql, 5));
  }
  if (t.failures.length > 1)
    lines.push(
      "--   (a statement can fail only because it needs an object that an earlier one failed to create)",
    );
  return lines;
}

function verdict(report: PlanReport): string {
  const t = report.trial;
  if (report.refused.length > 0)
    return `REFUSED: a run would be refused (${report.refused.length} reason(s) above); nothing was changed`;
  if (t.ran && !t.ok)
    return `FAILED: a run would fail: the destination rejected ${t.failures.length} statement(s) of the trial; nothing was changed`;
  if (t.ran) return "OK: a run would pass every guard, and the destination accepted its DDL";
  if (report.ok) return "OK: a run would pass every guard (the DDL was not tried)";
  return "NOT CHECKED: the guards passed, but the trial did not run";
}

/** The cause of a plan that is not OK, for the last line on stderr (the reasons, the first rejected statements). */
export function planVerdict(report: PlanReport): string {
  const t = report.trial;
  if (report.refused.length > 0) return redact(`a run would be refused: ${report.refused.join("; ")}`);
  if (t.ran && !t.ok) {
    const first = t.failures
      .slice(0, 3)
      .map((f) => `${f.object}: ${f.message}`)
      .join("; ");
    const more = t.failures.length > 3 ? `; and ${t.failures.length - 3} more` : "";
    return redact(`a run would fail: the destination rejected ${first}${more}`);
  }
  return redact(`the trial did not run: ${t.skipped ?? ""}`);
}
