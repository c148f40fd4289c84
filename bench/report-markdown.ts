/**
 * The benchmark's Markdown: one page per measured case (a shape at a size) and one summary across
 * them. Pure functions of the JSON results (bench/report.ts computes the figures).
 */
import type { MethodId } from "./methods.js";
import {
  BINDING_SCALE_MB,
  type FixedCostCommand,
  type MethodResult,
  round,
  type ScaleResult,
  type Target,
  TOOL_METHODS,
} from "./report.js";

const fmt = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined ? "–" : x.toFixed(digits);
const verdict = (t: { met: boolean | null }) =>
  t.met === null ? "not judged" : t.met ? "met" : "**MISSED**";
export const scaleLabel = (mb: number) => (mb >= 1000 ? `${round(mb / 1000, 1)} GB` : `${mb} MB`);

const shapeOf = (r: ScaleResult) => r.shape ?? "standard";

/** "1 GB", or for the other shapes "dominant 1 GB", "many-tables 10,000 tables". */
export function caseLabel(r: ScaleResult): string {
  if (shapeOf(r) === "standard") return scaleLabel(r.scaleMb);
  const size = r.size ?? r.scaleMb;
  return r.sizeUnit === "tables"
    ? `${shapeOf(r)} ${size.toLocaleString("en-US")} tables`
    : `${shapeOf(r)} ${scaleLabel(size)}`;
}

/** The results' file name without extension: `<date>-<MB>mb` for the standard dataset. */
export function resultBaseName(r: ScaleResult): string {
  if (shapeOf(r) === "standard") return `${r.date}-${r.scaleMb}mb`;
  return `${r.date}-${shapeOf(r)}-${r.size ?? r.scaleMb}${r.sizeUnit === "tables" ? "tables" : "mb"}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // A "|" inside a cell (pg_dump | psql) would split it.
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** "≤ " for a ratio against a peer's run stopped unfinished, "≥ " for one of pgsync-ts's stopped. */
const boundMark = (bound: "at most" | "at least" | undefined) =>
  bound === "at most" ? "≤ " : bound === "at least" ? "≥ " : "";
const targetValue = (t: Target) =>
  boundMark(t.bound) +
  (t.unit === "x"
    ? `${fmt(t.value, 3)} x`
    : t.unit === "s"
      ? `${fmt(t.value, 3)} s`
      : `${fmt(t.value, 0)} MB`);
/** A median wall time; "> " when a run was stopped unfinished (RunRecord.stopped). */
const wallTime = (s: { seconds: number; stopped?: unknown }) => `${s.stopped ? "> " : ""}${fmt(s.seconds)}`;
const targetLimit = (t: Target) =>
  t.unit === "x"
    ? `${t.name.includes("faster than") ? "<" : "≤"} ${t.limit} x`
    : t.unit === "s"
      ? `≤ ${t.limit} s`
      : `< ${t.limit} MB`;

/** pgsync-ts's median steps, largest first: where its time went. */
function whereTheTimeWent(m: MethodResult | undefined): string {
  const steps = m?.median?.steps;
  if (!steps) return "";
  return Object.entries(steps)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${fmt(v)} s`)
    .join(", ");
}

function header(r: ScaleResult): string[] {
  const out: string[] = [];
  out.push(`# pgsync-ts benchmark: ${caseLabel(r)}, ${r.date}`, "");
  if (!r.publishable)
    out.push(
      `> ${r.runs} measured run(s) after ${r.warmup} warm-up: a smoke run, or a single round at a large scale. The figures are indicative; published ones are medians of at least 3 runs after a warm-up.\n`,
    );
  if (r.load.underLoad)
    out.push(
      `> **Measured under load**: other work on the machine took a median ${(r.load.foreignCpu * 100).toFixed(0)}% of its CPU during the runs (1-minute load ${r.load.before[0]} before the start); the figures are slower and noisier than on a quiet machine.\n`,
    );
  if (r.description) out.push(`Shape: ${shapeOf(r)}: ${r.description}.`, "");
  out.push(
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Linux ${r.machine.kernel}, Node ${r.machine.node}. ` +
      `Servers: two PostgreSQL ${r.servers.version} (source and destination, durable: fsync and full-page writes on; ` +
      `${Object.entries(r.servers.settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}). Client tools: ${r.pgDump ?? "none of the servers' major (pg_dump peers skipped)"}` +
      `${r.pgcopydb ? `; ${r.pgcopydb}` : ""}. ` +
      `Parallelism N = ${r.parallel}. Median of ${r.runs} run(s) after ${r.warmup} discarded warm-up round(s); ` +
      `median foreign CPU during the runs: ${(r.load.foreignCpu * 100).toFixed(0)}%.`,
    "",
  );
  const rows = Object.entries(r.dataset.rows);
  const listed =
    rows.length > 12
      ? `${rows.length.toLocaleString("en-US")} tables, ${rows.reduce((n, [, c]) => n + c, 0).toLocaleString("en-US")} rows in all`
      : rows.map(([t, n]) => `${t} ${n.toLocaleString("en-US")}`).join(", ");
  const mb = (b: number) => (b / 1e6).toFixed(1);
  out.push(
    `Data: ${mb(r.dataset.dataBytes)} MB of table data (heap + TOAST; the MB in MB/s), ${mb(r.dataset.indexBytes)} MB of indexes, ` +
      `database ${mb(r.dataset.databaseBytes)} MB. Rows: ${listed}.`,
    "",
  );
  return out;
}

function methodsTable(r: ScaleResult): string {
  return table(
    [
      "method",
      "median wall (s)",
      "MB/s",
      "peak RSS median (max), MB",
      "own CPU s (per GB)",
      "all runs, s (other work's share of the CPU)",
      "where the time goes (median s)",
    ],
    r.methods.map((m) => {
      if (m.skipped) return [m.label, "skipped", "", "", "", "", m.skipped];
      const s = m.median;
      const parts = s
        ? Object.entries(s.steps ?? s.parts)
            .filter(([, v]) => v >= 0.05 || !s.steps)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(", ")
        : "";
      return [
        `${m.label}${m.error ? ` (**failed**: ${m.error.split("\n")[0]})` : ""}`,
        s ? `${wallTime(s)}${s.stopped ? " (stopped unfinished)" : ""}` : "–",
        s ? `${s.stopped ? "< " : ""}${fmt(s.mbPerSecond, 1)}` : "–",
        s?.rssMb === null || s === undefined ? "–" : `${fmt(s.rssMb, 0)} (${fmt(s.maxRssMb, 0)})`,
        s?.cpuSeconds === undefined ? "–" : `${fmt(s.cpuSeconds)} (${fmt(s.cpuSecondsPerGb, 1)})`,
        m.runs
          .map(
            (x) =>
              `${x.seconds.toFixed(2)}${x.stopped ? ` stopped (${x.stopped === "time" ? "time limit" : "low memory"})` : ""} (${(x.foreignCpu * 100).toFixed(0)}%)`,
          )
          .join(", "),
        parts,
      ];
    }),
  );
}

function fixedCostTable(commands: readonly FixedCostCommand[]): string {
  return table(
    ["command (hyperfine)", "runs", "median (s)", "min (s)", "max (s)"],
    commands.map((c) => [
      `${c.id}: \`${c.command}\``,
      String(c.runs),
      fmt(c.median, 3),
      fmt(c.min, 3),
      fmt(c.max, 3),
    ]),
  );
}

export function scaleMarkdown(r: ScaleResult): string {
  const out = header(r);
  out.push("## Wall time, throughput, peak RSS, CPU", "", methodsTable(r), "");
  out.push(
    "Peak RSS is the largest process of the method (GNU time's %M); own CPU is the user + system seconds of the method's processes (not the servers'), and per GB of table data; the raw limit runs inside the harness.",
    "",
  );
  if (r.methods.some((m) => m.median?.stopped)) {
    out.push(
      "A run marked stopped was killed unfinished, at the harness's time limit (`--time-limit`) or when the machine had less than 2 GB of memory available: its wall time is a lower bound, its peak RSS the largest process's, sampled from /proc once a second (pages shared between forked processes count in each), and a ratio against it a bound (≤).",
      "",
    );
  }
  if (r.fixedCost) {
    out.push("## Fixed costs", "", fixedCostTable(r.fixedCost), "");
  }
  out.push("## pgsync-ts against each peer", "");
  out.push(
    "Each round runs every method once, in turns; a ratio is the median of the rounds' ratios (rounds: how many).",
    "",
  );
  out.push(
    table(
      [
        "pgsync-ts",
        "peer",
        "time ratio (lower is better)",
        "MB/s ratio (higher is better)",
        "peak RSS ratio",
        "rounds",
      ],
      r.ratios.map((x) => [
        x.tool,
        r.methods.find((m) => m.id === x.peer)?.label ?? x.peer,
        `${boundMark(x.bound)}${fmt(x.time)}`,
        `${x.bound === "at most" ? "≥ " : x.bound === "at least" ? "≤ " : ""}${fmt(x.throughput)}`,
        fmt(x.rss),
        String(x.rounds ?? 0),
      ]),
    ),
    "",
  );
  const binding = shapeOf(r) !== "standard" || r.scaleMb >= BINDING_SCALE_MB;
  out.push(
    `## Targets${binding ? "" : " (the ratios are binding at the 1 GB scale; shown here for reference)"}`,
    "",
  );
  out.push(
    table(
      ["target", "measured", "limit", "verdict"],
      r.targets.map((t) => [t.name, targetValue(t), targetLimit(t), verdict(t)]),
    ),
    "",
  );
  const missed = r.targets.filter((t) => t.met === false);
  if (missed.length > 0) {
    out.push(
      `**Missed**: ${missed.map((t) => `${t.name} (${targetValue(t)}, limit ${targetLimit(t)})`).join("; ")}. ` +
        `Where pgsync-ts's time went (median, empty destination): ${whereTheTimeWent(r.methods.find((m) => m.id === "pgsync-empty")) || "no step timings"}.`,
      "",
    );
  }
  return out.join("\n");
}

const SUMMARY_IDS: readonly MethodId[] = [
  "pgsync-empty",
  "pgsync-resync",
  "dump-psql",
  "dump-restore-j",
  "pgcopydb",
  "replaced-resync",
  "raw-copy",
];

/** Per case, the newest result; then the tool's CPU per GB, the fixed costs and the growth with the data. */
export function summaryMarkdown(results: readonly ScaleResult[]): string {
  const newest = new Map<string, ScaleResult>();
  for (const r of results) {
    const key = caseLabel(r);
    const known = newest.get(key);
    if (!known || known.date <= r.date) newest.set(key, r);
  }
  const all = [...newest.values()];
  const order = ["standard", "seed", "many-tables", "dominant", "wide-toast"];
  all.sort(
    (a, b) =>
      order.indexOf(shapeOf(a)) - order.indexOf(shapeOf(b)) || (a.size ?? a.scaleMb) - (b.size ?? b.scaleMb),
  );
  const scales = all.filter((r) => shapeOf(r) === "standard");
  const seconds = (r: ScaleResult, id: MethodId) =>
    r.methods.find((m) => m.id === id)?.median?.seconds ?? null;
  const out: string[] = ["# pgsync-ts benchmark: summary across scales and shapes", ""];
  out.push(
    "Median wall time in seconds (MB/s in parentheses) per method; each row links to its own table. " +
      "Rows marked * were measured under load, † are smoke runs.",
    "",
  );
  out.push(
    table(
      [
        "case",
        "data MB",
        "pgsync-ts empty",
        "pgsync-ts re-sync",
        "pg_dump | psql",
        "pg_dump -j + pg_restore -j",
        "pgcopydb clone",
        "replaced re-sync",
        "raw limit",
        "pgsync-ts peak RSS (MB)",
        "pgsync-ts CPU s per GB",
        "targets met",
      ],
      all.map((r) => {
        const cell = (id: MethodId) => {
          const s = r.methods.find((m) => m.id === id)?.median;
          return s ? `${wallTime(s)} (${s.stopped ? "< " : ""}${fmt(s.mbPerSecond, 0)})` : "–";
        };
        const rss = r.targets.find((t) => t.unit === "MB")?.value ?? null;
        const judged = r.targets.filter((t) => t.met !== null);
        const cpu = r.methods.find((m) => m.id === "pgsync-empty")?.median?.cpuSecondsPerGb;
        return [
          `[${caseLabel(r)}](${resultBaseName(r)}.md)${r.load.underLoad ? " *" : ""}${r.publishable ? "" : " †"}`,
          (r.dataset.dataBytes / 1e6).toFixed(0),
          ...SUMMARY_IDS.map(cell),
          fmt(rss, 0),
          fmt(cpu, 1),
          `${judged.filter((t) => t.met).length}/${judged.length}`,
        ];
      }),
    ),
    "",
  );
  const missed = all.flatMap((r) =>
    r.targets
      .filter((t) => t.met === false)
      .map(
        (t) =>
          `- ${caseLabel(r)}: ${t.name}: ${targetValue(t)} (limit ${targetLimit(t)}); pgsync-ts's time went to ${whereTheTimeWent(r.methods.find((m) => m.id === "pgsync-empty")) || "(no step timings)"}`,
      ),
  );
  if (missed.length > 0) out.push("## Targets missed", "", ...missed, "");
  out.push("## The tool's own CPU", "");
  out.push(
    "User + system CPU seconds of the pgsync-ts process for a full sync onto an empty destination, per GB of table data " +
      "(the servers' CPU is not included). A worker forwards one COPY stream, so a pool of W workers keeps W source and W " +
      "destination backends busy while pgsync-ts itself needs about (CPU s per GB) × (GB per second the servers sustain) of one core.",
    "",
  );
  out.push(
    table(
      ["case", "data GB", "CPU s", "CPU s per GB"],
      all.flatMap((r) => {
        const s = r.methods.find((m) => m.id === "pgsync-empty")?.median;
        return s?.cpuSeconds === undefined
          ? []
          : [[caseLabel(r), fmt(r.dataset.dataBytes / 1e9, 3), fmt(s.cpuSeconds), fmt(s.cpuSecondsPerGb, 1)]];
      }),
    ),
    "",
  );
  const fixed = all.filter((r) => r.fixedCost);
  for (const r of fixed) {
    out.push(`## Fixed costs (${caseLabel(r)}, ${r.date})`, "", fixedCostTable(r.fixedCost ?? []), "");
  }
  out.push("## Growth with the data (standard dataset; target: 10x the data takes at most 11x the time)", "");
  const growthRows: string[][] = [];
  for (let i = 1; i < scales.length; i++) {
    const a = scales[i - 1] as ScaleResult;
    const b = scales[i] as ScaleResult;
    const dataRatio = b.dataset.dataBytes / a.dataset.dataBytes;
    for (const id of SUMMARY_IDS) {
      const ta = seconds(a, id);
      const tb = seconds(b, id);
      if (ta === null || tb === null) continue;
      const growth = tb / ta;
      const limit = 1.1 * dataRatio;
      growthRows.push([
        `${scaleLabel(a.scaleMb)} → ${scaleLabel(b.scaleMb)}`,
        id,
        `${dataRatio.toFixed(2)}x`,
        `${growth.toFixed(2)}x`,
        `≤ ${limit.toFixed(2)}x`,
        TOOL_METHODS.includes(id) ? (growth <= limit ? "met" : "**MISSED**") : "(peer)",
      ]);
    }
  }
  out.push(
    table(["scales", "method", "data grew", "time grew", "limit (1.1 × data)", "verdict"], growthRows),
    "",
  );
  return out.join("\n");
}
