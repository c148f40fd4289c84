import type { CatalogModel, Constraint, QualifiedName } from "../introspect/model.js";

/**
 * A child's valid CHECK that has the name of a parent's NOT VALID one (the child had it first; the
 * parent's was merged into it). Added after the load, the parent's would reach the child first, and
 * the child's own would then conflict with that NOT VALID copy: the child's is added right after its
 * table is created instead (its rows satisfy it, and COPY checks them), so the parent's merges into it.
 */
export function earlyChecks(model: CatalogModel): Map<number, Constraint[]> {
  const key = (o: QualifiedName) => `${o.schema}\u0000${o.name}`;
  const tables = new Map(model.tables.map((t) => [key(t), t]));
  const notValid = new Map<string, Set<string>>();
  for (const c of model.constraints) {
    if (c.kind !== "check" || !c.notValid) continue;
    const names = notValid.get(key(c.table)) ?? new Set<string>();
    names.add(c.name);
    notValid.set(key(c.table), names);
  }
  const early = new Map<number, Constraint[]>();
  if (notValid.size === 0) return early;
  const ancestors = (name: QualifiedName, seen = new Set<string>()): string[] => {
    const t = tables.get(key(name));
    if (!t || seen.has(key(name))) return [];
    seen.add(key(name));
    const parents = [...t.inherits, ...(t.partitionOf ? [t.partitionOf.parent] : [])];
    return parents.flatMap((p) => [key(p), ...ancestors(p, seen)]);
  };
  for (const c of model.constraints) {
    if (c.kind !== "check" || c.notValid) continue;
    if (!ancestors(c.table).some((a) => notValid.get(a)?.has(c.name))) continue;
    early.set(c.tableOid, [...(early.get(c.tableOid) ?? []), c]);
  }
  return early;
}
