import { describe, expect, it } from "vitest";
import { TaskLines } from "../../src/cli/task-lines.js";
import type { RunEvent } from "../../src/pipeline/run.js";

type TaskEvent = Extract<RunEvent, { type: "task" }>;

const part = (phase: TaskEvent["phase"], table: string, index: number, of: number): TaskEvent => ({
  type: "task",
  phase,
  kind: "load",
  table,
  object: `part ${index} of ${of} (id from ${index * 100})`,
});

/** The lines on screen, as the live view keeps them: made when a task starts, taken down when it ends. */
function screen(events: readonly TaskEvent[]): { made: string[]; shown: Set<string> } {
  const lines = new TaskLines<string>();
  const made: string[] = [];
  const shown = new Set<string>();
  for (const e of events) {
    if (e.phase === "started") {
      lines.started(e, () => {
        const line = `${e.kind} ${e.table ?? ""} ${e.object ?? ""} #${made.length}`;
        made.push(line);
        shown.add(line);
        return line;
      });
    } else {
      const gone = lines.finished(e);
      if (gone !== undefined) shown.delete(gone);
    }
  }
  return { made, shown };
}

describe("the lines of the live view", () => {
  it("show a split table on one line, from its first part's start to its last part's end", () => {
    const big = '"public"."big"';
    const starts = [1, 2, 3].map((i) => part("started", big, i, 3));
    const ends = [1, 2, 3].map((i) => part("finished", big, i, 3));
    expect(screen(starts).made).toHaveLength(1);
    expect(screen([...starts, ends[0] as TaskEvent, ends[1] as TaskEvent]).shown.size).toBe(1);
    expect(screen([...starts, ...ends]).shown.size).toBe(0);
    // Parts that do not overlap: the line goes with one and comes back with the next.
    const apart = screen([starts[0], ends[0], starts[1], ends[1]] as TaskEvent[]);
    expect(apart.made).toHaveLength(2);
    expect(apart.shown.size).toBe(0);
  });

  it("give every other task a line of its own", () => {
    const index = (phase: TaskEvent["phase"], object: string): TaskEvent => ({
      type: "task",
      phase,
      kind: "index",
      table: '"public"."big"',
      object,
    });
    const load = (phase: TaskEvent["phase"], table: string): TaskEvent => ({
      type: "task",
      phase,
      kind: "load",
      table,
    });
    const { made, shown } = screen([
      load("started", '"public"."a"'),
      load("started", '"public"."b"'),
      index("started", 'index "public"."big_x"'),
      index("started", 'index "public"."big_y"'),
      index("finished", 'index "public"."big_x"'),
      load("finished", '"public"."a"'),
    ]);
    expect(made).toHaveLength(4);
    expect([...shown]).toEqual(['load "public"."b"  #1', 'index "public"."big" index "public"."big_y" #3']);
  });
});
