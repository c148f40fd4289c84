/**
 * Waits for a quiet machine before a scale is measured: polls the 1-minute load average every
 * 60 s until it is below `threshold`, for at most `budgetSeconds`. Returns how long it waited and
 * whether the machine got quiet (if not, the run goes ahead and is marked as measured under load).
 */
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export async function loadAverage(): Promise<number> {
  return Number((await readFile("/proc/loadavg", "utf8")).split(" ")[0]);
}

export async function waitForQuiet(
  threshold: number,
  budgetSeconds: number,
  log: (line: string) => void,
): Promise<{ seconds: number; quiet: boolean }> {
  const started = performance.now();
  const waited = () => (performance.now() - started) / 1000;
  for (;;) {
    const load = await loadAverage();
    if (load < threshold) return { seconds: waited(), quiet: true };
    if (waited() + 60 > budgetSeconds) {
      log(`load ${load} is still above ${threshold}; measuring anyway (the result is marked as under load)`);
      return { seconds: waited(), quiet: false };
    }
    log(`load ${load} >= ${threshold}: waiting 60 s for a quiet machine (${Math.round(waited())} s so far)`);
    await sleep(60_000);
  }
}
