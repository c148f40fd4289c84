/**
 * Dependency order: every item comes after the items it depends on. Ties keep the given order
 * (which lists types before functions before tables before views). A cycle is broken by emitting
 * the first remaining item in that order, so the plan always completes; the statement that then
 * fails names the object.
 */
export function dependencyOrder<T>(
  items: readonly T[],
  key: (item: T) => string,
  dependsOn: ReadonlyMap<string, ReadonlySet<string>>,
): T[] {
  const present = new Set(items.map(key));
  const done = new Set<string>();
  const out: T[] = [];
  const remaining = [...items];
  while (remaining.length > 0) {
    let index = remaining.findIndex((item) => {
      const deps = dependsOn.get(key(item));
      if (!deps) return true;
      for (const d of deps) if (d !== key(item) && present.has(d) && !done.has(d)) return false;
      return true;
    });
    if (index === -1) index = 0;
    const [next] = remaining.splice(index, 1) as [T];
    done.add(key(next));
    out.push(next);
  }
  return out;
}
