import { PgsyncError } from "../errors.js";
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

/** What a task of the load does (for progress: the scheduler itself only reads ids, locks and weights). */
export type TaskKind = "load" | "keys" | "index" | "foreign key" | "analyze" | "large objects";

export interface GraphTask<W> {
  readonly id: string;
  readonly kind?: TaskKind;
  /** The table it works on, as reported (`"public"."users"`). */
  readonly table?: string;
  /** The object it builds, when that is not the table itself (an index, a foreign key). */
  readonly object?: string;
  /** Ids of tasks that must have finished first. */
  readonly after: readonly string[];
  readonly locks: readonly TableLock[];
  /** Estimated cost, in any unit shared by all tasks (bytes here): only its proportions matter. */
  readonly weight: number;
  readonly run: (worker: W) => Promise<void>;
}

/** Told as each task starts and ends (a run's progress events). */
export interface TaskObserver<W> {
  started?(task: GraphTask<W>): void;
  finished?(task: GraphTask<W>, outcome: { readonly ok: boolean; readonly seconds: number }): void;
}

/**
 * Runs every task on the workers. On the first failure no new task starts; the running ones finish
 * (or fail with their connections) and the first error is thrown.
 */
export async function runTaskGraph<W>(
  tasks: readonly GraphTask<W>[],
  workers: readonly W[],
  observer: TaskObserver<W> = {},
): Promise<void> {
  if (workers.length === 0) throw new PgsyncError("internal", "the load has no worker connection to run on");
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const followers = followersOf(tasks, byId);
  const rank = criticalPathRanks(tasks, followers);
  // Prerequisites still running or waiting, per task; a task is ready when it has none left.
  const pending = new Map(tasks.map((t) => [t.id, new Set(t.after).size]));
  // Ready tasks, heaviest chain first (ties: the one that became ready first). A ready task whose
  // table another task holds waits under that lock and comes back when it is released, so picking
  // the next task never rescans the whole ready list (a 10,000-table load has 40,000 tasks).
  const ready = new ReadyQueue<GraphTask<W>>((t) => rank.get(t.id) ?? 0);
  for (const t of tasks) if (pending.get(t.id) === 0) ready.push(t);
  const waitingFor = new Map<string, GraphTask<W>[]>();
  const held = new Map<string, { mode: LockMode; count: number }>();
  const idle = [...workers];
  let running = 0;
  let finished = 0;
  let failure: { error: unknown } | undefined;

  /** The first lock of the task that another running task's lock excludes. */
  const blockedBy = (t: GraphTask<W>) =>
    t.locks.find((l) => {
      const h = held.get(l.key);
      return h !== undefined && !(h.mode === "shared" && l.mode === "shared");
    });
  const take = (t: GraphTask<W>, sign: 1 | -1) => {
    for (const l of t.locks) {
      const count = (held.get(l.key)?.count ?? 0) + sign;
      if (count === 0) {
        held.delete(l.key);
        // Whoever waited for this table may start now (or wait again, for another of its locks).
        for (const w of waitingFor.get(l.key) ?? []) ready.push(w);
        waitingFor.delete(l.key);
      } else held.set(l.key, { mode: l.mode, count });
    }
  };

  await new Promise<void>((resolve) => {
    const pump = () => {
      while (failure === undefined && idle.length > 0) {
        const next = ready.pop();
        if (next === undefined) break;
        const lock = blockedBy(next);
        if (lock) {
          const list = waitingFor.get(lock.key);
          if (list) list.push(next);
          else waitingFor.set(lock.key, [next]);
          continue;
        }
        start(next, idle.pop() as W);
      }
      // Nothing running and nothing startable: done, failed, or stuck on a cycle (reported below).
      if (running === 0) resolve();
    };
    const start = (t: GraphTask<W>, worker: W) => {
      take(t, 1);
      running++;
      const began = performance.now();
      const seconds = () => Math.round(performance.now() - began) / 1000;
      observer.started?.(t);
      t.run(worker).then(
        () => {
          finished++;
          observer.finished?.(t, { ok: true, seconds: seconds() });
          for (const f of followers.get(t.id) ?? []) {
            const left = (pending.get(f.id) ?? 0) - 1;
            pending.set(f.id, left);
            if (left === 0) ready.push(f);
          }
          end(t, worker);
        },
        (error: unknown) => {
          failure ??= { error };
          observer.finished?.(t, { ok: false, seconds: seconds() });
          end(t, worker);
        },
      );
    };
    const end = (t: GraphTask<W>, worker: W) => {
      take(t, -1);
      running--;
      idle.push(worker);
      pump();
    };
    pump();
  });
  if (failure) throw failure.error;
  if (finished < tasks.length) {
    // Only a cycle of prerequisites can leave tasks that never became ready.
    const stuck = tasks.filter((t) => (pending.get(t.id) ?? 0) > 0).map((t) => t.id);
    throw new PgsyncError(
      "internal",
      `the load cannot go on: these tasks wait for each other (a cycle of prerequisites): ${stuck.join(", ")}`,
    );
  }
}

/**
 * A binary heap of ready tasks: the highest rank first, and among equal ranks the one pushed first
 * (so the order is the same from run to run).
 */
class ReadyQueue<T> {
  private readonly heap: { item: T; rank: number; seq: number }[] = [];
  private seq = 0;

  constructor(private readonly rankOf: (item: T) => number) {}

  push(item: T): void {
    const heap = this.heap;
    heap.push({ item, rank: this.rankOf(item), seq: this.seq++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): T | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as (typeof heap)[number];
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < heap.length && this.before(l, best)) best = l;
        if (r < heap.length && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top.item;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a] as { rank: number; seq: number };
    const y = this.heap[b] as { rank: number; seq: number };
    return x.rank > y.rank || (x.rank === y.rank && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    [heap[a], heap[b]] = [heap[b] as (typeof heap)[number], heap[a] as (typeof heap)[number]];
  }
}

function followersOf<W>(
  tasks: readonly GraphTask<W>[],
  byId: ReadonlyMap<string, GraphTask<W>>,
): Map<string, GraphTask<W>[]> {
  const followers = new Map<string, GraphTask<W>[]>();
  for (const t of tasks) {
    for (const a of new Set(t.after)) {
      if (!byId.has(a))
        throw new PgsyncError("internal", `load task ${t.id} waits for a task that does not exist: ${a}`);
      const list = followers.get(a);
      if (list) list.push(t);
      else followers.set(a, [t]);
    }
  }
  return followers;
}

/**
 * Each task's weight plus the heaviest chain of tasks that wait for it (its "bottom level"),
 * computed without recursion (in reverse topological order), so a long chain cannot overflow the stack.
 */
function criticalPathRanks<W>(
  tasks: readonly GraphTask<W>[],
  followers: ReadonlyMap<string, readonly GraphTask<W>[]>,
): Map<string, number> {
  const waitingFor = new Map(tasks.map((t) => [t.id, new Set(t.after).size]));
  const order = tasks.filter((t) => waitingFor.get(t.id) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const f of followers.get((order[i] as GraphTask<W>).id) ?? []) {
      const left = (waitingFor.get(f.id) ?? 0) - 1;
      waitingFor.set(f.id, left);
      if (left === 0) order.push(f);
    }
  }
  const rank = new Map<string, number>();
  // Tasks on a cycle never reach the order; they keep their own weight (runTaskGraph reports them).
  for (const t of tasks) rank.set(t.id, t.weight);
  for (const t of order.reverse()) {
    let tail = 0;
    for (const f of followers.get(t.id) ?? []) tail = Math.max(tail, rank.get(f.id) ?? 0);
    rank.set(t.id, t.weight + tail);
  }
  return rank;
}
