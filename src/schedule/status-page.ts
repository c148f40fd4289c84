import { formatBytes } from "../output/format.js";
import type { SnapshotRecord } from "../restore/meta.js";
import { maskConnectionString } from "../util/redact.js";
import type { HistorySummary } from "./history-stats.js";
import type { RunRecord } from "./history-store.js";
import { renderChart } from "./status-chart.js";
import { ago, escapeHtml, text, utcTime } from "./status-html.js";

export { renderChart } from "./status-chart.js";
export { escapeHtml } from "./status-html.js";

export interface ProfileView {
  readonly name: string;
  /**
   * scheduled: this service runs it; unscheduled: it has no schedule (runs from the command line);
   * elsewhere: it has a schedule, but this service does not run it. Default "scheduled".
   */
  readonly served?: "scheduled" | "unscheduled" | "elsewhere";
  /** Absent for a profile without a schedule. */
  readonly cron?: string;
  readonly timezone?: string;
  /** Masked URLs, or `$VARIABLE` for a side whose variable is not set here. */
  readonly source: string;
  readonly destination: string;
  readonly next: readonly Date[];
  readonly running: { readonly slot: Date; readonly startedAt: Date } | null;
  readonly healthy: boolean;
  /** Syncs, newest first. */
  readonly runs: readonly RunRecord[];
  readonly summary: HistorySummary;
  /** Rollbacks recorded for the profile, newest first. */
  readonly rollbacks?: readonly RunRecord[];
  /** The destination's snapshots, newest first. */
  readonly snapshots?: readonly SnapshotRecord[];
  /** Why this host cannot run the profile, each naming its variable. */
  readonly problems?: readonly string[];
  /** Why the history could not be read (the destination is down, ...). */
  readonly historyError?: string;
}

/**
 * The status page, rendered on the server (no script, no external resource; it reloads itself every
 * minute): one card per configured profile with its schedule, when it last succeeded, its success
 * rate and median duration, a chart of run durations, the recent runs with the verification each
 * did, the destination's snapshots and the profile's rollbacks.
 */
export function renderStatusPage(views: readonly ProfileView[], generatedAt: Date): string {
  const sections = views.map((v) => renderProfile(v, generatedAt)).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<title>pgsync-ts status</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #f7f8fa; }
h1 { font-size: 20px; margin: 0 0 4px; }
section { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 16px; margin: 16px 0; }
h2 { font-size: 17px; margin: 0 0 8px; } h3 { font-size: 14px; margin: 16px 0 0; color: #3a4252; }
.meta { color: #5b6475; margin: 2px 0; }
.last-success { margin: 6px 0 2px; font-size: 15px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; color: #fff; vertical-align: 2px; }
.ok, .succeeded { background: #2e8b57; } .bad, .failed, .abandoned { background: #c0392b; }
.interrupted, .skipped { background: #d4880f; } .running { background: #2f6fca; } .idle { background: #7a8394; }
table { border-collapse: collapse; width: 100%; margin-top: 6px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef0f4; font-variant-numeric: tabular-nums; vertical-align: top; white-space: nowrap; }
td.wrap { white-space: normal; }
th { color: #5b6475; font-weight: 600; }
.verify-ok { color: #2e8b57; } .verify-bad { color: #c0392b; font-weight: 600; }
.error, .problems { color: #c0392b; } .problems ul { margin: 4px 0; padding-left: 20px; }
.chart { margin: 12px 0 0; }
.chart-grid { display: grid; grid-template-columns: 56px minmax(0, 1fr); }
.y-axis { position: relative; height: 160px; color: #5b6475; font-size: 11px; }
.y-axis span { position: absolute; right: 8px; transform: translateY(-50%); white-space: nowrap; }
.plot { display: block; overflow: visible; }
.plot .grid { stroke: #e3e6ec; } .plot .trend { stroke: #2f6fca; stroke-width: 1.5; }
.plot circle.succeeded { fill: #2e8b57; } .plot circle.failed, .plot circle.abandoned { fill: #c0392b; }
.plot circle.interrupted { fill: #d4880f; }
.x-axis { position: relative; height: 18px; color: #5b6475; font-size: 11px; border-top: 1px solid #aab1bf; }
.x-axis .tick { position: absolute; top: 2px; transform: translateX(-50%); white-space: nowrap; }
.x-axis .tick.first { left: 0; transform: none; } .x-axis .tick.last { right: 0; transform: none; }
figcaption { color: #5b6475; font-size: 12px; text-align: center; margin-top: 4px; }
.axis-title { font-weight: 600; }
</style>
</head>
<body>
<h1>pgsync-ts</h1>
<p class="meta">Generated ${escapeHtml(utcTime(generatedAt))}. Times are UTC. The page reloads every minute.</p>
${sections || "<p>No profiles are configured.</p>"}
</body>
</html>
`;
}

function renderProfile(view: ProfileView, now: Date): string {
  const problems = view.problems ?? [];
  const noHistory = problems.length > 0 && view.runs.length === 0 && !view.historyError;
  const problemList =
    problems.length > 0
      ? `<div class="problems"><strong>This host cannot run this profile:</strong><ul>${problems.map((p) => `<li>${text(p)}</li>`).join("")}</ul></div>`
      : "";
  const head = `<section class="profile" data-profile="${text(view.name)}" data-served="${view.served ?? "scheduled"}">
<h2>${text(view.name)} ${badge(view, problems.length > 0)}</h2>
<p class="meta">${side(view.source)} &rarr; ${side(view.destination)}</p>
<p class="meta schedule">${schedule(view, problems.length > 0)}</p>
${problemList}`;
  if (noHistory) return `${head}\n</section>`;
  const s = view.summary;
  const rate = s.successRate === null ? "n/a" : `${Math.round(s.successRate * 1000) / 10}%`;
  const medianText = s.medianSeconds === null ? "n/a" : `${s.medianSeconds}s`;
  const running = view.running
    ? `<p class="meta"><span class="badge running">running</span> since ${utcTime(view.running.startedAt)} (scheduled for ${utcTime(view.running.slot)})</p>`
    : "";
  const error = view.historyError
    ? `<p class="error">The run history could not be read: ${text(view.historyError)}</p>`
    : "";
  return `${head}
<p class="last-success">${lastSuccess(s, view.runs.length, now)}</p>
<p class="meta summary">Success rate <strong class="success-rate">${rate}</strong> (${s.succeeded} of ${s.finished} finished runs), median duration <strong class="median">${medianText}</strong>${s.skipped > 0 ? `, ${s.skipped} skipped` : ""}</p>
${running}${error}${renderChart(view.runs)}
<h3>Runs</h3>
${renderRuns(view.runs)}
<h3>Snapshots on the destination</h3>
${renderSnapshots(view.snapshots ?? [], now)}
<h3>Rollbacks</h3>
${renderRollbacks(view.rollbacks ?? [])}
</section>`;
}

function badge(view: ProfileView, cannotRun: boolean): string {
  if (cannotRun) return `<span class="badge bad">cannot run on this host</span>`;
  if (view.served === "unscheduled") return `<span class="badge idle">no schedule</span>`;
  if (view.served === "elsewhere") return `<span class="badge idle">not scheduled by this service</span>`;
  return view.healthy
    ? `<span class="badge ok">on schedule</span>`
    : `<span class="badge bad">behind schedule</span>`;
}

/** A masked URL, or the `$VARIABLE` a side is read from when it is not set on this host. */
function side(value: string): string {
  return /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(value)
    ? `<code>${text(value)}</code>`
    : text(maskConnectionString(value));
}

function schedule(view: ProfileView, cannotRun: boolean): string {
  const cron = view.cron ? `<code>${text(view.cron)}</code> (${text(view.timezone ?? "UTC")})` : "";
  if (view.served === "unscheduled")
    return `No schedule: it runs from the command line (<code>pgsync-ts run --profile ${text(view.name)}</code>).`;
  if (view.served === "elsewhere")
    return cannotRun
      ? `Schedule ${cron}: not run by this service: this host lacks its connection variables (below).`
      : `Schedule ${cron}: not run by this service (left out with <code>serve --profile</code>).`;
  return `Schedule ${cron}; next runs: <span class="next-runs">${view.next.map(utcTime).join(", ") || "none"}</span>`;
}

function lastSuccess(s: HistorySummary, listed: number, now: Date): string {
  if (s.lastSuccessAt === null)
    return listed === 0
      ? "No run recorded yet."
      : `<strong class="last-success-age">No successful run</strong> among the last ${listed} recorded.`;
  return `Last success <strong class="last-success-age">${ago(s.lastSuccessAt, now)}</strong> (${utcTime(s.lastSuccessAt)})`;
}

function renderRuns(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return `<p class="meta">No runs recorded yet.</p>`;
  const rows = runs
    .map(
      (r) => `<tr class="run" data-run="${r.id}">
<td>${utcTime(r.startedAt)}</td><td>${r.trigger}${r.scheduledFor ? ` (${utcTime(r.scheduledFor)})` : ""}</td>
<td><span class="badge ${r.status}">${r.status}</span></td>
<td>${r.seconds === null ? "" : `${r.seconds}s`}</td>
<td>${r.tables ?? ""}</td><td>${r.rows === null ? "" : r.rows.toLocaleString("en-US")}</td>
<td>${r.bytes === null ? "" : formatBytes(r.bytes)}</td>
<td class="verification wrap">${verification(r)}</td>
<td class="wrap">${text(r.error?.message ?? "")}</td>
</tr>`,
    )
    .join("\n");
  return `<table class="runs">
<thead><tr><th>started</th><th>trigger</th><th>outcome</th><th>duration</th><th>tables</th><th>rows</th><th>bytes</th><th>verification</th><th>error</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

/** What the run compared before its cut-over, and the outcome; a run that stopped earlier did none. */
function verification(r: RunRecord): string {
  const v = r.verification;
  if (!v)
    return r.status === "running" || r.status === "skipped"
      ? ""
      : `<span class="meta">none (ended before it)</span>`;
  if (v.ok) return `<span class="verify-ok">${text(v.method)}: match</span>`;
  return `<span class="verify-bad">${text(v.method)}: ${v.mismatches.length} difference(s)</span>`;
}

function renderSnapshots(snapshots: readonly SnapshotRecord[], now: Date): string {
  if (snapshots.length === 0) return `<p class="meta">No snapshots.</p>`;
  const rows = snapshots
    .map(
      (s) => `<tr class="snapshot" data-snapshot="${text(s.snapshotId)}">
<td><code>${text(s.snapshotId)}</code></td><td class="wrap">${utcTime(s.takenAt)} (${ago(s.takenAt, now)})</td>
<td class="wrap">${s.reason === "run" ? "the state a run replaced" : "the state a rollback replaced"}</td>
<td>${formatBytes(s.bytes)}</td><td class="wrap">${text(s.schemas.map((x) => x.original).join(", "))}</td>
</tr>`,
    )
    .join("\n");
  return `<table class="snapshots">
<thead><tr><th>snapshot</th><th>taken</th><th>keeps</th><th>size</th><th>schemas</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function renderRollbacks(rollbacks: readonly RunRecord[]): string {
  if (rollbacks.length === 0) return `<p class="meta">No rollbacks recorded.</p>`;
  const rows = rollbacks
    .map(
      (r) => `<tr class="rollback" data-run="${r.id}">
<td>${utcTime(r.startedAt)}</td><td><span class="badge ${r.status}">${r.status}</span></td>
<td>${r.restoredSnapshot ? `<code>${text(r.restoredSnapshot)}</code>` : ""}</td>
<td>${r.keptSnapshot ? `<code>${text(r.keptSnapshot)}</code>` : ""}</td>
<td>${r.seconds === null ? "" : `${r.seconds}s`}</td><td class="wrap">${text(r.error?.message ?? "")}</td>
</tr>`,
    )
    .join("\n");
  return `<table class="rollbacks">
<thead><tr><th>started</th><th>outcome</th><th>brought back</th><th>replaced state kept as</th><th>duration</th><th>error</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}
