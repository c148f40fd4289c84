import type {
  BaseType,
  CatalogModel,
  Constraint,
  ForeignTable,
  Index,
  QualifiedName,
  Table,
  View,
} from "../../introspect/model.js";
import { stagedKey } from "../render/context.js";

/**
 * The model indexed once by OID and by name, so that planning 10,000 tables never scans every
 * constraint, index or table once per table.
 */
export interface ModelIndex {
  readonly tableByOid: ReadonlyMap<number, Table>;
  readonly foreignTableByOid: ReadonlyMap<number, ForeignTable>;
  readonly viewByOid: ReadonlyMap<number, View>;
  readonly baseTypeByOid: ReadonlyMap<number, BaseType>;
  /** pg_class OID of a table or foreign table, by (schema, name). */
  relationOid(name: QualifiedName): number | undefined;
  constraintsOf(relationOid: number): readonly Constraint[];
  indexesOf(relationOid: number): readonly Index[];
  /** Tables with partitions or inheritance children that are tables (rows loaded into them). */
  readonly parents: ReadonlySet<number>;
  /** Tables with statistics objects defined on them. */
  readonly withStatistics: ReadonlySet<number>;
}

export function indexModel(model: CatalogModel): ModelIndex {
  const byName = new Map<string, number>();
  for (const r of [...model.tables, ...model.foreignTables]) byName.set(stagedKey(r.schema, r.name), r.oid);
  const relationOid = (name: QualifiedName) => byName.get(stagedKey(name.schema, name.name));
  const parents = new Set<number>();
  for (const t of model.tables) {
    for (const p of parentsOf(t)) {
      const oid = relationOid(p);
      if (oid !== undefined) parents.add(oid);
    }
  }
  const constraints = groupBy(model.constraints, (c) => c.tableOid);
  const indexes = groupBy(model.indexes, (i) => i.tableOid);
  return {
    tableByOid: new Map(model.tables.map((t) => [t.oid, t])),
    foreignTableByOid: new Map(model.foreignTables.map((f) => [f.oid, f])),
    viewByOid: new Map(model.views.map((v) => [v.oid, v])),
    baseTypeByOid: new Map((model.baseTypes ?? []).map((t) => [t.oid, t])),
    relationOid,
    constraintsOf: (oid) => constraints.get(oid) ?? [],
    indexesOf: (oid) => indexes.get(oid) ?? [],
    parents,
    withStatistics: new Set(model.statistics.map((s) => s.tableOid)),
  };
}

/** A partition's parent and an inheritance child's parents. */
export function parentsOf(t: {
  readonly inherits: readonly QualifiedName[];
  readonly partitionOf?: { readonly parent: QualifiedName };
}): QualifiedName[] {
  return [...t.inherits, ...(t.partitionOf ? [t.partitionOf.parent] : [])];
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
