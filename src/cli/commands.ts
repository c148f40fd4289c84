import { Cron } from "croner";
import { AD_HOC_RETENTION_DAYS, describeProfile, loadConfig } from "../config/index.js";
import { connect } from "../db/connect.js";
import { EXIT } from "../output/exit.js";
import { formatBytes, formatRunReport, formatVerifyReport } from "../output/format.js";
import { createLogger } from "../output/logger.js";
import { logRunEvent } from "../output/run-events.js";
import { planRun } from "../pipeline/plan-only.js";
import { testFaultHook } from "../pipeline/test-faults.js";
import { holdDestinationLock } from "../restore/lock.js";
import { listSnapshots, snapshotStorage } from "../restore/meta.js";
import { pruneSnapshots } from "../restore/retention.js";
import { buildNotifiers } from "../schedule/notify/index.js";
import { runProfile, syncOptionsFor } from "../schedule/run-profile.js";
import { maskConnectionString } from "../util/redact.js";
import { verifyDatabases } from "../verify/compare.js";
import { abortOnSignals } from "./interrupt.js";
import { RunProgress } from "./progress.js";
import { resolveDestination, resolveTarget, type TargetFlags } from "./target.js";

const out = (text: string) => process.stdout.write(`${text}\n`);
const json = (value: unknown) => out(JSON.stringify(value, null, 2));
/** A multi-line message ("...:\n  a\n  b") as one line ("...: a; b"). */
const oneLine = (text: string) => text.replace(/:\s*\n\s*/g, ": ").replace(/\s*\n\s*/g, "; ");

/** Test-only: PGSYNC_TEST_PAUSE_AT makes the run pause at a fault point (see pipeline/test-faults.ts). */
function testFaultOption(signal: AbortSignal) {
  const faultHook = testFaultHook(signal);
  return faultHook ? { faultHook } : {};
}

export async function runCommand(
  flags: TargetFlags &
    SelectionFlags & {
      json?: boolean;
      schema?: string[];
      excludeSchema?: string[];
      force?: boolean;
      withPrivileges?: boolean;
    },
): Promise<number> {
  const profile = await resolveTarget(flags);
  const log = createLogger({ profile: profile.name });
  const interrupt = abortOnSignals();
  log.info(
    { source: maskConnectionString(profile.sourceUrl), destination: maskConnectionString(profile.destinationUrl) },
    "run starting",
  );
  // Alerts are built before the run, so a notifier misconfiguration fails fast (exit 2).
  const notifiers = buildNotifiers(profile.name, profile.notify, process.env);
  // On a terminal, each copied table shows its rows against the source's estimates.
  const progress = process.stderr.isTTY
    ? new RunProgress({ url: profile.sourceUrl, connectSeconds: profile.timeouts.connectSeconds })
    : undefined;
  try {
    // Recorded in the destination's run history (`_pgsync.runs`) and announced to the profile's notifiers.
    const { report } = await runProfile({
      profile,
      trigger: "manual",
      log,
      notifiers,
      run: {
        // The profile's options, as a scheduled run has them; command-line flags add to them.
        ...syncOptionsFor(profile),
        ...(flags.schema?.length ? { schemas: flags.schema } : {}),
        excludeSchemas: [...profile.exclude.schemas, ...(flags.excludeSchema ?? [])],
        ...tableSelection(profile, flags),
        force: flags.force === true || profile.force,
        includePrivileges: flags.withPrivileges === true || profile.includePrivileges,
        signal: interrupt.signal,
        ...testFaultOption(interrupt.signal),
        onEvent: (e) => (progress ? progress.handle(log, e) : logRunEvent(log, e)),
      },
    });
    if (flags.json) json(report);
    else out(formatRunReport(report));
    // The last line names the cause, whatever came before it.
    if (report.error) process.stderr.write(`pgsync-ts: error: ${oneLine(String(report.error.message))}\n`);
    return (
      interrupt.exitCode() ??
      (report.ok ? EXIT.ok : report.error?.kind === "config" ? EXIT.usage : EXIT.failed)
    );
  } finally {
    interrupt.dispose();
  }
}

export async function verifyCommand(
  flags: TargetFlags & { json?: boolean; method?: "counts" | "checksum" },
): Promise<number> {
  const profile = await resolveTarget(flags);
  const report = await verifyDatabases({
    sourceUrl: profile.sourceUrl,
    destinationUrl: profile.destinationUrl,
    method: flags.method ?? "checksum",
    connectSeconds: profile.timeouts.connectSeconds,
  });
  if (flags.json) json(report);
  else out(formatVerifyReport(report));
  return report.outcome === "identical"
    ? EXIT.ok
    : report.outcome === "different"
      ? EXIT.failed
      : EXIT.cannotCompare;
}

export async function planCommand(
  flags: TargetFlags & SelectionFlags & { json?: boolean; schema?: string[] },
): Promise<number> {
  const profile = await resolveTarget(flags);
  const report = await planRun({
    sourceUrl: profile.sourceUrl,
    destinationUrl: profile.destinationUrl,
    connectSeconds: profile.timeouts.connectSeconds,
    ...(flags.schema?.length
      ? { schemas: flags.schema }
      : profile.include?.schemas
        ? { schemas: profile.include.schemas }
        : {}),
    excludeSchemas: profile.exclude.schemas,
    ...tableSelection(profile, flags),
  });
  if (flags.json) {
    json(report);
  } else {
    out(
      `-- plan: ${report.source} (PostgreSQL ${report.sourceVersion}) -> ${report.destination} (PostgreSQL ${report.destinationVersion})`,
    );
    out(`-- schemas: ${report.schemas.join(", ") || "(none)"}`);
    for (const t of report.tables) {
      out(
        `-- table ${t.table}: ~${t.estimatedRows.toLocaleString("en-US")} rows, ${formatBytes(t.bytes)}, ${t.data ? `${t.format} COPY` : "structure only"}`,
      );
    }
    for (const r of report.refused) out(`-- REFUSED: ${r}`);
    for (const n of report.notCarried.filter((n) => !n.holdsRows))
      out(`-- not carried: ${n.kind} ${n.identity} (${n.reason})`);
    for (const s of report.ddl) out(`${s.sql};`);
  }
  return report.refused.length > 0 ? EXIT.failed : EXIT.ok;
}

export async function snapshotsCommand(
  flags: TargetFlags & { prune?: boolean; json?: boolean },
): Promise<number> {
  const profile = await resolveDestination(flags);
  const open = () =>
    connect({
      url: profile.destinationUrl,
      side: "destination",
      connectSeconds: profile.timeouts.connectSeconds,
    });
  const c = await open();
  const lock = flags.prune ? await open() : undefined;
  try {
    // Pruning drops schemas: never while a run or a rollback is working on this destination.
    if (lock) await holdDestinationLock(lock.client, { wait: false, waitSeconds: 0 });
    const result = flags.prune
      ? await pruneSnapshots(c.client, profile.retention, new Date(), profile.timeouts.statementSeconds)
      : undefined;
    const snapshots = await listSnapshots(c.client);
    const storage = await snapshotStorage(c.client, snapshots);
    const { days, count } = profile.retention;
    const retention = [
      days < AD_HOC_RETENTION_DAYS ? `${days} day(s)` : "no age limit",
      count ? `at most ${count}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    if (flags.json) {
      json({
        snapshots,
        retention: profile.retention,
        storage,
        ...(result
          ? {
              pruned: result.pruned.map((p) => p.snapshotId),
              refused: result.refused.map((r) => ({ snapshotId: r.snapshot.snapshotId, reason: r.reason })),
            }
          : {}),
      });
    } else {
      for (const p of result?.pruned ?? []) out(`pruned ${p.snapshotId}`);
      for (const r of result?.refused ?? []) out(`kept ${r.snapshot.snapshotId}: ${r.reason}`);
      if (snapshots.length === 0) out("no snapshots");
      for (const s of snapshots) {
        out(
          `${s.snapshotId}  ${s.takenAt.toISOString()}  ${formatBytes(s.bytes).padStart(9)}  ${s.reason}  ${s.schemas.map((x) => x.original).join(", ")}`,
        );
      }
      out(
        `${storage.snapshots} snapshot(s) take ${formatBytes(storage.snapshotBytes)}; the live schemas take ${formatBytes(storage.liveBytes)}; retention (profile ${profile.name}): ${retention}`,
      );
    }
    if (storage.warning) process.stderr.write(`pgsync-ts: warning: ${storage.warning}\n`);
    return result && result.refused.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await lock?.close();
    await c.close();
  }
}

export async function scheduleCommand(flags: { config?: string; json?: boolean }): Promise<number> {
  const config = await loadConfig({
    ...(flags.config ? { configPath: flags.config } : {}),
    env: process.env,
  });
  const rows = [...config.profiles.entries()].map(([name, p]) => {
    const next = p.schedule
      ? new Cron(p.schedule.cron, { timezone: p.schedule.timezone, paused: true }).nextRuns(4)
      : [];
    return {
      profile: name,
      cron: p.schedule?.cron ?? null,
      timezone: p.schedule?.timezone ?? null,
      next: next.map((d) => d.toISOString()),
    };
  });
  if (flags.json) json(rows);
  else {
    for (const r of rows) {
      out(
        r.cron
          ? `${r.profile.padEnd(12)} ${r.cron.padEnd(16)} ${r.timezone}  next: ${r.next.join(", ")}`
          : `${r.profile.padEnd(12)} (no schedule)`,
      );
    }
  }
  return EXIT.ok;
}

export { describeProfile };

interface SelectionFlags {
  table?: string[];
  excludeTable?: string[];
  structureOnly?: string[];
}

/** Table-level selection from the profile and the command line (`--table`, `--exclude-table`, `--structure-only`). */
function tableSelection(
  profile: {
    include?: { tables?: readonly string[] };
    exclude: { tables: readonly string[] };
    structureOnly: readonly string[];
  },
  flags: SelectionFlags,
): { includeTables?: string[]; excludeTables: string[]; structureOnly: string[] } {
  const include = [...(profile.include?.tables ?? []), ...(flags.table ?? [])];
  return {
    ...(include.length > 0 ? { includeTables: include } : {}),
    excludeTables: [...profile.exclude.tables, ...(flags.excludeTable ?? [])],
    structureOnly: [...profile.structureOnly, ...(flags.structureOnly ?? [])],
  };
}
