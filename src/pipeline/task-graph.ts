/**
 * A small list scheduler for the load: tasks with prerequisites and table locks run on a fixed set of
 * workers (connection pairs). Whenever a worker is free it takes the ready task with the longest
 * estimated chain of work still behind it, so the critical path (the biggest table, its index builds,
 * the foreign keys that wait for them) starts first and short tasks fill the gaps.
 *
 * Locks mirror the destination's own: index builds on one table may run together (SHARE), anything
 * else on a table (a key, a foreign key, ANALYZE) runs alone. A task starts only when it can have all
 * its locks, so no worker ever sits blocked inside the server behind another worker.
 */

export type LockMode = "shared" | "exclusive";

export interface TableLock {
  readonly key: string;
  readonly mode: LockMode;
}

export interface GraphTask<W> {
  readonly id: string;
  /** Ids of tasks that must have finished first. */
  readonly after: readonly string[];
  readonly locks: readonly TableLock[];
  /** Estimated cost, in any unit shared by all tasks (bytes here): only its proportions matter. */
  readonly weight: number;
  readonly run: (worker: W) => Promise<void>;
}

/**
 * Runs every task on the workers. On the first failure no new task starts; the running ones finish
 * (or fail with their connections) and the first error is thrown.
 */
export async function runTaskGraph<W>(tasks: readonly GraphTask<W>[], workers: readonly W[]): Promise<void> {
  if (workers.length === 0) throw new Error("runTaskGraph: no workers");
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const t of tasks) {
    for (const a of t.after) if (!byId.has(a)) throw new Error(`task ${t.id} waits for unknown task ${a}`);
  }
  const rank = criticalPathRanks(tasks);
  const waiting = new Set(tasks.map((t) => t.id));
  const done = new Set<string>();
  const held = new Map<string, { mode: LockMode; count: number }>();
  const idle = [...workers];
  let running = 0;
  let failure: { error: unknown } | undefined;

  const lockable = (t: GraphTask<W>) =>
    t.locks.every((l) => {
      const h = held.get(l.key);
      return h === undefined || (h.mode === "shared" && l.mode === "shared");
    });
  const take = (t: GraphTask<W>) => {
    for (const l of t.locks) {
      const h = held.get(l.key);
      held.set(l.key, { mode: l.mode, count: (h?.count ?? 0) + 1 });
    }
  };
  const release = (t: GraphTask<W>) => {
    for (const l of t.locks) {
      const h = held.get(l.key);
      if (!h) continue;
      if (h.count <= 1) held.delete(l.key);
      else held.set(l.key, { mode: h.mode, count: h.count - 1 });
    }
  };

  await new Promise<void>((resolve) => {
    const pump = () => {
      while (failure === undefined && idle.length > 0) {
        const next = pick();
        if (!next) break;
        start(next, idle.pop() as W);
      }
      if (running === 0 && (failure !== undefined || waiting.size === 0 || pick() === undefined)) resolve();
    };
    const pick = (): GraphTask<W> | undefined => {
      let best: GraphTask<W> | undefined;
      for (const id of waiting) {
        const t = byId.get(id) as GraphTask<W>;
        if (!t.after.every((a) => done.has(a)) || !lockable(t)) continue;
        if (!best || (rank.get(t.id) ?? 0) > (rank.get(best.id) ?? 0)) best = t;
      }
      return best;
    };
    const start = (t: GraphTask<W>, worker: W) => {
      waiting.delete(t.id);
      take(t);
      running++;
      t.run(worker).then(
        () => {
          done.add(t.id);
          finish(t, worker);
        },
        (error: unknown) => {
          failure ??= { error };
          finish(t, worker);
        },
      );
    };
    const finish = (t: GraphTask<W>, worker: W) => {
      release(t);
      running--;
      idle.push(worker);
      pump();
    };
    pump();
  });
  if (failure) throw failure.error;
  if (waiting.size > 0) {
    // Only a cycle of prerequisites can leave tasks that never became ready.
    throw new Error(`tasks never became ready (a cycle of prerequisites): ${[...waiting].join(", ")}`);
  }
}

/** Each task's weight plus the heaviest chain of tasks that wait for it (its "bottom level"). */
function criticalPathRanks<W>(tasks: readonly GraphTask<W>[]): Map<string, number> {
  const followers = new Map<string, string[]>();
  for (const t of tasks) for (const a of t.after) followers.set(a, [...(followers.get(a) ?? []), t.id]);
  const weight = new Map(tasks.map((t) => [t.id, t.weight]));
  const rank = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = rank.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle: reported by runTaskGraph when nothing can start
    visiting.add(id);
    const tail = Math.max(0, ...(followers.get(id) ?? []).map(visit));
    visiting.delete(id);
    const r = (weight.get(id) ?? 0) + tail;
    rank.set(id, r);
    return r;
  };
  for (const t of tasks) visit(t.id);
  return rank;
}
