/**
 * The fixed costs, timed by hyperfine (many short runs, medians): Node's own start-up, `pgsync-ts
 * --help`, and a full sync of the seed shape (about 1 MB) onto an empty destination, with
 * `pg_dump | psql` and `pgcopydb clone` on the same data beside it. The destination database is
 * dropped and recreated before every timed run (hyperfine's --prepare, untimed).
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BENCH_DB, type Endpoint, type ServerPair } from "./pair.js";
import type { PgTools } from "./pg-tools.js";
import { FIXED_COST_IDS, type FixedCostCommand } from "./report.js";

export const HYPERFINE = "hyperfine";
/** Runs per command: the targets are medians of 10 (a 1 MB run) and of 20 (start-up). */
export const FIXED_COST_RUNS = { startup: 20, run: 10 } as const;

export interface FixedCostInput {
  readonly root: string;
  readonly cli: string;
  readonly pair: ServerPair;
  readonly tools: PgTools | undefined;
  readonly pgcopydb: string | undefined;
  readonly parallel: number;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

const sh = (s: string | number) => `'${String(s).replace(/'/g, "'\\''")}'`;
const conn = (e: Endpoint, db = BENCH_DB) => `-h ${sh(e.host)} -p ${e.port} -U ${sh(e.user)} -d ${sh(db)}`;

interface HyperfineJson {
  readonly results: readonly { command: string; median: number; min: number; max: number; times: number[] }[];
}

async function hyperfine(
  input: FixedCostInput,
  name: string,
  args: readonly string[],
  commands: readonly (readonly [string, string])[],
): Promise<FixedCostCommand[]> {
  const file = join(input.workDir, `hyperfine-${name}.json`);
  const argv = [
    "--style",
    "basic",
    "--export-json",
    file,
    ...args,
    ...commands.flatMap(([id, command]) => ["-n", id, command]),
  ];
  await new Promise<void>((done, fail) => {
    const child = spawn(HYPERFINE, argv, {
      cwd: input.root,
      env: { ...process.env, PGPASSWORD: input.pair.password },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", fail);
    child.on("close", (code) => (code === 0 ? done() : fail(new Error(`hyperfine exited with ${code}`))));
  });
  const json = JSON.parse(await readFile(file, "utf8")) as HyperfineJson;
  return json.results.map((r, i) => ({
    id: commands[i]?.[0] ?? r.command,
    command: (commands[i]?.[1] ?? r.command).replace(/ --from \S+ --to \S+/, " --from src --to dst"),
    runs: r.times.length,
    median: Math.round(r.median * 1000) / 1000,
    min: Math.round(r.min * 1000) / 1000,
    max: Math.round(r.max * 1000) / 1000,
  }));
}

export async function measureFixedCosts(input: FixedCostInput): Promise<FixedCostCommand[]> {
  const { pair, tools } = input;
  const node = sh(process.execPath);
  const startup = await hyperfine(
    input,
    "startup",
    ["--warmup", "3", "--runs", String(FIXED_COST_RUNS.startup)],
    [
      [FIXED_COST_IDS.node, `${node} -e 0`],
      [FIXED_COST_IDS.help, `${node} ${sh(input.cli)} --help`],
    ],
  );
  const d = pair.destination;
  const pgcopydbDir = join(input.workDir, "pgcopydb-fixed");
  // Untimed, before every run: an empty destination database, and no pgcopydb work directory left.
  const reset = `${node} ${sh(join(input.root, "bench", "reset-database.mjs"))} ${sh(d.host)} ${d.port} ${sh(d.user)} ${BENCH_DB} && rm -rf ${sh(pgcopydbDir)}`;
  const runs: [string, string][] = [
    [
      FIXED_COST_IDS.run,
      `${node} ${sh(input.cli)} run --from ${sh(pair.source.url())} --to ${sh(d.url())} --parallel ${input.parallel} --keep 1 --json >/dev/null`,
    ],
  ];
  if (tools)
    runs.push([
      "pg_dump | psql",
      `${sh(tools.pgDump)} ${conn(pair.source)} | ${sh(tools.psql)} -X -q -v ON_ERROR_STOP=1 --single-transaction ${conn(d)} >/dev/null`,
    ]);
  if (tools && input.pgcopydb)
    runs.push([
      "pgcopydb clone",
      `PATH=${sh(dirname(tools.pgDump))}:"$PATH" ${sh(input.pgcopydb)} clone --source ${sh(pair.source.url())} --target ${sh(d.url())} --table-jobs ${input.parallel} --index-jobs ${input.parallel} --dir ${sh(pgcopydbDir)} >/dev/null 2>&1`,
    ]);
  const timed = await hyperfine(
    input,
    "runs",
    ["--warmup", "1", "--runs", String(FIXED_COST_RUNS.run), "--prepare", reset],
    runs,
  );
  return [...startup, ...timed];
}
