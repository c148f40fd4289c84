import type { SyncPlan, TablePlan } from "../ddl/plan.js";
import { qualify } from "../sql/quote.js";
import type { GraphTask } from "./task-graph.js";

/**
 * A table whose COPY or builds evaluate a function that reads other tables (TablePlan.waitsFor)
 * starts them once those tables are loaded: its load waits for what generated columns and domain
 * checks read, its index builds and keys for what its CHECKs and index expressions read.
 */
export function withBodyWaits<W>(tasks: GraphTask<W>[], plan: SyncPlan): GraphTask<W>[] {
  const name = (t: TablePlan) => qualify(t.table.schema, t.table.name);
  const byOid = new Map(plan.tables.map((t) => [t.table.oid, name(t)]));
  const loads = new Map<string, string[]>();
  for (const task of tasks) {
    if (task.kind !== "load" || task.table === undefined) continue;
    loads.set(task.table, [...(loads.get(task.table) ?? []), task.id]);
  }
  const loadsOf = (oids: readonly number[]) => oids.flatMap((oid) => loads.get(byOid.get(oid) ?? "") ?? []);
  const waits = new Map<string, { load: string[]; builds: string[] }>();
  for (const t of plan.tables) {
    if (!t.waitsFor) continue;
    const load = loadsOf(t.waitsFor.load);
    waits.set(name(t), { load, builds: [...load, ...loadsOf(t.waitsFor.builds)] });
  }
  if (waits.size === 0) return tasks;
  return tasks.map((task) => {
    const wait = task.table === undefined ? undefined : waits.get(task.table);
    const extra = !wait
      ? []
      : task.kind === "load"
        ? wait.load
        : task.kind === "index" || task.kind === "keys"
          ? wait.builds
          : [];
    return extra.length > 0 ? { ...task, after: [...new Set([...task.after, ...extra])] } : task;
  });
}
