import { Cron } from "croner";

/**
 * A trigger is never exactly on time (timers fire a few milliseconds late, the event loop may be
 * busy): lateness under this tolerance counts as on time, whatever the grace, so a grace of 0 means
 * "never start a run late" rather than "never start a run".
 */
export const ON_TIME_TOLERANCE_MS = 1000;

export type MisfireDecision =
  | { readonly run: true; readonly lateMs: number }
  | { readonly run: false; readonly lateMs: number; readonly reason: string };

/**
 * Whether a scheduled run that can start only now still runs: it does when it is late by less than
 * the grace period; otherwise it is skipped.
 */
export function misfireDecision(slot: Date, now: Date, graceSeconds: number): MisfireDecision {
  const lateMs = Math.max(0, now.getTime() - slot.getTime());
  if (lateMs < ON_TIME_TOLERANCE_MS || lateMs < graceSeconds * 1000) return { run: true, lateMs };
  return {
    run: false,
    lateMs,
    reason: `the run scheduled for ${slot.toISOString()} could start only ${formatSeconds(lateMs / 1000)} late, past the misfire grace of ${formatSeconds(graceSeconds)}`,
  };
}

export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds * 10) / 10}s`;
  if (seconds < 7200) return `${Math.round(seconds / 6) / 10}min`;
  return `${Math.round(seconds / 360) / 10}h`;
}

/** The latest cron slot at or before `now` (null when the expression has never fired). */
export function latestSlot(cron: string, timezone: string, now: Date): Date | null {
  return new Cron(cron, { timezone, paused: true }).previousRuns(1, now)[0] ?? null;
}

export interface StartupMisfire {
  /** The newest slot the service missed while it was down; it is run now if within the grace. */
  readonly slot: Date;
  /** How many slots were missed in all (capped at 1000); the older ones are skipped. */
  readonly missed: number;
}

/**
 * What the history says was missed while the service was down: the slots after the newest scheduled
 * slot recorded for the profile (run or skipped), up to now. Without a recorded scheduled slot the
 * service never ran the profile, so it missed nothing; a manual run does not stand in for a
 * scheduled one.
 */
export function startupMisfire(
  schedule: { cron: string; timezone: string },
  lastRecordedSlot: Date | null,
  now: Date,
): StartupMisfire | null {
  if (lastRecordedSlot === null) return null;
  const slot = latestSlot(schedule.cron, schedule.timezone, now);
  if (slot === null || lastRecordedSlot.getTime() >= slot.getTime()) return null;
  const job = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
  const missed = job.nextRuns(1000, lastRecordedSlot).filter((d) => d.getTime() <= slot.getTime()).length;
  return { slot, missed: Math.max(1, missed) };
}
