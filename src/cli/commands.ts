import { Cron } from "croner";
import { AD_HOC_RETENTION_DAYS, describeProfile, loadConfig } from "../config/index.js";
import { connect } from "../db/connect.js";
import { suggestForSource } from "../mask/suggest-source.js";
import { EXIT } from "../output/exit.js";
import { formatBytes, formatRunReport, formatVerifyReport } from "../output/format.js";
import { createLogger } from "../output/logger.js";
import { formatPlanReport, planVerdict } from "../output/plan-format.js";
import { logRunEvent } from "../output/run-events.js";
import { planRun } from "../pipeline/plan-only.js";
import { PAUSE_ENV, testFaultHook } from "../pipeline/test-faults.js";
import { holdDestinationLock } from "../restore/lock.js";
import { listSnapshots } from "../restore/meta.js";
import { pruneSnapshots } from "../restore/retention.js";
import { snapshotStorage } from "../restore/snapshot-storage.js";
import { buildNotifiers } from "../schedule/notify/index.js";
import { runProfile, syncOptionsFor } from "../schedule/run-profile.js";
import { runsPerDay } from "../schedule/runs-per-day.js";
import { maskConnectionString } from "../util/redact.js";
import { verifyDatabases } from "../verify/compare.js";
import { abortOnSignals } from "./interrupt.js";
import { RunProgress } from "./progress.js";
import { ProgressBars } from "./progress-bars.js";
import { rollbackCommandFor } from "./rollback-hint.js";
import { snapshotTable } from "./snapshot-lines.js";
import { resolveDestination, resolveSource, resolveTarget, type TargetFlags } from "./target.js";
import { testHooksEnabled } from "./test-hooks.js";

const out = (text: string) => process.stdout.write(`${text}\n`);
const json = (value: unknown) => out(JSON.stringify(value, null, 2));
/** A multi-line message ("...:\n  a\n  b") as one line ("...: a; b"). */
const oneLine = (text: string) => text.replace(/:\s*\n\s*/g, ": ").replace(/\s*\n\s*/g, "; ");

/**
 * Test-only: PGSYNC_TEST_PAUSE_AT makes the run pause at a fault point (see pipeline/test-faults.ts),
 * in a process whose entry point enabled test hooks (never the shipped CLI: see test-hooks.ts).
 */
function testFaultOption(signal: AbortSignal) {
  if (!testHooksEnabled()) {
    if (process.env[PAUSE_ENV])
      process.stderr.write(
        `pgsync-ts: warning: ${PAUSE_ENV} is set but ignored: it is for the test suite only\n`,
      );
    return {};
  }
  const faultHook = testFaultHook(signal);
  return faultHook ? { faultHook } : {};
}

/** The flags `run` and `plan` share: what to sync, and how. */
type RunFlags = TargetFlags &
  SelectionFlags & {
    json?: boolean;
    schema?: string[];
    excludeSchema?: string[];
    force?: boolean;
    withPrivileges?: boolean;
    withDatabaseSettings?: boolean;
  };

export async function runCommand(flags: RunFlags): Promise<number> {
  const profile = await resolveTarget(flags);
  // On a terminal: live bars while the data is copied, and one line per event above them.
  const bars = process.stderr.isTTY ? new ProgressBars() : undefined;
  const say = bars?.line ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = createLogger({ profile: profile.name, ...(bars ? { lines: bars.line } : {}) });
  const interrupt = abortOnSignals({ say });
  const progress = bars ? new RunProgress(() => interrupt.signal.aborted) : undefined;
  const source = maskConnectionString(profile.sourceUrl);
  const destination = maskConnectionString(profile.destinationUrl);
  log.info({ source, destination }, `run starting: ${source} -> ${destination}`);
  // Alerts are built before the run, so a notifier misconfiguration fails fast (exit 2).
  const notifiers = buildNotifiers(profile.name, profile.notify, process.env);
  try {
    // Recorded in the destination's run history (`_pgsync.runs`) and announced to the profile's notifiers.
    const { report, status } = await runProfile({
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
        copyDatabaseSettings: flags.withDatabaseSettings === true || profile.copyDatabaseSettings,
        signal: interrupt.signal,
        ...testFaultOption(interrupt.signal),
        onEvent: (e) => {
          if (!bars || !progress) return logRunEvent(log, e, { interrupted: () => interrupt.signal.aborted });
          bars.handle(e);
          progress.handle(log, e);
        },
      },
    });
    bars?.stop();
    const interrupted = status === "interrupted" ? (interrupt.received() ?? "a signal") : undefined;
    if (flags.json) json(report);
    else
      out(
        formatRunReport(report, {
          rollback: rollbackCommandFor(profile, flags),
          ...(interrupted ? { interrupted } : {}),
        }),
      );
    // The last line names the cause, whatever came before it.
    if (interrupted)
      process.stderr.write(
        `pgsync-ts: interrupted (${interrupted}); the synced schemas keep their previous state\n`,
      );
    else if (report.error)
      process.stderr.write(`pgsync-ts: error: ${oneLine(String(report.error.message))}\n`);
    return (
      interrupt.exitCode() ??
      (report.ok
        ? EXIT.ok
        : report.error?.kind === "config" || report.error?.kind === "usage"
          ? EXIT.usage
          : EXIT.failed)
    );
  } finally {
    bars?.stop();
    interrupt.dispose();
  }
}

export async function verifyCommand(
  flags: TargetFlags & {
    json?: boolean;
    method?: "counts" | "checksum";
    withPrivileges?: boolean;
    withDatabaseSettings?: boolean;
  },
): Promise<number> {
  const profile = await resolveTarget(flags);
  const report = await verifyDatabases({
    sourceUrl: profile.sourceUrl,
    destinationUrl: profile.destinationUrl,
    method: flags.method ?? "checksum",
    connectSeconds: profile.timeouts.connectSeconds,
    // Owners, grants and opt-in settings are compared for the copies that carry them.
    withPrivileges: flags.withPrivileges === true || profile.includePrivileges,
    allDatabaseSettings: flags.withDatabaseSettings === true || profile.copyDatabaseSettings,
    // A masked or subsetted profile is verified against what its runs copy.
    ...(profile.masking || profile.subset
      ? {
          shaping: {
            ...(profile.masking ? { masking: profile.masking } : {}),
            ...(profile.subset ? { subset: profile.subset } : {}),
          },
        }
      : {}),
  });
  if (flags.json) json(report);
  else out(formatVerifyReport(report));
  return report.outcome === "identical"
    ? EXIT.ok
    : report.outcome === "different"
      ? EXIT.failed
      : EXIT.cannotCompare;
}

/** `mask suggest`: a starter masking block for the profile's source (the destination is not touched). */
export async function maskSuggestCommand(flags: TargetFlags & { json?: boolean }): Promise<number> {
  const profile = await resolveSource(flags);
  const result = await suggestForSource({
    sourceUrl: profile.sourceUrl,
    connectSeconds: profile.timeouts.connectSeconds,
    ...(profile.include?.schemas ? { schemas: profile.include.schemas } : {}),
    excludeSchemas: profile.exclude.schemas,
    excludeTables: profile.exclude.tables,
  });
  if (flags.json) json(result);
  else {
    json({ masking: result.masking });
    for (const s of result.suggestions) process.stderr.write(`pgsync-ts: ${s.column}: ${s.reason}\n`);
    for (const n of result.notes) process.stderr.write(`pgsync-ts: note: ${n}\n`);
  }
  return EXIT.ok;
}

export async function planCommand(
  flags: RunFlags & {
    /** commander's `--no-trial`: false when given. */
    trial?: boolean;
  },
): Promise<number> {
  const profile = await resolveTarget(flags);
  // The options `run` would take from this profile and these flags, so the plan tells its truth.
  const report = await planRun({
    ...syncOptionsFor(profile),
    ...(flags.schema?.length ? { schemas: flags.schema } : {}),
    excludeSchemas: [...profile.exclude.schemas, ...(flags.excludeSchema ?? [])],
    ...tableSelection(profile, flags),
    force: flags.force === true || profile.force,
    includePrivileges: flags.withPrivileges === true || profile.includePrivileges,
    copyDatabaseSettings: flags.withDatabaseSettings === true || profile.copyDatabaseSettings,
    trial: flags.trial !== false,
  });
  if (flags.json) json(report);
  else out(formatPlanReport(report));
  if (!report.ok) process.stderr.write(`pgsync-ts: plan: ${oneLine(planVerdict(report))}\n`);
  return report.ok ? EXIT.ok : EXIT.failed;
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
    // What the pruning left is what a listing would show now (PruneResult.kept), sizes included.
    const snapshots = result?.kept ?? (await listSnapshots(c.client));
    const perDay = runsPerDay(profile.schedule);
    const storage = await snapshotStorage(c.client, snapshots, {
      retention: profile.retention,
      ...(perDay === undefined ? {} : { runsPerDay: perDay }),
    });
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
              unfinished: result.unfinished.map((r) => ({
                snapshotId: r.snapshot.snapshotId,
                reason: r.reason,
              })),
            }
          : {}),
      });
    } else {
      for (const p of result?.pruned ?? []) out(`pruned ${p.snapshotId}`);
      for (const r of result?.refused ?? []) out(`kept ${r.snapshot.snapshotId}: ${r.reason}`);
      for (const r of result?.unfinished ?? [])
        out(`not all of ${r.snapshot.snapshotId} is dropped yet: ${r.reason}`);
      if (snapshots.length === 0) out("no snapshots");
      else for (const line of snapshotTable(snapshots)) out(line);
      out(
        `${storage.snapshots} snapshot(s) take ${formatBytes(storage.snapshotBytes)}; the live schemas take ${formatBytes(storage.liveBytes)}; retention (profile ${profile.name}): ${retention}`,
      );
    }
    if (storage.warning) process.stderr.write(`pgsync-ts: warning: ${storage.warning}\n`);
    return result && result.refused.length + result.unfinished.length > 0 ? EXIT.failed : EXIT.ok;
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
