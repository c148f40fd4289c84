import { Cron } from "croner";
import type { ScheduleConfig } from "../config/types.js";

/** At most this many runs are counted (a week of a cron that fires every minute). */
const WEEK_RUNS_LIMIT = 7 * 24 * 60;

/**
 * How many runs a day a schedule makes, on average over its next week (`15 6,18 * * *`: 2): a cron
 * expression often differs by weekday. At most 1440 a day are counted (every minute); undefined
 * without a schedule.
 */
export function runsPerDay(
  schedule: ScheduleConfig | undefined,
  from: Date = new Date(),
): number | undefined {
  if (!schedule) return undefined;
  const cron = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
  const weekEnd = from.getTime() + 7 * 86_400_000;
  let runs = 0;
  for (
    let at = cron.nextRun(from);
    at && at.getTime() <= weekEnd && runs < WEEK_RUNS_LIMIT;
    at = cron.nextRun(at)
  )
    runs++;
  return runs / 7;
}
