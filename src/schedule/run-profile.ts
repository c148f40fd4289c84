import type { Logger } from "pino";
import type { ResolvedProfile } from "../config/index.js";
import { errorMessage } from "../errors.js";
import type { RunOptions } from "../pipeline/run.js";
import type { RunTrigger } from "./history-store.js";
import {
  buildNotice,
  type Notifiers,
  type NotifyResult,
  type RunNotice,
  sendNotices,
} from "./notify/index.js";
import { type RecordedRun, recordedRun, recordSkipped } from "./record-run.js";
import { runsPerDay } from "./runs-per-day.js";

/**
 * The runSync options a profile stands for: the same mapping `run --profile` uses (src/cli/commands.ts
 * runCommand), without the command-line overrides.
 */
export function syncOptionsFor(profile: ResolvedProfile): RunOptions {
  return {
    sourceUrl: profile.sourceUrl,
    destinationUrl: profile.destinationUrl,
    profile: profile.name,
    parallelism: profile.parallelism,
    splitTablesLargerThan: profile.splitTablesLargerThan,
    timeouts: profile.timeouts,
    retention: profile.retention,
    ...(profile.schedule ? { runsPerDay: runsPerDay(profile.schedule) } : {}),
    lockWait: profile.lockWait,
    ...(profile.include?.schemas ? { schemas: profile.include.schemas } : {}),
    excludeSchemas: profile.exclude.schemas,
    ...(profile.include?.tables?.length ? { includeTables: profile.include.tables } : {}),
    excludeTables: profile.exclude.tables,
    structureOnly: profile.structureOnly,
    force: profile.force,
    allowProduction: profile.allowProduction,
    includePrivileges: profile.includePrivileges,
    copyDatabaseSettings: profile.copyDatabaseSettings,
    verify: profile.verify,
    ...(profile.masking ? { masking: profile.masking } : {}),
    ...(profile.subset ? { subset: profile.subset } : {}),
    ...(profile.archive
      ? {
          archive: {
            store: profile.archive.store,
            compression: profile.archive.compress,
            ...(profile.archive.retention ? { retention: profile.archive.retention } : {}),
            ...(profile.archive.key ? { key: profile.archive.key } : {}),
          },
        }
      : {}),
  };
}

export interface ProfileRunOptions {
  /** The profile's name and connection timeout; its URLs come from `run`. */
  readonly profile: Pick<ResolvedProfile, "name" | "timeouts">;
  readonly trigger: RunTrigger;
  readonly scheduledFor?: Date;
  /** Handed to runSync as is (see syncOptionsFor). */
  readonly run: RunOptions;
  /** Bound to the profile (every line carries `profile`). */
  readonly log: Logger;
  readonly notifiers: Notifiers;
}

export interface ProfileRun extends RecordedRun {
  readonly notices: readonly NotifyResult[];
}

/** One run of a profile: recorded in the destination's history, then announced to its notifiers. */
export async function runProfile(options: ProfileRunOptions): Promise<ProfileRun> {
  const { profile, log } = options;
  const recorded = await recordedRun({
    profile: profile.name,
    trigger: options.trigger,
    ...(options.scheduledFor ? { scheduledFor: options.scheduledFor } : {}),
    connectSeconds: profile.timeouts.connectSeconds,
    warn: (message) => log.warn(message),
    run: options.run,
  });
  const { report, status } = recorded;
  const notice = buildNotice({
    profile: profile.name,
    status,
    trigger: options.trigger,
    ...(options.scheduledFor ? { scheduledFor: options.scheduledFor } : {}),
    report,
    source: report.source,
    destination: report.destination,
  });
  const notices = await announce(options.notifiers, notice, log);
  return { ...recorded, notices };
}

/** Records a skipped scheduled run and announces it (a missed backup is worth an alert). */
export async function skipProfileRun(options: {
  readonly profile: ResolvedProfile;
  readonly scheduledFor: Date;
  readonly reason: string;
  readonly log: Logger;
  readonly notifiers: Notifiers;
}): Promise<void> {
  const { profile, log } = options;
  try {
    const id = await recordSkipped({
      profile: profile.name,
      sourceUrl: profile.sourceUrl,
      destinationUrl: profile.destinationUrl,
      connectSeconds: profile.timeouts.connectSeconds,
      scheduledFor: options.scheduledFor,
      reason: options.reason,
    });
    if (id === null)
      log.warn("the skipped run is not recorded: pgsync-ts has never written to this destination yet");
  } catch (error) {
    log.warn(
      { err: errorMessage(error) },
      `the skipped run could not be recorded in the run history: ${errorMessage(error)}`,
    );
  }
  await announce(
    options.notifiers,
    buildNotice({
      profile: profile.name,
      status: "skipped",
      trigger: "scheduled",
      scheduledFor: options.scheduledFor,
      reason: options.reason,
      source: profile.sourceUrl,
      destination: profile.destinationUrl,
    }),
    log,
  );
}

async function announce(notifiers: Notifiers, notice: RunNotice, log: Logger): Promise<NotifyResult[]> {
  const results = await sendNotices(notifiers, notice);
  for (const r of results) {
    if (r.ok) log.info({ notifier: r.name, event: notice.event }, `notification sent: ${r.name}`);
    else log.warn({ notifier: r.name, event: notice.event, err: r.error }, `notification failed: ${r.error}`);
  }
  return results;
}
