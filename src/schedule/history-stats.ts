import { FINISHED_STATUSES, type RunRecord } from "./history-store.js";

export interface HistorySummary {
  /** Runs listed (every status). */
  readonly runs: number;
  /** Runs that ended (succeeded, failed, interrupted, abandoned); skipped and running ones are not. */
  readonly finished: number;
  readonly succeeded: number;
  /** succeeded / finished, 0..1; null when nothing finished. */
  readonly successRate: number | null;
  /** Median duration of the successful runs, in seconds; null when none succeeded. */
  readonly medianSeconds: number | null;
  readonly skipped: number;
  readonly lastSuccessAt: Date | null;
}

/**
 * Success rate and median duration of a list of runs. The median is taken over successful runs only:
 * a failed run usually stops early, and its short duration says nothing about how long a sync takes.
 */
export function summarizeRuns(runs: readonly RunRecord[]): HistorySummary {
  const finished = runs.filter((r) => FINISHED_STATUSES.includes(r.status));
  const succeeded = runs.filter((r) => r.status === "succeeded");
  const durations = succeeded.flatMap((r) => (r.seconds === null ? [] : [r.seconds]));
  const ends = succeeded.map((r) => (r.finishedAt ?? r.startedAt).getTime());
  return {
    runs: runs.length,
    finished: finished.length,
    succeeded: succeeded.length,
    successRate: finished.length === 0 ? null : succeeded.length / finished.length,
    medianSeconds: median(durations),
    skipped: runs.filter((r) => r.status === "skipped").length,
    lastSuccessAt: ends.length === 0 ? null : new Date(Math.max(...ends)),
  };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
