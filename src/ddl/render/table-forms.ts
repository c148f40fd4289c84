import type { CatalogModel, Column, QualifiedName, Sequence, Table } from "../../introspect/model.js";

/** What a table's renderer may look up: its parents, and its identity sequences. */
export interface TableLookup {
  table(name: QualifiedName): Table | undefined;
  sequence(name: QualifiedName): Sequence | undefined;
}

export const NO_LOOKUP: TableLookup = { table: () => undefined, sequence: () => undefined };

export function tableLookup(model: Pick<CatalogModel, "tables" | "sequences">): TableLookup {
  const key = (o: QualifiedName) => `${o.schema}\u0000${o.name}`;
  const tables = new Map(model.tables.map((t) => [key(t), t]));
  const sequences = new Map(model.sequences.map((s) => [key(s), s]));
  return { table: (name) => tables.get(key(name)), sequence: (name) => sequences.get(key(name)) };
}

/**
 * How a table is created:
 * - `plain`, `typed` (OF type);
 * - `partition of` and `inherits`, when the column order that PARTITION OF or INHERITS gives (the
 *   parents' columns first, then the child's own) is the source's;
 * - `attach` and `inherit` otherwise (a partition attached with its own column order, a child that
 *   was given a parent later, a parent that gained a column after its child): the table is created
 *   with every column in the source's order, then ATTACH PARTITION or INHERIT.
 */
export type TableForm = "plain" | "typed" | "partition of" | "inherits" | "attach" | "inherit";

export interface TableShape {
  readonly form: TableForm;
  /** The parent tables, in order (those the lookup knows). */
  readonly parents: readonly Table[];
}

export function tableShape(t: Table, lookup: TableLookup): TableShape {
  if (t.ofType !== undefined) return { form: "typed", parents: [] };
  const names = (columns: readonly Column[]) => columns.map((c) => c.name);
  if (t.partitionOf) {
    const parent = lookup.table(t.partitionOf.parent);
    if (!parent) return { form: "partition of", parents: [] };
    return {
      form: same(names(parent.allColumns), names(t.allColumns)) ? "partition of" : "attach",
      parents: [parent],
    };
  }
  if (t.inherits.length === 0) return { form: "plain", parents: [] };
  const parents = t.inherits.map((p) => lookup.table(p));
  const known = parents.filter((p): p is Table => p !== undefined);
  // A parent that is not a copied table (a foreign table): INHERITS, as written.
  if (known.length < parents.length) return { form: "inherits", parents: known };
  const inherited = [...new Set(known.flatMap((p) => names(p.allColumns)))];
  const own = names(t.columns).filter((n) => !inherited.includes(n));
  return { form: same([...inherited, ...own], names(t.allColumns)) ? "inherits" : "inherit", parents: known };
}

/** The parent's column a child's column comes from (the first parent that has one of its name). */
export function parentColumn(shape: TableShape, name: string): Column | undefined {
  if (shape.form !== "partition of" && shape.form !== "inherits") return undefined;
  for (const p of shape.parents) {
    const c = p.allColumns.find((x) => x.name === name);
    if (c) return c;
  }
  return undefined;
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
