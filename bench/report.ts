/**
 * Turns measured runs into the published figures: medians, MB/s, the tool's CPU seconds per GB,
 * ratios of pgsync-ts to each peer (per round, then the median), and the targets with a
 * verdict each. Pure functions over plain data, so the arithmetic is testable without a server; the
 * Markdown is in report-markdown.ts.
 */
import type { MethodId } from "./methods.js";
import type { ShapeId } from "./shape-types.js";

export interface RunRecord {
  readonly seconds: number;
  readonly rssKb: number | null;
  /** User + system CPU seconds of the method's own processes; null or absent when not measured. */
  readonly cpuSeconds?: number | null;
  /** The measured round it ran in (every method runs once per round, in turns). */
  readonly round?: number;
  readonly parts: Record<string, number>;
  readonly steps?: Record<string, number>;
  readonly warnings?: readonly string[];
  readonly tables?: Record<string, number>;
  /** Share of the machine's CPU used by other work during the run (see cpu-share.ts). */
  readonly foreignCpu: number;
  /**
   * Stopped unfinished, at the harness's time limit or when the machine ran low on memory:
   * `seconds` is how long it ran (a lower bound).
   */
  readonly stopped?: "time" | "memory";
}

export interface MethodSummary {
  readonly seconds: number;
  readonly mbPerSecond: number;
  /** Median and largest peak RSS over the runs, in MB; null when the method runs inside the harness. */
  readonly rssMb: number | null;
  readonly maxRssMb: number | null;
  /** Median CPU seconds of the method's own processes, and per GB of table data. */
  readonly cpuSeconds?: number;
  readonly cpuSecondsPerGb?: number;
  readonly parts: Record<string, number>;
  readonly steps?: Record<string, number>;
  /** A run was stopped at the time limit: `seconds` is a lower bound, `mbPerSecond` an upper one. */
  readonly stopped?: true;
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
  /** How many rounds had both (the time ratio is the median of theirs); 0: from the medians. */
  readonly rounds: number;
  /**
   * A run of the peer was stopped at the time limit ("at most": the true ratio is lower), or one of
   * pgsync-ts's ("at least"); absent when every run finished.
   */
  readonly bound?: "at most" | "at least";
}

export interface Target {
  readonly name: string;
  readonly value: number | null;
  readonly limit: number;
  /** null: could not be judged (a peer was skipped or failed, or a bound does not decide). */
  readonly met: boolean | null;
  /** The value is a bound, from a run stopped at the time limit (Ratio.bound). */
  readonly bound?: "at most" | "at least";
  readonly unit: "x" | "MB" | "s";
}

/** One command timed by hyperfine (the fixed costs: start-up, --help, the 1 MB run). */
export interface FixedCostCommand {
  readonly id: string;
  readonly command: string;
  readonly runs: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ScaleResult {
  readonly schema: 1;
  readonly date: string;
  readonly scaleMb: number;
  /** Absent for the standard dataset (results written before shapes existed). */
  readonly shape?: ShapeId;
  /** The shape's size in its unit (MB, or tables for many-tables) and what it holds. */
  readonly size?: number;
  readonly sizeUnit?: "MB" | "tables";
  readonly description?: string;
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
  readonly pgcopydb?: string | null;
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
  /** hyperfine's medians of the fixed costs (the seed shape only). */
  readonly fixedCost?: readonly FixedCostCommand[];
}

export const TOOL_METHODS: readonly MethodId[] = ["pgsync-empty", "pgsync-resync"];
export const PEER_METHODS: readonly MethodId[] = [
  "dump-psql",
  "dump-restore-j",
  "pgcopydb",
  "replaced-resync",
  "raw-copy",
];
/** The scale from which the targets are binding (the 1 GB class). */
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

export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

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
  const cpu = runs.map((r) => r.cpuSeconds).filter((x): x is number => typeof x === "number");
  const withSteps = runs.map((r) => r.steps).filter((s): s is Record<string, number> => s !== undefined);
  const cpuSeconds = cpu.length > 0 ? median(cpu) : undefined;
  return {
    seconds: round(seconds),
    mbPerSecond: round(dataBytes / 1e6 / seconds, 2),
    rssMb: rss.length > 0 ? round(median(rss) / 1024, 1) : null,
    maxRssMb: rss.length > 0 ? round(Math.max(...rss) / 1024, 1) : null,
    ...(cpuSeconds === undefined
      ? {}
      : { cpuSeconds: round(cpuSeconds, 2), cpuSecondsPerGb: round(cpuSeconds / (dataBytes / 1e9), 2) }),
    parts: medianOfKeys(runs.map((r) => r.parts)),
    ...(withSteps.length > 0 ? { steps: medianOfKeys(withSteps) } : {}),
    ...(runs.some((r) => r.stopped) ? { stopped: true as const } : {}),
  };
}

/**
 * pgsync-ts against each peer. Every round runs all methods once, in turns, so a round's ratio
 * compares runs made under the same conditions (a load spike from other work hits both); the
 * published ratio is the median of the rounds' ratios. Runs without rounds fall back to the ratio of
 * the medians.
 */
export function ratios(methods: readonly MethodResult[]): Ratio[] {
  const byId = new Map(methods.map((m) => [m.id, m]));
  const out: Ratio[] = [];
  for (const tool of TOOL_METHODS) {
    const t = byId.get(tool);
    if (!t?.median) continue;
    for (const peer of PEER_METHODS) {
      const p = byId.get(peer);
      if (!p?.median) continue;
      const paired = pairedRounds(t.runs, p.runs);
      const time =
        paired.length > 0 ? median(paired.map(([a, b]) => a / b)) : t.median.seconds / p.median.seconds;
      const throughput =
        paired.length > 0
          ? median(paired.map(([a, b]) => b / a))
          : t.median.mbPerSecond / p.median.mbPerSecond;
      const toolStopped = t.median.stopped === true;
      const peerStopped = p.median.stopped === true;
      // Both stopped: neither bound holds.
      if (toolStopped && peerStopped) continue;
      out.push({
        tool,
        peer,
        time: round(time),
        throughput: round(throughput),
        rss:
          t.median.rssMb !== null && p.median.rssMb !== null
            ? round(t.median.rssMb / p.median.rssMb, 2)
            : null,
        rounds: paired.length,
        ...(peerStopped ? { bound: "at most" as const } : toolStopped ? { bound: "at least" as const } : {}),
      });
    }
  }
  return out;
}

/** [tool seconds, peer seconds] of each round both ran in. */
function pairedRounds(tool: readonly RunRecord[], peer: readonly RunRecord[]): [number, number][] {
  const peerByRound = new Map(peer.filter((r) => r.round !== undefined).map((r) => [r.round, r.seconds]));
  const out: [number, number][] = [];
  for (const r of tool) {
    const other = r.round === undefined ? undefined : peerByRound.get(r.round);
    if (other !== undefined) out.push([r.seconds, other]);
  }
  return out;
}

export const RSS_LIMIT_MB = 256;
/** The seed shape's targets: a 1 MB run, and --help against Node's own start-up. */
export const SEED_RUN_LIMIT_SECONDS = 0.5;
export const HELP_OVER_NODE_LIMIT_SECONDS = 0.06;
export const FIXED_COST_IDS = {
  node: "node -e 0",
  help: "pgsync-ts --help",
  run: "pgsync-ts run (empty destination)",
} as const;

const judged = (
  name: string,
  value: number | null,
  limit: number,
  unit: Target["unit"],
  strict = false,
  bound?: Target["bound"],
): Target => {
  const within = value === null ? null : strict ? value < limit : value <= limit;
  // A bound decides only one way: "at most" a value within the limit, "at least" one beyond it.
  const met = within === null || !bound ? within : bound === "at most" ? within || null : within && null;
  return { name, value, limit, unit, met, ...(bound ? { bound } : {}) };
};

export function targets(
  methods: readonly MethodResult[],
  computed: readonly Ratio[],
  context: { readonly shape?: ShapeId; readonly fixedCost?: readonly FixedCostCommand[] } = {},
): Target[] {
  const ratioOf = (tool: MethodId, peer: MethodId) =>
    computed.find((r) => r.tool === tool && r.peer === peer);
  const timeRatio = (tool: MethodId, peer: MethodId) => ratioOf(tool, peer)?.time ?? null;
  const rss = methods
    .filter((m) => TOOL_METHODS.includes(m.id))
    .map((m) => m.median?.maxRssMb)
    .filter((x): x is number => typeof x === "number");
  const out: Target[] = [
    judged(
      "full sync onto an empty destination vs pg_dump | psql --single-transaction",
      timeRatio("pgsync-empty", "dump-psql"),
      0.65,
      "x",
      false,
      ratioOf("pgsync-empty", "dump-psql")?.bound,
    ),
    judged(
      "full sync onto an empty destination vs pg_dump -Fd -Z0 -j N + pg_restore -j N",
      timeRatio("pgsync-empty", "dump-restore-j"),
      0.8,
      "x",
      false,
      ratioOf("pgsync-empty", "dump-restore-j")?.bound,
    ),
    judged(
      "re-sync onto a populated destination (snapshot kept) vs the replaced re-sync flow",
      timeRatio("pgsync-resync", "replaced-resync"),
      0.5,
      "x",
      false,
      ratioOf("pgsync-resync", "replaced-resync")?.bound,
    ),
    judged(
      "peak RSS of pgsync-ts (largest of all runs)",
      rss.length > 0 ? Math.max(...rss) : null,
      RSS_LIMIT_MB,
      "MB",
      true,
    ),
  ];
  if (context.shape === "many-tables") {
    for (const peer of ["dump-psql", "pgcopydb"] as const)
      out.push(
        judged(
          `many tables: a full sync faster than ${peer === "dump-psql" ? "pg_dump | psql" : "pgcopydb clone"}`,
          timeRatio("pgsync-empty", peer),
          1,
          "x",
          true,
          ratioOf("pgsync-empty", peer)?.bound,
        ),
      );
  }
  const fixed = (id: string) => context.fixedCost?.find((c) => c.id === id)?.median ?? null;
  if (context.fixedCost) {
    out.push(
      judged(
        "about 1 MB: a full sync onto an empty destination (hyperfine median)",
        fixed(FIXED_COST_IDS.run),
        SEED_RUN_LIMIT_SECONDS,
        "s",
      ),
    );
    const help = fixed(FIXED_COST_IDS.help);
    const node = fixed(FIXED_COST_IDS.node);
    out.push(
      judged(
        "pgsync-ts --help over node -e 0 (hyperfine medians)",
        help === null || node === null ? null : round(help - node),
        HELP_OVER_NODE_LIMIT_SECONDS,
        "s",
      ),
    );
  }
  return out;
}
