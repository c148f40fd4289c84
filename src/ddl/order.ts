/**
 * A topological sort of DDL items over their dependencies, as pg_dump's sort does: Kahn's algorithm,
 * where among the items whose dependencies are all emitted the one with the lowest rank (its kind's
 * priority), then name, then key, comes first. The order is therefore the same for two databases
 * with the same schema, whatever their OIDs. What cannot be emitted is left over; its strongly
 * connected sets (Tarjan's algorithm) are the loops, which the caller breaks and sorts again.
 */

export interface SortNode {
  /** Unique among the nodes. */
  readonly key: string;
  /** The kind's priority: lower first among the nodes that are ready. */
  readonly rank: number;
  /** A stable name (the object's qualified name), the tie-break within a rank. */
  readonly name: string;
}

export interface SortResult<T> {
  /** Every node whose dependencies could all be emitted, each after them. */
  readonly ordered: T[];
  /** The loops among the rest: each a set of nodes that reach one another, sorted by rank and name. */
  readonly loops: T[][];
}

/**
 * Sorts `nodes`; `dependsOn(node)` names the keys it needs before it. Keys that are not among the
 * nodes (objects created in another phase, or not by the plan) and a node's own key are ignored.
 */
export function dependencyOrder<T extends SortNode>(
  nodes: readonly T[],
  dependsOn: (node: T) => Iterable<string>,
): SortResult<T> {
  const index = new Map<string, number>(nodes.map((n, i) => [n.key, i]));
  const needs: number[][] = nodes.map(() => []);
  const dependents: number[][] = nodes.map(() => []);
  const waiting = new Array<number>(nodes.length).fill(0);
  nodes.forEach((node, i) => {
    const seen = new Set<number>();
    for (const key of dependsOn(node)) {
      const j = index.get(key);
      if (j === undefined || j === i || seen.has(j)) continue;
      seen.add(j);
      needs[i]?.push(j);
      dependents[j]?.push(i);
      waiting[i] = (waiting[i] ?? 0) + 1;
    }
  });

  const before = (a: number, b: number) => compareNodes(nodes[a] as T, nodes[b] as T) < 0;
  const ready = new Heap(before);
  waiting.forEach((w, i) => {
    if (w === 0) ready.push(i);
  });
  const ordered: T[] = [];
  const emitted = new Array<boolean>(nodes.length).fill(false);
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    emitted[next] = true;
    ordered.push(nodes[next] as T);
    for (const d of dependents[next] ?? []) {
      waiting[d] = (waiting[d] ?? 0) - 1;
      if (waiting[d] === 0) ready.push(d);
    }
  }
  if (ordered.length === nodes.length) return { ordered, loops: [] };
  const left = nodes.map((_, i) => i).filter((i) => !emitted[i]);
  const loops = stronglyConnected(left, (i) => (needs[i] ?? []).filter((j) => !emitted[j]))
    .filter((set) => set.length > 1)
    .map((set) => set.map((i) => nodes[i] as T).sort(compareNodes))
    .sort((a, b) => compareNodes(a[0] as T, b[0] as T));
  return { ordered, loops };
}

export function compareNodes(a: SortNode, b: SortNode): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Tarjan's strongly connected components, without recursion (a chain of thousands of views would
 * overflow the stack).
 */
function stronglyConnected(vertices: readonly number[], edges: (v: number) => readonly number[]): number[][] {
  const order = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (const root of vertices) {
    if (order.has(root)) continue;
    const frames: { v: number; next: number; out: readonly number[] }[] = [];
    const enter = (v: number) => {
      order.set(v, counter);
      low.set(v, counter);
      counter++;
      stack.push(v);
      onStack.add(v);
      frames.push({ v, next: 0, out: edges(v) });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as (typeof frames)[number];
      if (frame.next < frame.out.length) {
        const w = frame.out[frame.next++] as number;
        if (!order.has(w)) enter(w);
        else if (onStack.has(w)) low.set(frame.v, Math.min(low.get(frame.v) ?? 0, order.get(w) ?? 0));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v) ?? 0, low.get(frame.v) ?? 0));
      if (low.get(frame.v) === order.get(frame.v)) {
        const component: number[] = [];
        for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
          onStack.delete(w);
          component.push(w);
          if (w === frame.v) break;
        }
        components.push(component);
      }
    }
  }
  return components;
}

/** A binary min-heap of indexes, ordered by `before`. */
class Heap {
  private readonly items: number[] = [];
  constructor(private readonly before: (a: number, b: number) => boolean) {}

  push(item: number): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i] as number, items[parent] as number)) break;
      [items[i], items[parent]] = [items[parent] as number, items[i] as number];
      i = parent;
    }
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < items.length && this.before(items[l] as number, items[least] as number)) least = l;
      if (r < items.length && this.before(items[r] as number, items[least] as number)) least = r;
      if (least === i) break;
      [items[i], items[least]] = [items[least] as number, items[i] as number];
      i = least;
    }
    return top;
  }
}
