import type { CatalogModel, QualifiedName } from "../introspect/model.js";
import { qualify } from "../sql/quote.js";
import type { Refusal } from "./version-rules.js";

export interface TableSelection {
  /** Only these tables ("schema.table") and the tables of `includeSchemas`; every table when both are absent. */
  readonly includeTables?: readonly string[];
  readonly includeSchemas?: readonly string[];
  /** These tables ("schema.table") are left out, with their partitions and inheritance children. */
  readonly excludeTables?: readonly string[];
}

/**
 * Narrows the model to the selected tables. What belongs to a left-out table (its keys, indexes,
 * triggers, policies, owned sequences, comments) goes with it. What a kept object needs from a
 * left-out table (a foreign key, a view over it) cannot be carried: it is refused, by name.
 */
export function selectTables(
  model: CatalogModel,
  selection: TableSelection,
): { model: CatalogModel; refusals: Refusal[] } {
  const name = (t: QualifiedName) => `${t.schema}.${t.name}`;
  const included = (t: QualifiedName) =>
    (!selection.includeTables && !selection.includeSchemas) ||
    selection.includeTables?.includes(name(t)) ||
    selection.includeSchemas?.includes(t.schema);
  const excluded = new Set(
    model.tables.filter((t) => !included(t) || selection.excludeTables?.includes(name(t))).map((t) => t.oid),
  );
  if (excluded.size === 0) return { model, refusals: [] };
  // Partitions and children go with their parent.
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of model.tables) {
      const parents = [...t.inherits, ...(t.partitionOf ? [t.partitionOf.parent] : [])];
      const parentOut = parents.some((p) =>
        model.tables.some((x) => excluded.has(x.oid) && x.schema === p.schema && x.name === p.name),
      );
      if (parentOut && !excluded.has(t.oid)) {
        excluded.add(t.oid);
        grew = true;
      }
    }
  }
  const out = (oid: number) => excluded.has(oid);
  const outKeys = new Set([...excluded].map((oid) => `pg_class:${oid}`));
  const refusals: Refusal[] = [];
  const tableName = (oid: number) => {
    const t = model.tables.find((x) => x.oid === oid);
    return t ? qualify(t.schema, t.name) : `relation ${oid}`;
  };
  for (const c of model.constraints) {
    if (
      c.kind === "foreign key" &&
      c.referencedTableOid !== undefined &&
      out(c.referencedTableOid) &&
      !out(c.tableOid)
    ) {
      refusals.push({
        object: `constraint "${c.name}" on ${qualify(c.table.schema, c.table.name)}`,
        reason: `it references ${tableName(c.referencedTableOid)}, which the selection leaves out`,
      });
    }
  }
  for (const v of model.views) {
    for (const d of model.dependencies) {
      if (d.dependent === `pg_class:${v.oid}` && outKeys.has(d.referenced)) {
        refusals.push({
          object: `view ${qualify(v.schema, v.name)}`,
          reason: `it reads ${tableName(Number(d.referenced.split(":")[1]))}, which the selection leaves out`,
        });
      }
    }
  }
  const keptTables = model.tables.filter((t) => !out(t.oid));
  const ownedByOut = (s: { ownedBy?: { table: QualifiedName } }) =>
    s.ownedBy !== undefined &&
    !keptTables.some((t) => t.schema === s.ownedBy?.table.schema && t.name === s.ownedBy.table.name);
  const outObjects = new Set<string>([
    ...outKeys,
    ...model.constraints.filter((c) => out(c.tableOid)).map((c) => `pg_constraint:${c.oid}`),
    ...model.indexes.filter((i) => out(i.tableOid)).map((i) => `pg_class:${i.oid}`),
    ...model.triggers.filter((t) => out(t.tableOid)).map((t) => `pg_trigger:${t.oid}`),
    ...model.policies.filter((p) => out(p.tableOid)).map((p) => `pg_policy:${p.oid}`),
  ]);
  return {
    model: {
      ...model,
      tables: keptTables,
      constraints: model.constraints.filter((c) => !out(c.tableOid)),
      indexes: model.indexes.filter((i) => !out(i.tableOid)),
      triggers: model.triggers.filter((t) => !out(t.tableOid)),
      policies: model.policies.filter((p) => !out(p.tableOid)),
      sequences: model.sequences.filter((s) => !ownedByOut(s)),
      comments: model.comments.filter((c) => !outObjects.has(c.target)),
    },
    refusals,
  };
}
