import { commitInDoubt, connectionLoss, errorSide } from "../db/lost-connection.js";
import { errorMessage, PgsyncError } from "../errors.js";

/** The steps of a run, in order. docs/design.md lists them; fault-injection tests iterate over them. */
export const RUN_STEPS = [
  "connect",
  "guard",
  "lock",
  "clean-leftovers",
  "snapshot-source",
  "introspect",
  "plan",
  "create-staging",
  "copy-data",
  "post-data",
  "verify",
  "analyze",
  "cutover",
  "prune",
] as const;
export type StepName = (typeof RUN_STEPS)[number];

/**
 * Where a test can inject a fault: the start of every step; inside create-staging, a connection's
 * first transaction of a concurrent block committed (the others still creating); inside the copy, the middle of a table's
 * COPY stream, a table loaded and committed (its keys and indexes not built yet), and its index
 * builds; inside the cut-over transaction, with every lock taken, with the live objects moved into
 * the snapshot (the staged ones not moved in yet), and just before COMMIT.
 */
export const FAULT_POINTS = [
  ...RUN_STEPS.map((s) => `before:${s}` as const),
  "staging:part-committed",
  "copy:mid-stream",
  "copy:table-loaded",
  "copy:index-build",
  "copy:foreign-key",
  "cutover:locked",
  "cutover:moved-out",
  "cutover:before-commit",
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export type StepStatus = "done" | "failed" | "not run";

export interface StepReport {
  readonly name: StepName | "cleanup";
  readonly status: StepStatus;
  readonly seconds: number;
  readonly error?: string;
}

/**
 * Runs steps in order and records each outcome, so a failed run reports which steps were done,
 * which one failed and which never ran.
 */
export class StepRunner {
  readonly reports: StepReport[] = [];
  private failed = false;

  constructor(private readonly onStep?: (report: StepReport) => void) {}

  async run<T>(name: StepName | "cleanup", fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await fn();
      this.record({ name, status: "done", seconds: elapsed(started) });
      return result;
    } catch (caught) {
      const error = lostConnectionError(caught, name) ?? caught;
      this.failed = true;
      this.record({ name, status: "failed", seconds: elapsed(started), error: errorMessage(error) });
      throw error;
    }
  }

  /**
   * Runs a step whose failure does not fail the run (its work can be redone later): the failure is
   * recorded in the step list and returned as a message.
   */
  async runOptional(name: StepName, fn: () => Promise<void>): Promise<string | undefined> {
    const started = performance.now();
    try {
      await fn();
      this.record({ name, status: "done", seconds: elapsed(started) });
      return undefined;
    } catch (caught) {
      const message = errorMessage(lostConnectionError(caught, name) ?? caught);
      this.record({ name, status: "failed", seconds: elapsed(started), error: message });
      return message;
    }
  }

  /** Marks every step that has no report yet as not run. */
  finish(): void {
    const seen = new Set(this.reports.map((r) => r.name));
    for (const name of RUN_STEPS)
      if (!seen.has(name)) this.reports.push({ name, status: "not run", seconds: 0 });
    const order = new Map<string, number>(RUN_STEPS.map((n, i) => [n, i]));
    this.reports.sort((a, b) => (order.get(a.name) ?? 99) - (order.get(b.name) ?? 99));
  }

  get anyFailed(): boolean {
    return this.failed;
  }

  private record(report: StepReport) {
    this.reports.push(report);
    this.onStep?.(report);
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started) / 1000;
}

/**
 * A lost connection, said the way an operator needs it: which side, in which step, and what state
 * the destination is in (node-postgres only says "Connection terminated unexpectedly"). Undefined
 * when the error is not a lost connection.
 */
export function lostConnectionError(error: unknown, step: StepName | "cleanup"): PgsyncError | undefined {
  const loss = connectionLoss(error);
  if (!loss) return undefined;
  const side = errorSide(error);
  const who = side ? `the connection to the ${side}` : "a connection (to a side that is not known)";
  // What failed stays in the message (the query or object it names), after the side, step and state.
  const what = error instanceof PgsyncError ? errorMessage(error) : loss.message;
  const context = error instanceof PgsyncError ? error.context : {};
  return new PgsyncError(
    "connection",
    `lost ${who} during step ${step}; ${stateAfterLoss(step, commitInDoubt(error))} (${what})`,
    { ...context, ...(side ? { side } : {}) },
    { cause: error },
  );
}

/** What a failure in this step leaves on the destination, as far as it can be known. */
export function stateAfterLoss(step: StepName | "cleanup", inDoubtCommit = false): string {
  switch (step) {
    case "connect":
    case "guard":
    case "lock":
    case "snapshot-source":
    case "introspect":
    case "plan":
      return "nothing was written to the destination";
    case "clean-leftovers":
      return "the synced schemas were not touched (staging left by an earlier run that is not dropped yet is dropped by the next run)";
    case "cutover":
      return inDoubtCommit
        ? "the cut-over's COMMIT was in flight, so whether it took effect is not known: `pgsync-ts snapshots` lists this run's snapshot if it did (the new state is then live); otherwise the synced schemas keep their previous state"
        : "the cut-over transaction was rolled back: the synced schemas keep their previous state; this run's staging schemas are dropped, or left for the next run to drop";
    case "prune":
      return "the new state is live; the next run retries the pruning";
    case "cleanup":
      return "the synced schemas keep their previous state; this run's staging schemas are left for the next run to drop";
    default:
      return "the synced schemas keep their previous state; this run's staging schemas are dropped, or left for the next run to drop";
  }
}
