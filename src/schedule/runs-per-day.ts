import { Cron } from "croner";
import type { ScheduleConfig } from "../config/types.js";

/** The week a schedule's runs are counted over: a cron expression often differs by weekday. */
const WEEK_RUNS_LIMIT = 7 * 24 * 60;

/**
 * How many runs a day a schedule makes, on average over its next week (`15 6,18 * * *`: 2). An
 * expression that fires every minute counts as 1440 a day; undefined without a schedule.
 */
export function runsPerDay(
  schedule: ScheduleConfig | undefined,
  from: Date = new Date(),
): number | undefined {
  if (!schedule) return undefined;
  const cron = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
  const weekEnd = from.getTime() + 7 * 86_400_000;
  const runs = cron.nextRuns(WEEK_RUNS_LIMIT, from).filter((d) => d.getTime() <= weekEnd).length;
  return runs / 7;
}
