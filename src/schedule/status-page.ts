import { formatBytes } from "../output/format.js";
import { maskConnectionString, redact } from "../util/redact.js";
import type { HistorySummary } from "./history-stats.js";
import { FINISHED_STATUSES, type RunRecord } from "./history-store.js";

export interface ProfileView {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  /** Masked URLs. */
  readonly source: string;
  readonly destination: string;
  readonly next: readonly Date[];
  readonly running: { readonly slot: Date; readonly startedAt: Date } | null;
  readonly healthy: boolean;
  /** Newest first. */
  readonly runs: readonly RunRecord[];
  readonly summary: HistorySummary;
  /** Why the history could not be read (the destination is down, ...). */
  readonly historyError?: string;
}

const CHART = { width: 640, height: 180, left: 48, right: 12, top: 12, bottom: 28 } as const;

/**
 * The status page: per profile, its schedule and next runs, success rate and median duration, a
 * chart of run durations over time (inline SVG: one point per finished run), and the recent runs.
 * Self-contained: no script, no external resource.
 */
export function renderStatusPage(views: readonly ProfileView[], generatedAt: Date): string {
  const sections = views.map(renderProfile).join("\n");
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
h2 { font-size: 17px; margin: 0 0 8px; }
.meta { color: #5b6475; margin: 2px 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; color: #fff; }
.ok, .succeeded { background: #2e8b57; } .bad, .failed, .abandoned { background: #c0392b; }
.interrupted, .skipped { background: #d4880f; } .running { background: #2f6fca; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef0f4; font-variant-numeric: tabular-nums; }
th { color: #5b6475; font-weight: 600; }
.chart { margin-top: 8px; }
.chart .axis { stroke: #aab1bf; } .chart text { fill: #5b6475; font-size: 11px; }
.chart polyline { fill: none; stroke: #2f6fca; stroke-width: 1.5; }
.chart circle.succeeded { fill: #2e8b57; } .chart circle.failed, .chart circle.abandoned { fill: #c0392b; }
.chart circle.interrupted { fill: #d4880f; }
.error { color: #c0392b; }
</style>
</head>
<body>
<h1>pgsync-ts</h1>
<p class="meta">Generated ${escapeHtml(generatedAt.toISOString())}. Times are UTC.</p>
${sections || "<p>No scheduled profiles.</p>"}
</body>
</html>
`;
}

function renderProfile(view: ProfileView): string {
  const s = view.summary;
  const rate = s.successRate === null ? "n/a" : `${Math.round(s.successRate * 1000) / 10}%`;
  const medianText = s.medianSeconds === null ? "n/a" : `${s.medianSeconds}s`;
  const running = view.running
    ? `<p class="meta"><span class="badge running">running</span> since ${time(view.running.startedAt)} (scheduled for ${time(view.running.slot)})</p>`
    : "";
  const error = view.historyError
    ? `<p class="error">The run history could not be read: ${text(view.historyError)}</p>`
    : "";
  return `<section class="profile" data-profile="${text(view.name)}">
<h2>${text(view.name)} <span class="badge ${view.healthy ? "ok" : "bad"}">${view.healthy ? "on schedule" : "behind schedule"}</span></h2>
<p class="meta">${text(maskConnectionString(view.source))} &rarr; ${text(maskConnectionString(view.destination))}</p>
<p class="meta">Schedule <code>${text(view.cron)}</code> (${text(view.timezone)}); next runs: <span class="next-runs">${view.next.map(time).join(", ") || "none"}</span></p>
<p class="meta summary">Success rate <strong class="success-rate">${rate}</strong> (${s.succeeded} of ${s.finished} finished runs), median duration <strong class="median">${medianText}</strong>${s.skipped > 0 ? `, ${s.skipped} skipped` : ""}</p>
${running}${error}${renderChart(view.runs)}
${renderRuns(view.runs)}
</section>`;
}

/** Durations over time: x is when the run started, y its duration; one circle per finished run. */
export function renderChart(runs: readonly RunRecord[]): string {
  const points = runs
    .filter((r) => FINISHED_STATUSES.includes(r.status) && r.seconds !== null)
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  const { width, height, left, right, top, bottom } = CHART;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  if (points.length === 0) {
    return `<svg class="chart" role="img" aria-label="run durations" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><text x="${left}" y="${top + plotH / 2}">no finished runs yet</text></svg>`;
  }
  const t0 = points[0]?.startedAt.getTime() ?? 0;
  const t1 = points[points.length - 1]?.startedAt.getTime() ?? t0;
  const maxY = Math.max(...points.map((p) => p.seconds ?? 0)) || 1;
  const x = (t: number) => left + (t1 === t0 ? plotW / 2 : ((t - t0) / (t1 - t0)) * plotW);
  const y = (v: number) => top + plotH - (v / maxY) * plotH;
  const coords = points.map((p) => [x(p.startedAt.getTime()), y(p.seconds ?? 0)] as const);
  const circles = points
    .map((p, i) => {
      const [cx, cy] = coords[i] as readonly [number, number];
      return `<circle class="run-point ${p.status}" data-run="${p.id}" cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4"><title>${escapeHtml(`${time(p.startedAt)}: ${p.status}, ${p.seconds}s`)}</title></circle>`;
    })
    .join("");
  const line = coords.map(([cx, cy]) => `${cx.toFixed(1)},${cy.toFixed(1)}`).join(" ");
  return `<svg class="chart" role="img" aria-label="run durations over time" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<line class="axis" x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}"/>
<line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}"/>
<text x="4" y="${top + 10}">${round(maxY)}s</text><text x="4" y="${top + plotH}">0s</text>
<text x="${left}" y="${height - 8}">${escapeHtml(time(new Date(t0)))}</text>
<text x="${left + plotW}" y="${height - 8}" text-anchor="end">${escapeHtml(time(new Date(t1)))}</text>
<polyline points="${line}"/>${circles}
</svg>`;
}

function renderRuns(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return `<p class="meta">No runs recorded yet.</p>`;
  const rows = runs
    .map(
      (r) => `<tr class="run" data-run="${r.id}">
<td>${time(r.startedAt)}</td><td>${r.trigger}${r.scheduledFor ? ` (${time(r.scheduledFor)})` : ""}</td>
<td><span class="badge ${r.status}">${r.status}</span></td>
<td>${r.seconds === null ? "" : `${r.seconds}s`}</td>
<td>${r.tables ?? ""}</td><td>${r.rows === null ? "" : r.rows.toLocaleString("en-US")}</td>
<td>${r.bytes === null ? "" : formatBytes(r.bytes)}</td>
<td>${text(r.error?.message ?? "")}</td>
</tr>`,
    )
    .join("\n");
  return `<table class="runs">
<thead><tr><th>started</th><th>trigger</th><th>outcome</th><th>duration</th><th>tables</th><th>rows</th><th>bytes</th><th>error</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function time(d: Date): string {
  return d
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
}

function round(n: number): number {
  return n >= 10 ? Math.round(n) : Math.round(n * 10) / 10;
}

/**
 * Dynamic text of the page: through the redaction registry before it is escaped (escaping first
 * would hide a secret holding `&`, `<` or a quote from the registry).
 */
function text(value: string): string {
  return escapeHtml(redact(value));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
