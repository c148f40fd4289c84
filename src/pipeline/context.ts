import { randomBytes } from "node:crypto";
import { DEFAULT_TIMEOUTS } from "../config/builtins.js";
import type { TimeoutsConfig } from "../config/types.js";
import { type Connection, connect, type Side } from "../db/connect.js";
import { PgsyncError } from "../errors.js";
import { STAGING_PREFIX } from "../restore/meta.js";
import type { RunEvent, RunOptions } from "./options.js";
import { type FaultPoint, type StepName, StepRunner } from "./step-runner.js";

/**
 * What every step of a run shares: the options, the run's identity and timeouts, the connections it
 * opened (all closed at the end), the event sink, the fault hook and the abort signal. A step takes
 * the context and the values earlier steps returned, and returns its own.
 */
export interface RunContext {
  readonly options: RunOptions;
  readonly runId: string;
  readonly timeouts: TimeoutsConfig;
  readonly parallelism: number;
  /** This run's staging schemas are named `<stagingPrefix>_<n>`. */
  readonly stagingPrefix: string;
  readonly applicationName: string;
  readonly signal: AbortSignal | undefined;
  /** Opens a connection of the run; it is closed when the run ends. */
  open(side: Side): Promise<Connection>;
  warn(message: string): void;
  /** Every warning so far, in order (the report lists them). */
  readonly warnings: readonly string[];
  emit(event: RunEvent): void;
  fault(point: FaultPoint): Promise<void>;
  /** Set once the first staging object may exist: from then on a failure drops the staging schemas. */
  markStagingCreated(created: boolean): void;
  readonly stagingCreated: boolean;
  /** Closes every connection the run opened; a connection that completes afterwards closes at once. */
  closeAll(): Promise<void>;
}

export function createRunContext(options: RunOptions): RunContext {
  const runId = randomBytes(4).toString("hex");
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const applicationName = `pgsync-ts ${runId}`;
  const connections: Connection[] = [];
  let closing = false;
  let stagingCreated = false;
  const warnings: string[] = [];
  const emit = (event: RunEvent) => options.onEvent?.(event);
  const warn = (message: string) => {
    warnings.push(message);
    emit({ type: "warning", message });
  };
  // An abort ends every connection, so a statement in flight fails at once.
  const onAbort = () => {
    for (const c of connections) c.client.end().catch(() => {});
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const ctx: RunContext = {
    options,
    runId,
    timeouts,
    parallelism: Math.max(1, options.parallelism ?? 4),
    stagingPrefix: `${STAGING_PREFIX}${runId}`,
    applicationName,
    signal: options.signal,
    emit,
    warn,
    warnings,
    fault: async (point) => {
      await options.faultHook?.(point);
    },
    async open(side) {
      let firstFailure = "";
      const c = await connect({
        url: side === "source" ? options.sourceUrl : options.destinationUrl,
        side,
        connectSeconds: timeouts.connectSeconds,
        applicationName,
        // Said as it happens: a server that is starting, or full, can take the whole connect timeout.
        onRetry: (retry) => {
          firstFailure ||= retry.reason;
          emit({
            type: "connect-retry",
            side,
            attempt: retry.attempt,
            elapsedSeconds: retry.elapsedSeconds,
            limitSeconds: timeouts.connectSeconds,
            reason: retry.reason,
          });
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      connections.push(c);
      // A cold start (a suspended compute waking) or a full server is worth knowing about, not failing on.
      if (c.attempts > 1)
        warn(`connected to the ${side} at attempt ${c.attempts} (the first attempt failed: ${firstFailure})`);
      // A connection that completes after the run already failed (a sibling connect was refused) is closed at once.
      if (closing) await c.close();
      return c;
    },
    markStagingCreated(created) {
      stagingCreated = created;
    },
    get stagingCreated() {
      return stagingCreated;
    },
    async closeAll() {
      options.signal?.removeEventListener("abort", onAbort);
      closing = true;
      for (const c of connections) await c.close();
    },
  };
  return ctx;
}

/**
 * The steps of a run on this context, each reported as an event when it ends; `step` runs one after
 * its fault point, and refuses to start it once the run was interrupted (`what` names the run in
 * that error: "run" or "restore").
 */
export function contextSteps(
  ctx: RunContext,
  what: "run" | "restore",
): { steps: StepRunner; step: <T>(name: StepName, fn: () => Promise<T>) => Promise<T> } {
  const steps = new StepRunner((report) => ctx.emit({ type: "step", report }));
  const throwIfAborted = () => {
    if (ctx.signal?.aborted) throw new PgsyncError("interrupted", `the ${what} was interrupted`);
  };
  const step = <T>(name: StepName, fn: () => Promise<T>): Promise<T> =>
    steps.run(name, async () => {
      throwIfAborted();
      await ctx.fault(`before:${name}`);
      throwIfAborted();
      return fn();
    });
  return { steps, step };
}
