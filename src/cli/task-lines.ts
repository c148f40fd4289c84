import type { RunEvent } from "../pipeline/run.js";

type TaskEvent = Extract<RunEvent, { type: "task" }>;

/**
 * Which line of the live view each running task of the load is shown on. A table's COPY has one
 * line, whichever part of it a task loads: the run reports a split table's bytes as the sum of its
 * parts, under the table's name (src/pipeline/load-parts.ts), so a line per part would show the
 * whole table's progress several times. The line comes with the first part to start and goes with
 * the last to end; every other task (a key, an index build, a foreign key) has a line of its own.
 */
export class TaskLines<L> {
  private readonly lines = new Map<string, { readonly line: L; running: number }>();

  /** A task started: its line is made with `create`, unless another part of its table shows it. */
  started(e: TaskEvent, create: () => L): void {
    const key = lineKey(e);
    const shown = this.lines.get(key);
    if (shown) shown.running++;
    else this.lines.set(key, { line: create(), running: 1 });
  }

  /** A task ended: the line to take down, once no task on it runs any more. */
  finished(e: TaskEvent): L | undefined {
    const key = lineKey(e);
    const shown = this.lines.get(key);
    if (!shown || --shown.running > 0) return undefined;
    this.lines.delete(key);
    return shown.line;
  }

  clear(): void {
    this.lines.clear();
  }
}

function lineKey(e: TaskEvent): string {
  if (e.kind === "load" && e.table) return `load\u0000${e.table}`;
  return `${e.kind}\u0000${e.table ?? ""}\u0000${e.object ?? ""}`;
}
