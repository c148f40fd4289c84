import { FINISHED_STATUSES, type RunRecord } from "./history-store.js";
import { escapeHtml, utcTime } from "./status-html.js";

/** The plot's height in pixels; its width is the card's (every x is a percentage). */
const PLOT_HEIGHT = 160;
const PAD_TOP = 8;
const PAD_BOTTOM = 8;
/** Points sit between these percentages of the width, so the first and last circles are not cut. */
const X_FROM = 1.5;
const X_TO = 98.5;

/**
 * Run durations over time, as server-rendered HTML and SVG without script: x is when each finished
 * run started, y its duration, one circle per run (coloured by outcome, its details in a tooltip).
 * Every x coordinate is a percentage, so the plot takes the card's whole width at any window size
 * without stretching circles or text; the axis labels are HTML beside and below it.
 */
export function renderChart(runs: readonly RunRecord[]): string {
  const points = runs
    .filter((r) => FINISHED_STATUSES.includes(r.status) && r.seconds !== null)
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  if (points.length === 0) return `<p class="meta chart-empty">No finished runs to chart yet.</p>`;
  const t0 = points[0]?.startedAt.getTime() ?? 0;
  const t1 = points[points.length - 1]?.startedAt.getTime() ?? t0;
  const top = niceCeiling(Math.max(...points.map((p) => p.seconds ?? 0)));
  const plotH = PLOT_HEIGHT - PAD_TOP - PAD_BOTTOM;
  const x = (t: number) => (t1 === t0 ? 50 : X_FROM + ((t - t0) / (t1 - t0)) * (X_TO - X_FROM));
  const y = (v: number) => PAD_TOP + plotH - (v / top) * plotH;
  const coords = points.map((p) => [x(p.startedAt.getTime()), y(p.seconds ?? 0)] as const);
  const grid = [0, 0.5, 1]
    .map(
      (f) =>
        `<line class="grid" x1="0" x2="100%" y1="${y(top * f).toFixed(1)}" y2="${y(top * f).toFixed(1)}"/>`,
    )
    .join("");
  const trend = coords
    .slice(1)
    .map(([cx, cy], i) => {
      const [px, py] = coords[i] as readonly [number, number];
      return `<line class="trend" x1="${px.toFixed(2)}%" y1="${py.toFixed(1)}" x2="${cx.toFixed(2)}%" y2="${cy.toFixed(1)}"/>`;
    })
    .join("");
  const circles = points
    .map((p, i) => {
      const [cx, cy] = coords[i] as readonly [number, number];
      const tip = `${utcTime(p.startedAt)}: ${p.status}, ${p.seconds}s`;
      return `<circle class="run-point ${p.status}" data-run="${p.id}" cx="${cx.toFixed(2)}%" cy="${cy.toFixed(1)}" r="4"><title>${escapeHtml(tip)}</title></circle>`;
    })
    .join("");
  const yLabel = (f: number) =>
    `<span style="top:${((y(top * f) / PLOT_HEIGHT) * 100).toFixed(1)}%">${formatSeconds(top * f)}</span>`;
  const span = t1 - t0;
  const ticks =
    t1 === t0
      ? `<span class="tick" style="left:50%">${escapeHtml(tick(t0, span))}</span>`
      : [
          `<span class="tick first">${escapeHtml(tick(t0, span))}</span>`,
          points.length > 2
            ? `<span class="tick" style="left:50%">${escapeHtml(tick((t0 + t1) / 2, span))}</span>`
            : "",
          `<span class="tick last">${escapeHtml(tick(t1, span))}</span>`,
        ].join("");
  return `<figure class="chart">
<div class="chart-grid">
<div class="y-axis" aria-hidden="true">${yLabel(1)}${yLabel(0.5)}${yLabel(0)}</div>
<svg class="plot" role="img" aria-label="run durations over time" width="100%" height="${PLOT_HEIGHT}">${grid}${trend}${circles}</svg>
<div></div>
<div class="x-axis">${ticks}</div>
</div>
<figcaption><span class="axis-title y-title">duration</span> of each finished run, by <span class="axis-title x-title">start time (UTC)</span></figcaption>
</figure>`;
}

/** The smallest of 1, 2 or 5 times a power of ten that holds the value: round labels, and a round half. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

function formatSeconds(seconds: number): string {
  if (seconds === 0) return "0 s";
  if (seconds >= 120) return `${Math.round((seconds / 60) * 10) / 10} min`;
  return `${Math.round(seconds * 100) / 100} s`;
}

/** A time-axis label: the date only when the runs span days, the seconds only when they span minutes. */
function tick(t: number, spanMs: number): string {
  const iso = new Date(t).toISOString();
  if (spanMs >= 2 * 86_400_000) return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
  if (spanMs >= 10 * 60_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}Z`;
  return `${iso.slice(11, 19)}Z`;
}
