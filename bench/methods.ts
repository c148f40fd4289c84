/**
 * The ways of copying the benchmark database that are compared, each run as users would run it.
 * Every method starts from a destination in a known state (prepare), is timed as a whole by the
 * runner, and reports its own parts (and, for pgsync-ts, its peak RSS and per-step timings).
 */
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { runShellTimed, runTimed, type Timed } from "./measure.js";
import { BENCH_DB, type Endpoint, resetDatabase, type ServerPair, withDb } from "./pair.js";
import type { PgTools } from "./pg-tools.js";
import { rawCopy } from "./raw-copy.js";
import type { ShapeDataset } from "./shape-types.js";

export type MethodId =
  | "pgsync-empty"
  | "pgsync-resync"
  | "dump-psql"
  | "dump-restore-j"
  | "replaced-resync"
  | "raw-copy"
  | "pgcopydb";

/** What the destination's `bench` database holds between runs. */
export type DestinationState = "empty" | "plain copy" | "pgsync copy" | "unknown";

export interface MethodContext {
  readonly pair: ServerPair;
  readonly tools: PgTools | undefined;
  readonly parallel: number;
  /** Scratch space for dump files (removed after each run). */
  readonly workDir: string;
  /** The built CLI: `node <cli> run ...`. */
  readonly cli: string;
  readonly tableBytes: Record<string, number>;
  /** The shape being copied (the raw limit creates its tables and keys). */
  readonly dataset: ShapeDataset;
  /** The pgcopydb binary, when installed. */
  readonly pgcopydb: string | undefined;
  /** Seconds after which a peer's process is stopped and recorded as unfinished (0: no limit). */
  readonly timeLimitSeconds: number;
  destinationState: DestinationState;
}

export interface MethodOutcome {
  /** Peak RSS in kB of the method's processes (the largest one); null when run in the harness. */
  readonly rssKb: number | null;
  /** User + system CPU seconds of the method's own processes (not the servers'); null in the harness. */
  readonly cpuSeconds?: number | null;
  /** Seconds per part of the method (for the breakdown in the report). */
  readonly parts: Record<string, number>;
  /** pgsync-ts only: seconds per step of its --json summary, and its warnings. */
  readonly steps?: Record<string, number>;
  readonly warnings?: readonly string[];
  /** pgsync-ts only: seconds from the start of each table's load to its last index (its --json tables). */
  readonly tables?: Record<string, number>;
}

export interface Method {
  readonly id: MethodId;
  readonly label: string;
  /** The commands, as a reader would type them (N = the parallelism, no passwords). */
  readonly command: string;
  readonly needsPgDump: boolean;
  /** Runs only where Debian's pgcopydb is installed (scripts/provision.sh bench). */
  readonly needsPgcopydb?: boolean;
  /** Untimed: brings the destination to the state this method starts from. */
  prepare(ctx: MethodContext): Promise<void>;
  run(ctx: MethodContext): Promise<MethodOutcome>;
  /** The state the destination is in after a successful run. */
  readonly leaves: DestinationState;
}

const sh = (s: string | number) => `'${String(s).replace(/'/g, "'\\''")}'`;
const conn = (e: Endpoint, db = BENCH_DB) => ["-h", e.host, "-p", String(e.port), "-U", e.user, "-d", db];
const shConn = (e: Endpoint, db = BENCH_DB) => conn(e, db).map(sh).join(" ");

function envFor(ctx: MethodContext): NodeJS.ProcessEnv {
  const { PGSYNC_CONFIG: _config, ...rest } = process.env;
  return { ...rest, PGPASSWORD: ctx.pair.password };
}

function toolsOf(ctx: MethodContext): PgTools {
  if (!ctx.tools) throw new Error("this method needs pg_dump, pg_restore and psql of the servers' major");
  return ctx.tools;
}

/** A shape of this many tables or more is set aside between runs instead of dropped (resetDatabase). */
const SET_ASIDE_MIN_TABLES = 1000;

async function emptyDestination(ctx: MethodContext): Promise<void> {
  await resetDatabase(
    ctx.pair.destination,
    ctx.pair.password,
    ctx.dataset.tables.length >= SET_ASIDE_MIN_TABLES,
  );
  ctx.destinationState = "empty";
}

/**
 * A destination that holds a copy is measured in its steady state, as a daily re-sync finds it: the
 * previous copy vacuumed and analyzed, rather than just loaded with autovacuum about to start on it
 * (which would take locks and I/O in the middle of the timed run).
 */
async function settleDestination(ctx: MethodContext): Promise<void> {
  await withDb(ctx.pair.destination, ctx.pair.password, BENCH_DB, (c) => c.query("VACUUM (ANALYZE)"));
}

const psqlFlags = "-X -q -v ON_ERROR_STOP=1";

/** `pg_dump | psql --single-transaction`: the method pgsync-ts replaces. */
function dumpPsql(ctx: MethodContext): Promise<Timed> {
  const t = toolsOf(ctx);
  return runShellTimed(
    "pg_dump | psql --single-transaction",
    `${sh(t.pgDump)} ${shConn(ctx.pair.source)} | ${sh(t.psql)} ${psqlFlags} --single-transaction ${shConn(ctx.pair.destination)} >/dev/null`,
    envFor(ctx),
    ctx.timeLimitSeconds,
  );
}

async function pgsyncRun(ctx: MethodContext): Promise<MethodOutcome> {
  const timed = await runTimed(
    "pgsync-ts run",
    process.execPath,
    [
      ctx.cli,
      "run",
      "--from",
      ctx.pair.source.url(),
      "--to",
      ctx.pair.destination.url(),
      "--parallel",
      String(ctx.parallel),
      "--keep",
      "1",
      "--json",
    ],
    envFor(ctx),
    ctx.timeLimitSeconds,
  );
  const report = JSON.parse(timed.stdout) as {
    ok: boolean;
    verification: { ok: boolean } | null;
    steps: { name: string; seconds: number }[];
    warnings: string[];
    tables: { table: string; seconds: number }[];
    error?: { message?: string };
  };
  if (!report.ok || !report.verification?.ok) {
    throw new Error(`pgsync-ts run did not succeed: ${report.error?.message ?? "verification failed"}`);
  }
  const steps: Record<string, number> = {};
  for (const s of report.steps) steps[s.name] = (steps[s.name] ?? 0) + s.seconds;
  const inSteps = Object.values(steps).reduce((a, b) => a + b, 0);
  // Outside the steps: Node's start-up and module loading, the run history record, the exit.
  steps["outside steps"] = Math.max(0, Math.round((timed.seconds - inSteps) * 1000) / 1000);
  return {
    rssKb: timed.rssKb,
    cpuSeconds: timed.cpuSeconds,
    parts: { "pgsync-ts run": timed.seconds },
    steps,
    tables: Object.fromEntries(report.tables.map((t) => [t.table, t.seconds])),
    ...(report.warnings.length > 0 ? { warnings: report.warnings } : {}),
  };
}

/**
 * `pgcopydb clone`, Debian's package, with its defaults otherwise: one snapshot, the schema through
 * pg_dump/pg_restore of the servers' major (first on its PATH), N COPY and N index-build processes.
 */
async function pgcopydbClone(ctx: MethodContext): Promise<MethodOutcome> {
  const binary = ctx.pgcopydb;
  if (!binary) throw new Error("pgcopydb is not installed (scripts/provision.sh bench installs it)");
  const t = toolsOf(ctx);
  const dir = join(ctx.workDir, "pgcopydb");
  const n = String(ctx.parallel);
  const env = { ...envFor(ctx), PATH: `${dirname(t.pgDump)}:${process.env.PATH ?? ""}` };
  try {
    const timed = await runTimed(
      "pgcopydb clone",
      binary,
      [
        "clone",
        "--source",
        ctx.pair.source.url(),
        "--target",
        ctx.pair.destination.url(),
        "--table-jobs",
        n,
        "--index-jobs",
        n,
        "--dir",
        dir,
      ],
      env,
      ctx.timeLimitSeconds,
    );
    return { rssKb: timed.rssKb, cpuSeconds: timed.cpuSeconds, parts: { "pgcopydb clone": timed.seconds } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const METHODS: readonly Method[] = [
  {
    id: "raw-copy",
    label: "raw limit: binary COPY per table + same keys and indexes",
    command:
      "per table, N at a time: COPY t TO STDOUT (FORMAT binary) | COPY t FROM STDIN (FORMAT binary), then its keys and indexes; then the foreign keys",
    needsPgDump: false,
    leaves: "plain copy",
    prepare: emptyDestination,
    async run(ctx) {
      const parts = await rawCopy(
        ctx.pair.source,
        ctx.pair.destination,
        ctx.pair.password,
        ctx.parallel,
        ctx.tableBytes,
        undefined,
        ctx.dataset,
      );
      return { rssKb: null, parts: { ...parts } };
    },
  },
  {
    id: "dump-psql",
    label: "pg_dump | psql --single-transaction",
    command: "pg_dump -d src | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d dst",
    needsPgDump: true,
    leaves: "plain copy",
    prepare: emptyDestination,
    async run(ctx) {
      const t = await dumpPsql(ctx);
      return { rssKb: t.rssKb, cpuSeconds: t.cpuSeconds, parts: { "pg_dump | psql": t.seconds } };
    },
  },
  {
    id: "replaced-resync",
    label: "replaced system's re-sync: backup, dump, drop and recreate, restore",
    command:
      "pg_dump -d dst -f backup.sql; pg_dump -d src -f source.sql; DROP DATABASE + CREATE DATABASE; psql --single-transaction -d dst -f source.sql",
    needsPgDump: true,
    leaves: "plain copy",
    async prepare(ctx) {
      // Starts from a destination holding the previous copy, as the replaced flow left it.
      if (ctx.destinationState !== "plain copy") {
        await emptyDestination(ctx);
        await dumpPsql(ctx);
        ctx.destinationState = "plain copy";
      }
      await settleDestination(ctx);
    },
    async run(ctx) {
      const t = toolsOf(ctx);
      const env = envFor(ctx);
      const backup = join(ctx.workDir, "backup.sql");
      const dump = join(ctx.workDir, "source.sql");
      try {
        const steps: [string, () => Promise<Timed>][] = [
          [
            "backup destination",
            () => runTimed("pg_dump (backup)", t.pgDump, [...conn(ctx.pair.destination), "-f", backup], env),
          ],
          [
            "dump source",
            () => runTimed("pg_dump (source)", t.pgDump, [...conn(ctx.pair.source), "-f", dump], env),
          ],
          [
            "drop and recreate",
            () =>
              runTimed(
                "drop and recreate",
                t.psql,
                [
                  ...psqlFlags.split(" "),
                  ...conn(ctx.pair.destination, "postgres"),
                  "-c",
                  `DROP DATABASE ${BENCH_DB} WITH (FORCE)`,
                  "-c",
                  `CREATE DATABASE ${BENCH_DB}`,
                ],
                env,
              ),
          ],
          [
            "restore",
            () =>
              runShellTimed(
                "psql --single-transaction (restore)",
                `${sh(t.psql)} ${psqlFlags} --single-transaction ${shConn(ctx.pair.destination)} -f ${sh(dump)} >/dev/null`,
                env,
              ),
          ],
        ];
        const parts: Record<string, number> = {};
        let rssKb = 0;
        let cpuSeconds = 0;
        for (const [name, step] of steps) {
          const timed = await step();
          parts[name] = timed.seconds;
          rssKb = Math.max(rssKb, timed.rssKb);
          cpuSeconds += timed.cpuSeconds;
        }
        return { rssKb, cpuSeconds, parts };
      } finally {
        await Promise.all([rm(backup, { force: true }), rm(dump, { force: true })]);
      }
    },
  },
  {
    id: "dump-restore-j",
    label: "pg_dump -Fd -Z0 -j N, pg_restore -j N",
    command: "pg_dump -Fd -Z0 -j N -f dir -d src && pg_restore -j N --exit-on-error -d dst dir",
    needsPgDump: true,
    leaves: "plain copy",
    prepare: emptyDestination,
    async run(ctx) {
      const t = toolsOf(ctx);
      const env = envFor(ctx);
      const dir = join(ctx.workDir, "dump-dir");
      const n = String(ctx.parallel);
      try {
        const dumped = await runTimed(
          "pg_dump -Fd",
          t.pgDump,
          ["-Fd", "-Z0", "-j", n, "-f", dir, ...conn(ctx.pair.source)],
          env,
        );
        const restored = await runTimed(
          "pg_restore -j",
          t.pgRestore,
          ["-j", n, "--exit-on-error", ...conn(ctx.pair.destination), dir],
          env,
        );
        return {
          rssKb: Math.max(dumped.rssKb, restored.rssKb),
          cpuSeconds: dumped.cpuSeconds + restored.cpuSeconds,
          parts: { "pg_dump -Fd": dumped.seconds, "pg_restore -j": restored.seconds },
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  },
  {
    id: "pgcopydb",
    label: "pgcopydb clone --table-jobs N --index-jobs N",
    command: "pgcopydb clone --source src --target dst --table-jobs N --index-jobs N --dir dir",
    needsPgDump: true,
    needsPgcopydb: true,
    leaves: "plain copy",
    prepare: emptyDestination,
    run: pgcopydbClone,
  },
  {
    id: "pgsync-empty",
    label: "pgsync-ts run, empty destination",
    command: "node bin/pgsync-ts.js run --from src --to dst --parallel N --keep 1 --json",
    needsPgDump: false,
    leaves: "pgsync copy",
    prepare: emptyDestination,
    run: pgsyncRun,
  },
  {
    id: "pgsync-resync",
    label: "pgsync-ts run, destination holds a copy (safety snapshot kept)",
    command: "node bin/pgsync-ts.js run --from src --to dst --parallel N --keep 1 --json (again)",
    needsPgDump: false,
    leaves: "pgsync copy",
    async prepare(ctx) {
      if (ctx.destinationState !== "pgsync copy") {
        await emptyDestination(ctx);
        await pgsyncRun(ctx);
        ctx.destinationState = "pgsync copy";
      }
      await settleDestination(ctx);
    },
    run: pgsyncRun,
  },
];
