import type { Table } from "../introspect/model.js";
import type { ForeignKeyColumns } from "../mask/catalog.js";
import { qualify, quoteIdent } from "../sql/quote.js";

/**
 * The tables of a subset run as a graph: each table is a relation (a foreign key may name a plain
 * table, a partition or a partitioned table), whose rows live in its leaves (the copied tables: a
 * partitioned table's leaf partitions, or the table itself), and each foreign key between two of
 * them is an edge from the referencing relation to the referenced one.
 */

export interface SubsetRelation {
  readonly table: Table;
  readonly partitioned: boolean;
  /** The copied tables whose rows are this relation's rows. */
  readonly leaves: readonly Table[];
}

export interface SubsetEdge {
  readonly fk: ForeignKeyColumns;
  readonly from: SubsetRelation;
  readonly to: SubsetRelation;
}

export class SubsetGraph {
  readonly relations: ReadonlyMap<number, SubsetRelation>;
  readonly edges: readonly SubsetEdge[];
  /** For each leaf: the relations its rows belong to (itself, then its ancestors). */
  private readonly containing = new Map<number, SubsetRelation[]>();

  constructor(
    planned: readonly Table[],
    copied: ReadonlySet<number>,
    foreignKeys: readonly ForeignKeyColumns[],
  ) {
    const byName = new Map(planned.map((t) => [`${t.schema}\u0000${t.name}`, t]));
    const parentOf = (t: Table) =>
      t.partitionOf
        ? byName.get(`${t.partitionOf.parent.schema}\u0000${t.partitionOf.parent.name}`)
        : undefined;
    const leaves = new Map<number, Table[]>(planned.map((t) => [t.oid, []]));
    const chains = new Map<number, Table[]>();
    for (const t of planned) {
      if (!copied.has(t.oid)) continue;
      const chain: Table[] = [];
      for (let at: Table | undefined = t; at; at = parentOf(at)) {
        leaves.get(at.oid)?.push(t);
        chain.push(at);
      }
      chains.set(t.oid, chain);
    }
    const relations = new Map<number, SubsetRelation>(
      planned.map((t) => [
        t.oid,
        { table: t, partitioned: t.partitionKey !== undefined, leaves: leaves.get(t.oid) ?? [] },
      ]),
    );
    this.relations = relations;
    for (const [leaf, chain] of chains)
      this.containing.set(
        leaf,
        chain.map((c) => relations.get(c.oid) as SubsetRelation),
      );
    this.edges = foreignKeys.flatMap((fk) => {
      const from = relations.get(fk.tableOid);
      const to = relations.get(fk.referencedTableOid);
      return from && to ? [{ fk, from, to }] : [];
    });
  }

  /** The relations a leaf's rows belong to. */
  relationsOf(leafOid: number): readonly SubsetRelation[] {
    return this.containing.get(leafOid) ?? [];
  }

  /** Edges leaving (`from`) or entering (`to`) any relation the leaf's rows belong to. */
  edgesAt(leafOid: number, side: "from" | "to"): SubsetEdge[] {
    const rels = new Set(this.relationsOf(leafOid));
    return this.edges.filter((e) => rels.has(e[side]));
  }
}

/** `ONLY "s"."t"` for a table, `"s"."t"` for a partitioned one (its rows are its partitions'). */
export function relationSql(r: SubsetRelation): string {
  return `${r.partitioned ? "" : "ONLY "}${qualify(r.table.schema, r.table.name)}`;
}

export function leafSql(leaf: Table): string {
  return `ONLY ${qualify(leaf.schema, leaf.name)}`;
}

/** `(a.c1, a.c2)` */
export function columnTuple(alias: string, columns: readonly string[]): string {
  return `(${columns.map((c) => `${alias}.${quoteIdent(c)}`).join(", ")})`;
}

/** Under MATCH SIMPLE a row with any referencing column NULL references nothing (and satisfies the key). */
export function anyNullSql(alias: string, columns: readonly string[]): string {
  return `(${columns.map((c) => `${alias}.${quoteIdent(c)} IS NULL`).join(" OR ")})`;
}

/**
 * The strongly connected components of the graph over `nodes` with `next(node)` as its edges
 * (Tarjan's algorithm, iterative), each listed after every component it reaches: the order in which
 * a component's targets are settled before it.
 */
export function components<T>(nodes: readonly T[], next: (node: T) => readonly T[]): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const onStack = new Set<T>();
  const stack: T[] = [];
  const out: T[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: T; edges: readonly T[]; i: number }[] = [];
    const visit = (node: T) => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, edges: next(node), i: 0 });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: T; edges: readonly T[]; i: number };
      if (frame.i < frame.edges.length) {
        const to = frame.edges[frame.i++] as T;
        if (!index.has(to)) visit(to);
        else if (onStack.has(to))
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(to) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent)
        low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: T[] = [];
        for (;;) {
          const n = stack.pop() as T;
          onStack.delete(n);
          component.push(n);
          if (n === frame.node) break;
        }
        out.push(component);
      }
    }
  }
  return out;
}
