/**
 * The benchmark harness: pgsync-ts against the tools users would pick instead, side by side, on the
 * same two PostgreSQL servers and the same data, for several shapes of database at one or more sizes
 * each. See bench/README.md.
 *
 *   npm run bench -- [--shapes standard,seed,...] [--scales 10,100,1000] [--tables 10000] [--runs 3]
 *                    [--warmup 1] [--parallel N] [--major 15] [--out bench/results]
 *                    [--quiet-load 1.0 [--quiet-wait 40]] [--methods a,b] [--no-build]
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, statfs, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isPgMajor } from "../src/embedded/server.js";
import { foreignShare, sampleCpu } from "./cpu-share.js";
import { FIXED_COST_RUNS, HYPERFINE, measureFixedCosts } from "./fixed-cost.js";
import { loadDataset } from "./load-dataset.js";
import { waitForQuiet } from "./load-gate.js";
import { requireGnuTime, StoppedAtLimit } from "./measure.js";
import { METHODS, type Method, type MethodContext, type MethodId } from "./methods.js";
import {
  checkpoint,
  readShape,
  SERVER_SETTINGS,
  type ServerPair,
  shapeDifferences,
  startPair,
} from "./pair.js";
import { findPgcopydb, findPgTools } from "./pg-tools.js";
import {
  type FixedCostCommand,
  type MethodResult,
  median,
  type RunRecord,
  ratios,
  type ScaleResult,
  summarize,
  targets,
  underLoad,
} from "./report.js";
import { caseLabel, resultBaseName, scaleMarkdown, summaryMarkdown } from "./report-markdown.js";
import { type BenchShape, SHAPES, shapeById } from "./shapes.js";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const log = (line: string) => process.stderr.write(`${line}\n`);

const { values: args } = parseArgs({
  options: {
    shapes: { type: "string", default: SHAPES.map((s) => s.id).join(",") },
    scales: { type: "string" },
    tables: { type: "string", default: "10000" },
    runs: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    parallel: { type: "string", default: String(availableParallelism()) },
    major: { type: "string", default: "15" },
    out: { type: "string", default: join(ROOT, "bench", "results") },
    "quiet-load": { type: "string", default: "0" },
    "quiet-wait": { type: "string", default: "40" },
    methods: { type: "string" },
    "time-limit": { type: "string", default: "0" },
    "no-build": { type: "boolean", default: false },
    render: { type: "boolean", default: false },
    archive: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  log(
    "usage: npm run bench -- [--shapes id,...] [--scales 10,100,1000] [--tables 10000] [--runs 3] [--warmup 1]\n" +
      "                        [--parallel N] [--major 15] [--out bench/results] [--quiet-load 1.0] [--quiet-wait 40]\n" +
      "                        [--methods id,...] [--time-limit SECONDS] [--no-build]\n" +
      "       npm run bench -- --render [--out bench/results]   (rewrites the Markdown from the JSON results)\n" +
      "       npm run bench -- --archive [--scales 1000] [--runs 3] [--major 15] [--parallel 2]   (dump/restore against pg_dump -Fd/pg_restore)\n" +
      `methods: ${METHODS.map((m) => m.id).join(", ")}\n` +
      `shapes: ${SHAPES.map((s) => `${s.id} (${s.scalable ? "--scales" : s.unit === "tables" ? "--tables" : "fixed size"}, default ${s.defaultSizes.join(",")})`).join(", ")}`,
  );
  process.exit(0);
}

const positive = (name: string, value: string, min = 1) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got "${value}"`);
  return n;
};
const list = (name: string, value: string) => value.split(",").map((s) => positive(name, s.trim()));
const shapes = (args.shapes as string).split(",").map((s) => shapeById(s.trim()));
/** What is measured: each shape at each of its sizes (`--scales` sets the MB-sized shapes' sizes). */
const cases: { shape: BenchShape; size: number }[] = shapes.flatMap((shape) => {
  const sizes =
    shape.unit === "tables"
      ? list("tables", args.tables as string)
      : shape.scalable && args.scales
        ? list("scales", args.scales)
        : shape.defaultSizes;
  return sizes.map((size) => ({ shape, size }));
});
const runs = Math.floor(positive("runs", args.runs as string));
/** A run still going after this many seconds is stopped and recorded as unfinished (0: no limit). */
const timeLimitSeconds = positive("time-limit", args["time-limit"] as string, 0);
const warmup = Math.floor(positive("warmup", args.warmup as string, 0));
const parallel = Math.floor(positive("parallel", args.parallel as string));
const major = Number(args.major);
if (!isPgMajor(major)) throw new Error(`--major must be one of 14-18, got "${args.major}"`);
const quietBelow = positive("quiet-load", args["quiet-load"] as string, 0);
let quietBudgetSeconds = positive("quiet-wait", args["quiet-wait"] as string, 0) * 60;
const outDir = resolve(args.out as string);
const wanted = args.methods ? new Set(args.methods.split(",").map((s) => s.trim())) : undefined;
for (const id of wanted ?? []) {
  if (!METHODS.some((m) => m.id === id)) throw new Error(`unknown method "${id}" (--help lists them)`);
}
const methods = METHODS.filter((m) => !wanted || wanted.has(m.id));

function sh(command: string, commandArgs: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, commandArgs, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", fail);
    child.on("close", (code) =>
      code === 0 ? done() : fail(new Error(`${command} ${commandArgs.join(" ")} exited with ${code}`)),
    );
  });
}

let livePair: ServerPair | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the benchmark servers`);
    void (livePair?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

if (args.render) {
  await renderAll(outDir);
  process.exit(0);
}

await requireGnuTime();
if (!args["no-build"]) {
  log("building the CLI (npm run build)");
  await sh("npm", ["run", "--silent", "build"]);
}
const cli = join(ROOT, "bin", "pgsync-ts.js");
if (args.archive) {
  // The archive benchmark (bench/archive.ts): dump and restore against pg_dump -Fd and pg_restore.
  const { runArchiveBench } = await import("./archive.js");
  const found = await findPgTools(major);
  await mkdir(outDir, { recursive: true });
  await runArchiveBench({
    major,
    scaleMb: args.scales ? (list("scales", args.scales)[0] as number) : 1000,
    runs,
    parallel,
    cli,
    tools: "found" in found ? found.found : undefined,
    out: outDir,
    log,
  });
  process.exit(0);
}
if (!existsSync(join(ROOT, "dist", "cli", "main.js"))) throw new Error("dist/ is missing: run npm run build");
const search = await findPgTools(major);
const tools = "found" in search ? search.found : undefined;
if ("missing" in search) log(`pg_dump peers skipped: ${search.missing}`);
const pgcopydb = await findPgcopydb();
if (!pgcopydb) log("pgcopydb peer skipped: not installed (scripts/provision.sh bench installs it)");

await mkdir(outDir, { recursive: true });
let failed = false;
for (const { shape, size } of cases) {
  const dataset = shape.dataset(size);
  // The MB of the size, for the shapes measured in MB (the many-tables shape reports its measured data).
  const scaleMb = shape.unit === "MB" ? size : 0;
  const label = caseLabel({ shape: shape.id, size, sizeUnit: shape.unit, scaleMb } as ScaleResult);
  let waitedSeconds = 0;
  if (quietBelow > 0) {
    const waited = await waitForQuiet(quietBelow, quietBudgetSeconds, log);
    waitedSeconds = waited.seconds;
    quietBudgetSeconds -= waited.seconds;
  }
  await checkFreeDisk(shape.unit === "MB" ? size : size * 0.05, tmpdir());
  const loadBefore = (await readFile("/proc/loadavg", "utf8")).split(" ").slice(0, 3).map(Number);
  log(`[${label}] starting two PostgreSQL ${major} servers (load ${loadBefore.join(" ")})`);
  const pair = await startPair(major);
  livePair = pair;
  const workDir = await mkdtemp(join(tmpdir(), "pgsync-bench-"));
  try {
    const { generationSeconds, tableBytes, dataBytes, indexBytes, databaseBytes } = await loadDataset(
      pair.source,
      pair.password,
      dataset,
    );
    const expected = await readShape(pair.source, pair.password);
    const generated = shapeDifferences({ ...expected, rows: dataset.rows }, expected);
    if (generated.length > 0) throw new Error(`the ${shape.id} generator is wrong: ${generated.join("; ")}`);
    log(
      `[${label}] dataset: ${(dataBytes / 1e6).toFixed(1)} MB of table data, generated in ${generationSeconds.toFixed(1)} s`,
    );

    const ctx: MethodContext = {
      pair,
      tools,
      parallel,
      workDir,
      cli,
      tableBytes,
      dataset,
      pgcopydb: pgcopydb?.binary,
      timeLimitSeconds,
      destinationState: "unknown",
    };
    const records = new Map<MethodId, RunRecord[]>(methods.map((m) => [m.id, []]));
    const errors = new Map<MethodId, string>();
    const skipReason = (m: Method) =>
      m.needsPgDump && tools === undefined
        ? `no pg_dump of major ${major}`
        : m.needsPgcopydb && !pgcopydb
          ? "pgcopydb is not installed"
          : undefined;
    const runnable = (m: Method) => skipReason(m) === undefined;
    for (let round = 0; round < warmup + runs; round++) {
      const kind = round < warmup ? `warm-up ${round + 1}/${warmup}` : `run ${round - warmup + 1}/${runs}`;
      for (const method of methods.filter(runnable)) {
        try {
          await method.prepare(ctx);
          await Promise.all([
            checkpoint(pair.source, pair.password),
            checkpoint(pair.destination, pair.password),
          ]);
          const postmasters = [pair.source.pid, pair.destination.pid];
          const before = await sampleCpu(postmasters);
          const started = performance.now();
          ctx.destinationState = "unknown";
          const outcome = await method.run(ctx);
          const seconds = (performance.now() - started) / 1000;
          const foreignCpu = foreignShare(before, await sampleCpu(postmasters));
          const differences = shapeDifferences(expected, await readShape(pair.destination, pair.password));
          if (differences.length > 0)
            throw new Error(`the copy differs from the source: ${differences.join("; ")}`);
          ctx.destinationState = method.leaves;
          log(
            `[${label}] ${kind} ${method.id}: ${seconds.toFixed(2)} s` +
              `${outcome.rssKb === null ? "" : `, peak RSS ${(outcome.rssKb / 1024).toFixed(0)} MB`}, other CPU ${(foreignCpu * 100).toFixed(0)}%`,
          );
          if (round >= warmup)
            records.get(method.id)?.push({
              seconds: Math.round(seconds * 1000) / 1000,
              ...outcome,
              foreignCpu,
              round: round - warmup + 1,
            });
        } catch (error) {
          ctx.destinationState = "unknown";
          if (error instanceof StoppedAtLimit) {
            // Unfinished, not failed: its time is a lower bound, and the ratios against it bounds.
            log(
              `[${label}] ${kind} ${method.id}: ${error.message}, peak RSS ${(error.rssKb / 1024).toFixed(0)} MB (sampled)`,
            );
            if (round >= warmup)
              records.get(method.id)?.push({
                seconds: Math.round(error.seconds * 1000) / 1000,
                rssKb: error.rssKb,
                cpuSeconds: null,
                parts: {},
                foreignCpu: 0,
                round: round - warmup + 1,
                stopped: error.reason,
              });
            continue;
          }
          failed = true;
          const message = error instanceof Error ? error.message : String(error);
          log(`[${label}] ${kind} ${method.id} FAILED: ${message}`);
          if (!errors.has(method.id)) errors.set(method.id, message);
        }
      }
    }

    const results: MethodResult[] = methods.map((m) => {
      const rs = records.get(m.id) ?? [];
      const summary = summarize(rs, dataBytes);
      return {
        id: m.id,
        label: m.label,
        command: m.command,
        ...(runnable(m) ? {} : { skipped: skipReason(m) as string }),
        ...(errors.has(m.id) ? { error: errors.get(m.id) as string } : {}),
        runs: rs,
        ...(summary ? { median: summary } : {}),
      };
    });
    const foreign = [...records.values()].flat().map((r) => r.foreignCpu);
    const foreignCpu = foreign.length > 0 ? median(foreign) : 0;
    const computed = ratios(results);
    for (const r of computed)
      log(
        `[${label}] ${r.tool} / ${r.peer}: ${r.time.toFixed(3)} (median of ${r.rounds || "the medians of"} round(s))`,
      );
    let fixedCost: FixedCostCommand[] | undefined;
    if (shape.id === "seed") fixedCost = await fixedCosts(pair, workDir);
    const result: ScaleResult = {
      schema: 1,
      date: new Date().toISOString().slice(0, 10),
      scaleMb: shape.unit === "MB" ? scaleMb : Math.round(dataBytes / 1e6),
      ...(shape.id === "standard" ? {} : { shape: shape.id, size, sizeUnit: shape.unit }),
      description: shape.describe(size),
      publishable: runs >= 3 && warmup >= 1,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? "unknown",
        memoryGb: Math.round(totalmem() / 2 ** 30),
        kernel: release(),
        node: process.version,
      },
      servers: { version: pair.version, settings: { ...SERVER_SETTINGS } },
      pgDump: tools?.version ?? null,
      pgcopydb: pgcopydb?.version ?? null,
      parallel,
      runs,
      warmup,
      dataset: {
        rows: expected.rows,
        dataBytes,
        indexBytes,
        databaseBytes,
        generationSeconds: Math.round(generationSeconds * 10) / 10,
      },
      load: {
        before: loadBefore,
        waitedSeconds: Math.round(waitedSeconds),
        quietBelow,
        foreignCpu,
        // The load average also counts this harness's own previous scale: other work's measured CPU share decides.
        underLoad: underLoad(foreignCpu),
      },
      methods: results,
      ratios: computed,
      targets: targets(results, computed, { shape: shape.id, ...(fixedCost ? { fixedCost } : {}) }),
      ...(fixedCost ? { fixedCost } : {}),
    };
    const base = join(outDir, resultBaseName(result));
    await writeFile(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(`${base}.md`, scaleMarkdown(result));
    await writeSummary(outDir);
    log(`[${label}] wrote ${base}.json, ${base}.md and ${join(outDir, "summary.md")}`);
  } finally {
    await pair.stop();
    livePair = undefined;
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Refuses a case the disk cannot hold, before anything is generated: the servers' data directories
 * and the dump directories live under the temporary directory. At its peak a case holds the source,
 * two copies on the destination (a re-sync's staging beside the live copy, or the live copy and its
 * snapshot), a pg_dump directory, and both servers' WAL (max_wal_size each). A database is about
 * 1.6 times its table data (the indexes).
 */
async function checkFreeDisk(dataMb: number, dir: string): Promise<void> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  const needed = (4 * 1.6 * dataMb + 2 * 4096) * 1e6;
  if (free < needed)
    throw new Error(
      `not enough free disk for ${dataMb.toFixed(0)} MB of table data under ${dir}: about ${(needed / 1e9).toFixed(0)} GB needed, ${(free / 1e9).toFixed(0)} GB free`,
    );
}

async function readResults(dir: string): Promise<{ file: string; result: ScaleResult }[]> {
  const out: { file: string; result: ScaleResult }[] = [];
  for (const name of (await readdir(dir)).filter((n) =>
    /^\d{4}-\d{2}-\d{2}-([a-z-]+-)?\d+(mb|tables)\.json$/.test(n),
  )) {
    const parsed = JSON.parse(await readFile(join(dir, name), "utf8")) as ScaleResult;
    if (parsed.schema === 1) out.push({ file: join(dir, name), result: parsed });
  }
  return out;
}

async function writeSummary(dir: string): Promise<void> {
  const all = await readResults(dir);
  await writeFile(join(dir, "summary.md"), summaryMarkdown(all.map((r) => r.result)));
}

/** The seed shape's fixed costs, by hyperfine (skipped, with a message, when it is not installed). */
async function fixedCosts(pair: ServerPair, workDir: string): Promise<FixedCostCommand[] | undefined> {
  try {
    return await measureFixedCosts({
      root: ROOT,
      cli,
      pair,
      tools,
      pgcopydb: pgcopydb?.binary,
      parallel,
      workDir,
      log,
    });
  } catch (error) {
    failed = true;
    log(
      `fixed costs not measured (${HYPERFINE} ${FIXED_COST_RUNS.run}/${FIXED_COST_RUNS.startup} runs; scripts/provision.sh bench installs it): ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
}

/** Rewrites every Markdown table from its JSON (after a change to the report's layout or its load rule). */
async function renderAll(dir: string): Promise<void> {
  for (const { file, result } of await readResults(dir)) {
    const current = { ...result, load: { ...result.load, underLoad: underLoad(result.load.foreignCpu) } };
    await writeFile(file, `${JSON.stringify(current, null, 2)}\n`);
    await writeFile(file.replace(/\.json$/, ".md"), scaleMarkdown(current));
  }
  await writeSummary(dir);
  log(`rewrote the Markdown in ${dir}`);
}

process.exitCode = failed ? 1 : 0;
