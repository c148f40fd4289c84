import { PgsyncError } from "../errors.js";
import { FAULT_POINTS, type FaultPoint } from "./step-runner.js";

/**
 * A fault hook for tests that drive the real command line in a child process. With
 * `PGSYNC_TEST_PAUSE_AT=<fault point>` in its environment, a run that reaches that point (the first
 * time) writes `PGSYNC_TEST_PAUSED <point> pid=<pid>` on stderr and waits, so the test can act at
 * exactly that moment: send SIGINT, SIGTERM or SIGKILL, drop the run's connections, break the
 * destination. SIGUSR2 resumes the run; so does an interrupt (SIGINT/SIGTERM abort the run, which
 * then fails at its next statement, as it would if the signal had come at that point unprompted).
 *
 * Without the variable this returns undefined and the run has no hook at all.
 */
export const PAUSE_ENV = "PGSYNC_TEST_PAUSE_AT";
export const PAUSE_MARKER = "PGSYNC_TEST_PAUSED";
export const RESUME_SIGNAL = "SIGUSR2";

export function testFaultHook(
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): ((point: FaultPoint) => Promise<void>) | undefined {
  return testPauseHook(FAULT_POINTS, signal, env);
}

/** The same for another command's own points (a dump's: src/archive/dump.ts, ARCHIVE_FAULT_POINTS). */
export function testPauseHook<P extends string>(
  known: readonly P[],
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): ((point: P) => Promise<void>) | undefined {
  const wanted = env[PAUSE_ENV];
  if (!wanted) return undefined;
  if (!(known as readonly string[]).includes(wanted)) {
    throw new PgsyncError(
      "usage",
      `${PAUSE_ENV}: unknown fault point "${wanted}"; known points: ${known.join(", ")}`,
    );
  }
  let fired = false;
  return async (point) => {
    if (point !== wanted || fired) return;
    fired = true;
    await new Promise<void>((resolve) => {
      // Signal listeners do not keep the process alive; at a point where no connection is open yet
      // (or all were dropped) this timer does, until the run resumes.
      const keepAlive = setInterval(() => {}, 60_000);
      const done = () => {
        clearInterval(keepAlive);
        process.off(RESUME_SIGNAL, done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      process.on(RESUME_SIGNAL, done);
      signal?.addEventListener("abort", done, { once: true });
      process.stderr.write(`${PAUSE_MARKER} ${point} pid=${process.pid}\n`);
      if (signal?.aborted) done();
    });
  };
}
