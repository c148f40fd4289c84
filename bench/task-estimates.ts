/**
 * The load's cost estimates against what each task took, and what splitting big tables and
 * parallel GIN/BRIN builds change. Runs runSync in-process on a fresh server pair for each shape,
 * once per variant:
 *
 *   whole     no table split (every load one COPY ... FREEZE), every build single-process
 *   split     tables above --split-mb copied in ranges, one per worker
 *   parallel  split, and a GIN (18) or BRIN (17+) build gets parallel workers when a core would idle
 *
 * For every task it prints the estimate (src/pipeline/load-costs.ts, in bytes of COPY) turned into
 * seconds by the run's own COPY rate (seconds per estimated byte over the run's loads), the seconds
 * it took, and per kind the median of actual / estimated: a kind whose median is far from 1 is
 * mis-estimated. It also prints the critical path (the largest table's longest part plus its longest
 * index build) against the copy-data step and the whole run, and the cost of losing COPY FREEZE: a
 * VACUUM (FREEZE) of the largest table on the destination afterwards (what autovacuum does later).
 *
 *   npx tsx bench/task-estimates.ts [--major 15] [--shapes standard,dominant] [--scale 100]
 *                                   [--parallel 2] [--split-mb 64] [--variants whole,split,parallel]
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { isPgMajor } from "../src/embedded/server.js";
import type { RunEvent, RunReport } from "../src/pipeline/options.js";
import { runSync } from "../src/pipeline/run.js";
import { loadDataset } from "./load-dataset.js";
import { loadAverage } from "./load-gate.js";
import { BENCH_DB, checkpoint, resetDatabase, startPair, withDb } from "./pair.js";
import { shapeById } from "./shapes.js";

const { values: args } = parseArgs({
  options: {
    major: { type: "string", default: "15" },
    shapes: { type: "string", default: "standard,dominant" },
    scale: { type: "string", default: "100" },
    parallel: { type: "string", default: String(availableParallelism()) },
    "split-mb": { type: "string", default: "256" },
    variants: { type: "string", default: "whole,split,parallel" },
  },
});
const major = Number(args.major);
if (!isPgMajor(major)) throw new Error(`--major must be one of 14-18, got "${args.major}"`);
const scale = Number(args.scale);
const parallelism = Number(args.parallel);
const splitBytes = Number(args["split-mb"]) * 1024 ** 2;
const variants = (args.variants as string).split(",").map((v) => v.trim());
for (const v of variants)
  if (!["whole", "split", "parallel"].includes(v)) throw new Error(`unknown variant ${v}`);

interface TaskRun {
  readonly kind: string;
  readonly label: string;
  readonly table: string;
  readonly estimate: number;
  readonly seconds: number;
}

const out = (line = "") => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? (s[mid] as number)
      : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const pair = await startPair(major);
process.env.PGPASSWORD = pair.password;
try {
  out(
    `# Load estimates against actual (PostgreSQL ${pair.version}, ${parallelism} workers, scale ${scale} MB)`,
  );
  out(`\nload average at the start: ${await loadAverage()}`);
  for (const shapeId of (args.shapes as string).split(",")) {
    const shape = shapeById(shapeId.trim());
    const loaded = await loadDataset(pair.source, pair.password, shape.dataset(scale));
    const largest = Object.entries(loaded.tableBytes).sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
    out(
      `\n## ${shape.id}: ${(loaded.dataBytes / 1e6).toFixed(0)} MB of table data, largest table ${largest}\n`,
    );
    for (const variant of variants) await measure(shape.id, variant, largest);
  }
} finally {
  await pair.stop();
}

async function measure(shape: string, variant: string, largest: string): Promise<void> {
  await resetDatabase(pair.destination, pair.password);
  await checkpoint(pair.source, pair.password);
  await checkpoint(pair.destination, pair.password);
  const events: RunEvent[] = [];
  const started = performance.now();
  const report: RunReport = await runSync({
    sourceUrl: pair.source.url(BENCH_DB),
    destinationUrl: pair.destination.url(BENCH_DB),
    parallelism,
    splitTablesLargerThan: variant === "whole" ? 0 : splitBytes,
    parallelBuilds: variant === "parallel" ? "auto" : "off",
    force: true,
    onEvent: (e) => events.push(e),
  });
  const wall = (performance.now() - started) / 1000;
  if (!report.ok) throw new Error(`${shape} ${variant}: the run failed: ${JSON.stringify(report.error)}`);
  // Index builds are told apart by access method: each has an estimate of its own.
  const methods = await withDb(pair.source, pair.password, BENCH_DB, async (c) => {
    const r = await c.query<{ name: string; method: string }>(
      `SELECT c.relname AS name, am.amname AS method FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_am am ON am.oid = c.relam WHERE c.relkind = 'i' AND c.relnamespace = 'public'::regnamespace`,
    );
    return new Map(r.rows.map((x) => [x.name, x.method]));
  });
  const kindOf = (kind: string, object: string | undefined) => {
    const name = /^index "(?:[^"]|"")+"\."((?:[^"]|"")+)"/.exec(object ?? "")?.[1]?.replaceAll('""', '"');
    return kind === "index" && name ? `index (${methods.get(name) ?? "?"})` : kind;
  };
  const tasks: TaskRun[] = events.flatMap((e) =>
    e.type === "task" && e.phase === "finished" && e.seconds !== undefined && e.estimate !== undefined
      ? [
          {
            kind: kindOf(e.kind, e.object),
            table: e.table ?? "",
            label:
              `${e.kind} ${e.object ?? e.table ?? ""}`.slice(0, 80) +
              (e.parallelWorkers ? ` (+${e.parallelWorkers} parallel)` : ""),
            estimate: e.estimate,
            seconds: e.seconds,
          },
        ]
      : [],
  );
  const loads = tasks.filter((t) => t.kind === "load");
  const rate =
    loads.reduce((n, t) => n + t.seconds, 0) /
    Math.max(
      1,
      loads.reduce((n, t) => n + t.estimate, 0),
    );
  const copyStep = report.steps.find((s) => s.name === "copy-data")?.seconds ?? 0;
  const big = `"public"."${largest}"`;
  const ofBig = tasks.filter((t) => t.table === big);
  const longestPart = Math.max(0, ...ofBig.filter((t) => t.kind === "load").map((t) => t.seconds));
  const longestBuild = Math.max(
    0,
    ...ofBig.filter((t) => t.kind.startsWith("index") || t.kind === "keys").map((t) => t.seconds),
  );
  const critical = longestPart + longestBuild;
  const vacuum = await withDb(pair.destination, pair.password, BENCH_DB, async (c) => {
    const t0 = performance.now();
    await c.query(`VACUUM (FREEZE) public."${largest.replaceAll('"', '""')}"`);
    return (performance.now() - t0) / 1000;
  });
  const parts = report.tables.find((t) => t.table === big)?.parts?.length ?? 1;
  out(
    `### ${variant}: run ${fmt(wall, 1)} s, copy-data ${fmt(copyStep, 1)} s, critical path ${fmt(critical, 1)} s ` +
      `(${largest}: ${parts} part${parts === 1 ? "" : "s"}, longest ${fmt(longestPart, 1)} s, then its longest build ${fmt(longestBuild, 1)} s; ` +
      `copy-data / critical path ${fmt(copyStep / Math.max(critical, 0.001))}), VACUUM (FREEZE) of ${largest} afterwards ${fmt(vacuum, 2)} s, load average ${await loadAverage()}\n`,
  );
  out("| task | estimated s | actual s | actual / estimated |");
  out("| --- | ---: | ---: | ---: |");
  for (const t of [...tasks].sort((a, b) => b.seconds - a.seconds).slice(0, 25))
    out(
      `| ${t.label} | ${fmt(t.estimate * rate)} | ${fmt(t.seconds)} | ${fmt(t.seconds / Math.max(t.estimate * rate, 1e-6))} |`,
    );
  out("\n| kind | tasks | estimated s | actual s | median actual / estimated |");
  out("| --- | ---: | ---: | ---: | ---: |");
  const kinds = [...new Set(tasks.map((t) => t.kind))];
  for (const kind of kinds) {
    const of = tasks.filter((t) => t.kind === kind);
    const est = of.reduce((n, t) => n + t.estimate * rate, 0);
    const act = of.reduce((n, t) => n + t.seconds, 0);
    // Tasks under 50 ms are mostly round trips: their ratio says nothing about the estimate.
    const ratios = of
      .filter((t) => t.seconds >= 0.05)
      .map((t) => t.seconds / Math.max(t.estimate * rate, 1e-6));
    out(
      `| ${kind} | ${of.length} | ${fmt(est)} | ${fmt(act)} | ${ratios.length ? fmt(median(ratios)) : "-"} |`,
    );
  }
  out();
}
