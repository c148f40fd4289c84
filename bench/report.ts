/**
 * Turns measured runs into the published figures: medians, MB/s, ratios of pgsync-ts to each peer,
 * the issue's targets with a verdict each, and the Markdown tables (one per scale, one across scales).
 * Pure functions over plain data, so the arithmetic is testable without a server.
 */
import type { MethodId } from "./methods.js";

export interface RunRecord {
  readonly seconds: number;
  readonly rssKb: number | null;
  readonly parts: Record<string, number>;
  readonly steps?: Record<string, number>;
  readonly warnings?: readonly string[];
  readonly tables?: Record<string, number>;
  /** Share of the machine's CPU used by other work during the run (see cpu-share.ts). */
  readonly foreignCpu: number;
}

export interface MethodSummary {
  readonly seconds: number;
  readonly mbPerSecond: number;
  /** Median and largest peak RSS over the runs, in MB; null when the method runs inside the harness. */
  readonly rssMb: number | null;
  readonly maxRssMb: number | null;
  readonly parts: Record<string, number>;
  readonly steps?: Record<string, number>;
}

export interface MethodResult {
  readonly id: MethodId;
  readonly label: string;
  readonly command: string;
  /** Why the method was not run (no fitting pg_dump); no runs then. */
  readonly skipped?: string;
  /** The first failure; the runs that failed are not in `runs`. */
  readonly error?: string;
  readonly runs: readonly RunRecord[];
  readonly median?: MethodSummary;
}

export interface Ratio {
  readonly tool: MethodId;
  readonly peer: MethodId;
  /** tool / peer: below 1 means pgsync-ts takes less time. */
  readonly time: number;
  /** tool / peer: above 1 means pgsync-ts moves more MB per second. */
  readonly throughput: number;
  /** tool / peer peak RSS; null when the peer's RSS is not measured. */
  readonly rss: number | null;
}

export interface Target {
  readonly name: string;
  readonly value: number | null;
  readonly limit: number;
  /** null: could not be judged (a peer was skipped or failed). */
  readonly met: boolean | null;
  readonly unit: "x" | "MB";
}

export interface ScaleResult {
  readonly schema: 1;
  readonly date: string;
  readonly scaleMb: number;
  /** At least 3 measured runs after a warm-up: fit for publication (false for smoke runs). */
  readonly publishable: boolean;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGb: number;
    readonly kernel: string;
    readonly node: string;
  };
  readonly servers: { readonly version: string; readonly settings: Record<string, string> };
  readonly pgDump: string | null;
  readonly parallel: number;
  readonly runs: number;
  readonly warmup: number;
  readonly dataset: {
    readonly rows: Record<string, number>;
    /** Heap + TOAST of the source tables (the MB in MB/s). */
    readonly dataBytes: number;
    readonly indexBytes: number;
    readonly databaseBytes: number;
    readonly generationSeconds: number;
  };
  readonly load: {
    /** /proc/loadavg (1, 5, 15 minutes) before the servers started, after any wait for quiet. */
    readonly before: readonly number[];
    readonly waitedSeconds: number;
    /** The 1-minute load the harness waited for (0: it did not wait). */
    readonly quietBelow: number;
    /** Median share of the machine's CPU taken by other work during the measured runs. */
    readonly foreignCpu: number;
    readonly underLoad: boolean;
  };
  readonly methods: readonly MethodResult[];
  readonly ratios: readonly Ratio[];
  readonly targets: readonly Target[];
}

export const TOOL_METHODS: readonly MethodId[] = ["pgsync-empty", "pgsync-resync"];
export const PEER_METHODS: readonly MethodId[] = [
  "dump-psql",
  "dump-restore-j",
  "replaced-resync",
  "raw-copy",
];
/** The scale from which the issue's targets are binding (the 1 GB class). */
export const BINDING_SCALE_MB = 1000;
/** Other work above this share of the CPU marks a result as measured under load. */
export const LOAD_LIMIT = 0.1;
export const underLoad = (foreignCpu: number) => foreignCpu > LOAD_LIMIT;

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

function medianOfKeys(records: readonly Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = round(median(records.map((r) => r[k] ?? 0)));
  return out;
}

export function summarize(runs: readonly RunRecord[], dataBytes: number): MethodSummary | undefined {
  if (runs.length === 0) return undefined;
  const seconds = median(runs.map((r) => r.seconds));
  const rss = runs.map((r) => r.rssKb).filter((x): x is number => x !== null);
  const withSteps = runs.map((r) => r.steps).filter((s): s is Record<string, number> => s !== undefined);
  return {
    seconds: round(seconds),
    mbPerSecond: round(dataBytes / 1e6 / seconds, 2),
    rssMb: rss.length > 0 ? round(median(rss) / 1024, 1) : null,
    maxRssMb: rss.length > 0 ? round(Math.max(...rss) / 1024, 1) : null,
    parts: medianOfKeys(runs.map((r) => r.parts)),
    ...(withSteps.length > 0 ? { steps: medianOfKeys(withSteps) } : {}),
  };
}

export function ratios(methods: readonly MethodResult[]): Ratio[] {
  const byId = new Map(methods.map((m) => [m.id, m.median]));
  const out: Ratio[] = [];
  for (const tool of TOOL_METHODS) {
    const t = byId.get(tool);
    if (!t) continue;
    for (const peer of PEER_METHODS) {
      const p = byId.get(peer);
      if (!p) continue;
      out.push({
        tool,
        peer,
        time: round(t.seconds / p.seconds),
        throughput: round(t.mbPerSecond / p.mbPerSecond),
        rss: t.rssMb !== null && p.rssMb !== null ? round(t.rssMb / p.rssMb, 2) : null,
      });
    }
  }
  return out;
}

export const RSS_LIMIT_MB = 256;

export function targets(methods: readonly MethodResult[], computed: readonly Ratio[]): Target[] {
  const timeRatio = (tool: MethodId, peer: MethodId) =>
    computed.find((r) => r.tool === tool && r.peer === peer)?.time ?? null;
  const judged = (
    name: string,
    value: number | null,
    limit: number,
    unit: Target["unit"],
    strict = false,
  ) => ({
    name,
    value,
    limit,
    unit,
    met: value === null ? null : strict ? value < limit : value <= limit,
  });
  const rss = methods
    .filter((m) => TOOL_METHODS.includes(m.id))
    .map((m) => m.median?.maxRssMb)
    .filter((x): x is number => typeof x === "number");
  return [
    judged(
      "full sync onto an empty destination vs pg_dump | psql --single-transaction",
      timeRatio("pgsync-empty", "dump-psql"),
      0.65,
      "x",
    ),
    judged(
      "full sync onto an empty destination vs pg_dump -Fd -Z0 -j N + pg_restore -j N",
      timeRatio("pgsync-empty", "dump-restore-j"),
      0.8,
      "x",
    ),
    judged(
      "re-sync onto a populated destination (snapshot kept) vs the replaced re-sync flow",
      timeRatio("pgsync-resync", "replaced-resync"),
      0.5,
      "x",
    ),
    judged(
      "peak RSS of pgsync-ts (largest of all runs)",
      rss.length > 0 ? Math.max(...rss) : null,
      RSS_LIMIT_MB,
      "MB",
      true,
    ),
  ];
}

// ---------- Markdown ----------

const fmt = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined ? "–" : x.toFixed(digits);
const verdict = (t: { met: boolean | null }) =>
  t.met === null ? "not judged" : t.met ? "met" : "**MISSED**";
export const scaleLabel = (mb: number) => (mb >= 1000 ? `${round(mb / 1000, 1)} GB` : `${mb} MB`);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // A "|" inside a cell (pg_dump | psql) would split it.
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function scaleMarkdown(r: ScaleResult): string {
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const out: string[] = [];
  out.push(`# pgsync-ts benchmark: ${scaleLabel(r.scaleMb)} scale, ${r.date}`);
  out.push("");
  if (!r.publishable)
    out.push(
      `> Smoke run (${r.runs} measured run(s), ${r.warmup} warm-up): it shows that the harness works; the figures are not for publication.\n`,
    );
  if (r.load.underLoad)
    out.push(
      `> **Measured under load**: other work on the machine took a median ${(r.load.foreignCpu * 100).toFixed(0)}% of its CPU during the runs (1-minute load ${r.load.before[0]} before the start); the figures are slower and noisier than on a quiet machine.\n`,
    );
  out.push(
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Linux ${r.machine.kernel}, Node ${r.machine.node}. ` +
      `Servers: two PostgreSQL ${r.servers.version} (source and destination, durable: fsync and full-page writes on; ` +
      `${Object.entries(r.servers.settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}). Client tools: ${r.pgDump ?? "none of the servers' major (pg_dump peers skipped)"}. ` +
      `Parallelism N = ${r.parallel}. Median of ${r.runs} run(s) after ${r.warmup} discarded warm-up round(s); ` +
      `median foreign CPU during the runs: ${(r.load.foreignCpu * 100).toFixed(0)}%.`,
  );
  out.push("");
  const rows = Object.entries(r.dataset.rows)
    .map(([t, n]) => `${t} ${n.toLocaleString("en-US")}`)
    .join(", ");
  out.push(
    `Data: ${mb(r.dataset.dataBytes)} MB of table data (heap + TOAST; the MB in MB/s), ${mb(r.dataset.indexBytes)} MB of indexes, ` +
      `database ${mb(r.dataset.databaseBytes)} MB. Rows: ${rows}.`,
  );
  out.push("");
  out.push("## Wall time, throughput, peak RSS");
  out.push("");
  out.push(
    table(
      [
        "method",
        "median wall (s)",
        "MB/s",
        "peak RSS median (max), MB",
        "all runs, s (other work's share of the CPU)",
        "where the time goes (median s)",
      ],
      r.methods.map((m) => {
        if (m.skipped) return [m.label, "skipped", "", "", "", m.skipped];
        const s = m.median;
        const parts = s
          ? Object.entries(s.steps ?? s.parts)
              .filter(([, v]) => v >= 0.05 || !s.steps)
              .map(([k, v]) => `${k} ${fmt(v)}`)
              .join(", ")
          : "";
        return [
          `${m.label}${m.error ? ` (**failed**: ${m.error.split("\n")[0]})` : ""}`,
          fmt(s?.seconds),
          fmt(s?.mbPerSecond, 1),
          s?.rssMb === null || s === undefined ? "–" : `${fmt(s.rssMb, 0)} (${fmt(s.maxRssMb, 0)})`,
          m.runs.map((x) => `${x.seconds.toFixed(2)} (${(x.foreignCpu * 100).toFixed(0)}%)`).join(", "),
          parts,
        ];
      }),
    ),
  );
  out.push("");
  out.push(
    "Peak RSS is the largest process of the method (GNU time's %M); the raw limit runs inside the harness.",
  );
  out.push("");
  out.push("## pgsync-ts against each peer");
  out.push("");
  out.push(
    table(
      [
        "pgsync-ts",
        "peer",
        "time ratio (lower is better)",
        "MB/s ratio (higher is better)",
        "peak RSS ratio",
      ],
      r.ratios.map((x) => [
        x.tool,
        r.methods.find((m) => m.id === x.peer)?.label ?? x.peer,
        fmt(x.time),
        fmt(x.throughput),
        fmt(x.rss),
      ]),
    ),
  );
  out.push("");
  out.push(
    `## Targets${r.scaleMb >= BINDING_SCALE_MB ? "" : ` (binding at the 1 GB scale; shown here for reference)`}`,
  );
  out.push("");
  out.push(
    table(
      ["target", "measured", "limit", "verdict"],
      r.targets.map((t) => [
        t.name,
        t.unit === "x" ? `${fmt(t.value, 3)} x` : `${fmt(t.value, 0)} MB`,
        t.unit === "x" ? `≤ ${t.limit} x` : `< ${t.limit} MB`,
        verdict(t),
      ]),
    ),
  );
  out.push("");
  return out.join("\n");
}

/** Per scale, the newest result; then how the time grows from one scale to the next. */
export function summaryMarkdown(results: readonly ScaleResult[]): string {
  const newest = new Map<number, ScaleResult>();
  for (const r of results) {
    const known = newest.get(r.scaleMb);
    if (!known || known.date <= r.date) newest.set(r.scaleMb, r);
  }
  const scales = [...newest.values()].sort((a, b) => a.scaleMb - b.scaleMb);
  const ids: MethodId[] = [
    "pgsync-empty",
    "pgsync-resync",
    "dump-psql",
    "dump-restore-j",
    "replaced-resync",
    "raw-copy",
  ];
  const seconds = (r: ScaleResult, id: MethodId) =>
    r.methods.find((m) => m.id === id)?.median?.seconds ?? null;
  const out: string[] = ["# pgsync-ts benchmark: summary across scales", ""];
  out.push(
    "Median wall time in seconds (MB/s in parentheses) per method; each row links to its own table. " +
      "Rows marked * were measured under load, † are smoke runs.",
  );
  out.push("");
  out.push(
    table(
      [
        "scale",
        "data MB",
        "pgsync-ts empty",
        "pgsync-ts re-sync",
        "pg_dump | psql",
        "pg_dump -j + pg_restore -j",
        "replaced re-sync",
        "raw limit",
        "pgsync-ts peak RSS (MB)",
        "targets met",
      ],
      scales.map((r) => {
        const cell = (id: MethodId) => {
          const s = r.methods.find((m) => m.id === id)?.median;
          return s ? `${fmt(s.seconds)} (${fmt(s.mbPerSecond, 0)})` : "–";
        };
        const rss = r.targets.find((t) => t.unit === "MB")?.value ?? null;
        const judged = r.targets.filter((t) => t.met !== null);
        return [
          `[${scaleLabel(r.scaleMb)}](${r.date}-${r.scaleMb}mb.md)${r.load.underLoad ? " *" : ""}${r.publishable ? "" : " †"}`,
          (r.dataset.dataBytes / 1e6).toFixed(0),
          ...ids.map(cell),
          fmt(rss, 0),
          `${judged.filter((t) => t.met).length}/${judged.length}`,
        ];
      }),
    ),
  );
  out.push("");
  out.push("## Growth with the data (target: 10x the data takes at most 11x the time)");
  out.push("");
  const growthRows: string[][] = [];
  for (let i = 1; i < scales.length; i++) {
    const a = scales[i - 1] as ScaleResult;
    const b = scales[i] as ScaleResult;
    const dataRatio = b.dataset.dataBytes / a.dataset.dataBytes;
    for (const id of ids) {
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
  );
  out.push("");
  return out.join("\n");
}
