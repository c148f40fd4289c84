/**
 * The archive benchmark (docs/archives.md, "Measured"): on the standard shape at one size, on two
 * servers of one major, with a store directory on the same disk:
 *
 * - `pgsync-ts dump` (zstd) and `pgsync-ts restore` (onto the empty destination): time, peak RSS,
 *   CPU, the archive's size and its compression ratio (COPY data over stored bytes, and database
 *   size over stored bytes, the ratio pg_dump is given too);
 * - `pg_dump -Fd -Z6 -j2` (gzip: pg_dump 15 has no zstd) and `pg_restore -j2`: the same figures;
 * - a profile run with `archive` against one without: what writing the archive from the sync's
 *   snapshot adds (each table is read a second time from the same snapshot).
 *
 *   npm run bench -- --archive [--scales 1000] [--runs 3] [--major 15] [--parallel 2]
 */
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PgMajor } from "../src/embedded/server.js";
import { loadDataset } from "./load-dataset.js";
import { runTimed, type Timed } from "./measure.js";
import { BENCH_DB, checkpoint, resetDatabase, type ServerPair, startPair, withDb } from "./pair.js";
import type { PgTools } from "./pg-tools.js";
import { shapeById } from "./shapes.js";

export interface ArchiveBenchOptions {
  readonly major: PgMajor;
  readonly scaleMb: number;
  readonly runs: number;
  readonly parallel: number;
  readonly cli: string;
  readonly tools: PgTools | undefined;
  readonly out: string;
  readonly log: (line: string) => void;
}

interface Figure {
  readonly seconds: number;
  readonly rssKb: number;
  readonly cpuSeconds: number;
}

export interface ArchiveBenchResult {
  readonly scaleMb: number;
  readonly major: number;
  readonly databaseBytes: number;
  readonly dataBytes: number;
  readonly runs: number;
  readonly pgsync: {
    readonly dump: Figure;
    readonly restore: Figure;
    readonly storedBytes: number;
    readonly copyBytes: number;
  };
  readonly pgDump?: { readonly dump: Figure; readonly restore: Figure; readonly storedBytes: number };
  readonly profileRun?: { readonly withoutArchive: Figure; readonly withArchive: Figure };
}

const medianOf = (xs: readonly Figure[]): Figure => {
  const pick = (k: keyof Figure) => {
    const s = xs.map((x) => x[k]).sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? 0;
  };
  return { seconds: pick("seconds"), rssKb: pick("rssKb"), cpuSeconds: pick("cpuSeconds") };
};
const figure = (t: Timed): Figure => ({ seconds: t.seconds, rssKb: t.rssKb, cpuSeconds: t.cpuSeconds });

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

export async function runArchiveBench(options: ArchiveBenchOptions): Promise<ArchiveBenchResult> {
  const { log } = options;
  const pair = await startPair(options.major);
  const work = await mkdtemp(join(tmpdir(), "pgsync-bench-archive-"));
  const env = { ...process.env, PGPASSWORD: pair.password, PGSYNC_CONFIG: "" };
  try {
    const loaded = await loadDataset(
      pair.source,
      pair.password,
      shapeById("standard").dataset(options.scaleMb),
    );
    log(`[archive ${options.scaleMb} MB] ${(loaded.databaseBytes / 1e6).toFixed(0)} MB database`);
    const quiet = () =>
      Promise.all([checkpoint(pair.source, pair.password), checkpoint(pair.destination, pair.password)]);
    const node = (step: string, args: string[]) =>
      runTimed(step, process.execPath, [options.cli, ...args], env);
    const dumps: Figure[] = [];
    const restores: Figure[] = [];
    let storedBytes = 0;
    let copyBytes = 0;
    for (let i = 0; i < options.runs; i++) {
      const store = join(work, `pgsync-${i}`);
      await quiet();
      const dump = await node("pgsync-ts dump", [
        "dump",
        "--from",
        pair.source.url(),
        "--store",
        store,
        "--parallel",
        String(options.parallel),
        "--json",
      ]);
      const summary = JSON.parse(dump.stdout) as {
        location: string;
        summary: { storedBytes: number; dataBytes: number };
      };
      dumps.push(figure(dump));
      storedBytes = summary.summary.storedBytes;
      copyBytes = summary.summary.dataBytes;
      await resetDatabase(pair.destination, pair.password);
      await quiet();
      restores.push(
        figure(
          await node("pgsync-ts restore", [
            "restore",
            "--archive",
            summary.location,
            "--to",
            pair.destination.url(),
            "--parallel",
            String(options.parallel),
            "--json",
          ]),
        ),
      );
      log(
        `[archive] run ${i + 1}: dump ${dumps.at(-1)?.seconds.toFixed(1)} s, restore ${restores.at(-1)?.seconds.toFixed(1)} s`,
      );
      await rm(store, { recursive: true, force: true });
    }
    const result: ArchiveBenchResult = {
      scaleMb: options.scaleMb,
      major: options.major,
      databaseBytes: loaded.databaseBytes,
      dataBytes: loaded.dataBytes,
      runs: options.runs,
      pgsync: { dump: medianOf(dumps), restore: medianOf(restores), storedBytes, copyBytes },
      ...(options.tools ? { pgDump: await pgDumpFigures(pair, options, work, env) } : {}),
      profileRun: await profileRunFigures(pair, options, work, env),
    };
    await writeFile(
      join(options.out, `archive-${options.scaleMb}mb.json`),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    log(describeResult(result));
    return result;
  } finally {
    await pair.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function pgDumpFigures(
  pair: ServerPair,
  options: ArchiveBenchOptions,
  work: string,
  env: NodeJS.ProcessEnv,
) {
  const t = options.tools as PgTools;
  const conn = (e: ServerPair["source"]) => ["-h", e.host, "-p", String(e.port), "-U", e.user];
  const dumps: Figure[] = [];
  const restores: Figure[] = [];
  let storedBytes = 0;
  for (let i = 0; i < options.runs; i++) {
    const dir = join(work, `pg_dump-${i}`);
    await checkpoint(pair.source, pair.password);
    dumps.push(
      figure(
        await runTimed(
          "pg_dump",
          t.pgDump,
          [...conn(pair.source), "-d", BENCH_DB, "-Fd", "-Z6", "-j2", "-f", dir],
          env,
        ),
      ),
    );
    storedBytes = await directoryBytes(dir);
    await resetDatabase(pair.destination, pair.password);
    await checkpoint(pair.destination, pair.password);
    restores.push(
      figure(
        await runTimed(
          "pg_restore",
          t.pgRestore,
          [...conn(pair.destination), "-d", BENCH_DB, "-j2", dir],
          env,
        ),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  }
  return { dump: medianOf(dumps), restore: medianOf(restores), storedBytes };
}

/** The same profile run, once without `archive` and once with it: what the archive adds. */
async function profileRunFigures(
  pair: ServerPair,
  options: ArchiveBenchOptions,
  work: string,
  env: NodeJS.ProcessEnv,
) {
  const config = join(work, "pgsync.config.json");
  const base = {
    source: pair.source.url(),
    destination: pair.destination.url(),
    parallelism: options.parallel,
  };
  await writeFile(
    config,
    JSON.stringify({
      profiles: {
        plain: base,
        archived: { ...base, archive: { store: join(work, "profile-store"), retention: { count: 1 } } },
      },
    }),
  );
  const figures: Record<"plain" | "archived", Figure[]> = { plain: [], archived: [] };
  for (let i = 0; i < options.runs; i++) {
    for (const profile of ["plain", "archived"] as const) {
      await withDb(pair.destination, pair.password, BENCH_DB, (c) => c.query("VACUUM (ANALYZE)")).catch(
        () => {},
      );
      await Promise.all([
        checkpoint(pair.source, pair.password),
        checkpoint(pair.destination, pair.password),
      ]);
      figures[profile].push(
        figure(
          await runTimed(
            `run --profile ${profile}`,
            process.execPath,
            [options.cli, "run", "--profile", profile, "--config", config, "--force", "--json"],
            env,
          ),
        ),
      );
    }
  }
  return { withoutArchive: medianOf(figures.plain), withArchive: medianOf(figures.archived) };
}

export function describeResult(r: ArchiveBenchResult): string {
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  const f = (x: Figure) =>
    `${x.seconds.toFixed(1)} s, ${(x.rssKb / 1024).toFixed(0)} MB RSS, ${x.cpuSeconds.toFixed(1)} s CPU`;
  const lines = [
    `archive benchmark: standard shape ${r.scaleMb} MB (database ${mb(r.databaseBytes)}), PostgreSQL ${r.major}, median of ${r.runs}`,
    `  pgsync-ts dump (zstd)      ${f(r.pgsync.dump)}; archive ${mb(r.pgsync.storedBytes)}, ratio ${(r.pgsync.copyBytes / r.pgsync.storedBytes).toFixed(2)} of COPY data, ${(r.databaseBytes / r.pgsync.storedBytes).toFixed(2)} of the database`,
    `  pgsync-ts restore          ${f(r.pgsync.restore)}`,
  ];
  if (r.pgDump)
    lines.push(
      `  pg_dump -Fd -Z6 -j2        ${f(r.pgDump.dump)}; archive ${mb(r.pgDump.storedBytes)}, ratio ${(r.databaseBytes / r.pgDump.storedBytes).toFixed(2)} of the database`,
      `  pg_restore -j2             ${f(r.pgDump.restore)}`,
    );
  if (r.profileRun)
    lines.push(
      `  profile run                ${f(r.profileRun.withoutArchive)}`,
      `  profile run with archive   ${f(r.profileRun.withArchive)} (the archive reads each table again from the run's snapshot)`,
    );
  return lines.join("\n");
}
