import { describe, expect, it } from "vitest";
import { COST, type ParallelBuilds, parallelBuilds, parallelWorkers } from "../../src/pipeline/load-costs.js";
import { type GraphTask, runTaskGraph, type TableLock } from "../../src/pipeline/task-graph.js";

/** A task that records when it starts and ends, and holds its worker until released. */
function recorder() {
  const log: string[] = [];
  const running = new Set<string>();
  let maxTogether = 0;
  const task = (
    id: string,
    options: {
      after?: string[];
      locks?: TableLock[];
      weight?: number;
      fail?: boolean;
      delayMs?: number;
    } = {},
  ): GraphTask<string> => ({
    id,
    after: options.after ?? [],
    locks: options.locks ?? [],
    weight: options.weight ?? 1,
    run: async (worker) => {
      log.push(`start ${id} on ${worker}`);
      running.add(id);
      maxTogether = Math.max(maxTogether, running.size);
      await new Promise((r) => setTimeout(r, options.delayMs ?? 5));
      running.delete(id);
      log.push(`end ${id}`);
      if (options.fail) throw new Error(`${id} failed`);
    },
  });
  return {
    log,
    task,
    together: () => maxTogether,
    startOrder: () => log.filter((l) => l.startsWith("start")),
  };
}

const shared = (key: string): TableLock => ({ key, mode: "shared" });
const exclusive = (key: string): TableLock => ({ key, mode: "exclusive" });

describe("the load's task graph", () => {
  it("starts a task only after its prerequisites have ended", async () => {
    const r = recorder();
    await runTaskGraph(
      [r.task("build", { after: ["load"] }), r.task("fk", { after: ["build", "load"] }), r.task("load")],
      ["w1", "w2"],
    );
    const started = (id: string) => r.log.findIndex((l) => l.startsWith(`start ${id} `));
    const ended = (id: string) => r.log.indexOf(`end ${id}`);
    expect(started("build")).toBeGreaterThan(ended("load"));
    expect(started("fk")).toBeGreaterThan(ended("build"));
    expect(r.log.filter((l) => l.startsWith("end"))).toHaveLength(3);
  });

  it("counts a prerequisite named twice once, and runs thousands of tasks", async () => {
    const r = recorder();
    const many = Array.from({ length: 3000 }, (_, i) =>
      r.task(`t${i}`, { after: i > 0 ? [`t${i - 1}`] : [], delayMs: 0 }),
    );
    await runTaskGraph([...many, r.task("last", { after: ["t2999", "t2999"] })], ["w1", "w2"]);
    expect(r.log.at(-1)).toBe("end last");
    expect(r.log.filter((l) => l.startsWith("end"))).toHaveLength(3001);
  });

  it("runs shared locks on one table together, and an exclusive one alone", async () => {
    const together = recorder();
    await runTaskGraph(
      [together.task("i1", { locks: [shared("t")] }), together.task("i2", { locks: [shared("t")] })],
      ["w1", "w2"],
    );
    expect(together.together()).toBe(2);

    const alone = recorder();
    await runTaskGraph(
      [alone.task("key", { locks: [exclusive("t")] }), alone.task("i1", { locks: [shared("t")] })],
      ["w1", "w2"],
    );
    expect(alone.together()).toBe(1);
    // A free worker takes other work instead of waiting for the lock.
    const other = recorder();
    await runTaskGraph(
      [
        other.task("key", { locks: [exclusive("t")], weight: 10 }),
        other.task("i1", { locks: [shared("t")], weight: 5 }),
        other.task("u", { locks: [exclusive("u")], weight: 1 }),
      ],
      ["w1", "w2"],
    );
    expect(other.startOrder().map((l) => l.split(" ")[1])).toEqual(["key", "u", "i1"]);
  });

  it("starts the longest chain of remaining work first", async () => {
    const r = recorder();
    await runTaskGraph(
      [
        r.task("small", { weight: 5 }),
        r.task("big-load", { weight: 3 }),
        r.task("big-index", { after: ["big-load"], weight: 4 }),
      ],
      ["w1"],
    );
    // big-load is lighter than small, but 3 + 4 of work hangs on it; then small (5) outweighs big-index (4).
    expect(r.startOrder().map((l) => l.split(" ")[1])).toEqual(["big-load", "small", "big-index"]);
  });

  it("after a failure starts nothing new, lets running tasks end, and throws the first error", async () => {
    const r = recorder();
    await expect(
      runTaskGraph(
        [
          r.task("a", { fail: true, weight: 10 }),
          r.task("b", { weight: 9 }),
          r.task("c", { after: ["b"], weight: 1 }),
          r.task("d", { weight: 1 }),
        ],
        ["w1", "w2"],
      ),
    ).rejects.toThrow("a failed");
    expect(r.log).toContain("end b");
    expect(r.log.some((l) => l.startsWith("start c") || l.startsWith("start d"))).toBe(false);
  });

  it("names the tasks of a cycle of prerequisites instead of hanging", async () => {
    const r = recorder();
    await expect(
      runTaskGraph([r.task("x", { after: ["y"] }), r.task("y", { after: ["x"] }), r.task("z")], ["w1"]),
    ).rejects.toThrow(/wait for each other .*: (x, y|y, x)/);
    expect(r.log).toEqual(["start z on w1", "end z"]);
  });
});

describe("parallel workers for the critical-path build", () => {
  it("gets none while the other workers have enough beside it, else the idle workers, at least one", () => {
    expect(parallelWorkers({ workers: 2, idle: 0, weight: 10, beside: 50 })).toBe(0);
    // The work beside it ends before it does: a core would go idle.
    expect(parallelWorkers({ workers: 2, idle: 0, weight: 10, beside: 4 })).toBe(1);
    expect(parallelWorkers({ workers: 4, idle: 2, weight: 10, beside: 500 })).toBe(2);
    expect(parallelWorkers({ workers: 4, idle: 7, weight: 10, beside: 0 })).toBe(3);
    expect(parallelWorkers({ workers: 1, idle: 0, weight: 10, beside: 0 })).toBe(0);
  });

  it("counts as beside a build only the unfinished work that does not wait for it", async () => {
    const seen: Record<string, number> = {};
    const parallel: ParallelBuilds = { candidates: new Set(["gin"]) };
    let running = 0;
    const task = (id: string, weight: number, after: string[] = []): GraphTask<string> => ({
      id,
      after,
      locks: [],
      weight,
      run: async () => {
        running++;
        // As a build does: decide once the scheduler has handed out what it can start now.
        await Promise.resolve();
        if (parallel.candidates.has(id)) seen[id] = parallel.workersFor?.(id) ?? -1;
        await new Promise((r) => setTimeout(r, id === "gin" ? 20 : 5));
        running--;
      },
    });
    const pool = { workers: 2, idle: () => 2 - running };
    // The GIN (12) against 3 of other work beside it; the foreign key (40) waits for it, so it does not count.
    const short = parallelBuilds(
      [task("gin", 12), task("btree", 3), task("fk", 40, ["gin"])],
      parallel,
      pool,
    );
    await runTaskGraph(short, ["w1", "w2"]);
    expect(seen.gin).toBe(1);

    const busy: ParallelBuilds = { candidates: new Set(["gin"]) };
    parallel.candidates.clear();
    // Every worker busy, and 60 of other work for the other worker: the build stays single-process.
    parallelBuilds([task("gin", 12), task("other", 30), task("more", 30)], busy, {
      workers: 2,
      idle: () => 0,
    });
    expect(busy.workersFor?.("gin")).toBe(0);
  });

  it("ranks a GIN build above the B-tree builds of the same table, and both below its COPY", () => {
    expect(COST.gin).toBeGreaterThan(COST.btree);
    expect(COST.btree).toBeLessThan(COST.load);
    expect(COST.attach).toBeLessThan(COST.check);
  });
});
