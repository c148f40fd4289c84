import type { Column, QualifiedName, Table } from "../../introspect/model.js";
import type { RenderContext } from "./context.js";
import { alterColumns, type CreatedColumn } from "./table-columns.js";
import { type TableLookup, tableShape } from "./table-forms.js";
import { columnDefinition, createPrefix, identitySequencePersistence, tableTail } from "./table-parts.js";

/**
 * Inheritance trees whose columns neither CREATE ... INHERITS nor INHERIT rebuild exactly: a child
 * whose inherited columns (attislocal false) do not all come first, typically because a parent
 * gained a column after the child was created. Such a tree is built the way it came about: its
 * tables are created without those columns, and each column is added (ALTER TABLE ... ADD COLUMN)
 * to the table that owns it once every table it reaches expects it next, so that it lands in each
 * child at the child's position, inherited (or merged) as on the source.
 *
 * The schedule is found by simulating the statements and is checked against the source's columns
 * (order, attislocal, attinhcount); a tree it cannot rebuild keeps the simpler forms.
 */
export interface ReplayedTree {
  /** The first table of the tree (the build is keyed by it). */
  readonly root: Table;
  /** Every table of the tree, parents before their children. */
  readonly members: readonly Table[];
  readonly statements: readonly string[];
}

interface SimColumn {
  readonly name: string;
  readonly local: boolean;
  inherited: number;
  /** The column whose definition created it: its own, or that of the ancestor that added it. */
  readonly from: Column;
}

interface Target {
  readonly column: Column;
  readonly local: boolean;
  /** attinhcount: how many of the table's parents have the column. */
  readonly inherited: number;
}

interface Node {
  readonly table: Table;
  readonly parents: Node[];
  readonly children: Node[];
  readonly target: readonly Target[];
  created: boolean;
  readonly columns: SimColumn[];
}

const key = (o: QualifiedName) => `${o.schema}\u0000${o.name}`;

/** The trees of `tables` that need rebuilding column by column, each with its statements. */
export function replayedTrees(
  tables: readonly Table[],
  ctx: RenderContext,
  lookup: TableLookup,
): ReplayedTree[] {
  const byKey = new Map(tables.map((t) => [key(t), t]));
  const plain = (t: Table) => !t.partitionKey && !t.partitionOf && t.ofType === undefined;
  const parentsOf = (t: Table) => t.inherits.map((p) => byKey.get(key(p)));
  const out: ReplayedTree[] = [];
  const seen = new Set<Table>();
  // Once, not per table: planning 10,000 tables must not scan them all for each.
  const hasChildren = new Set(tables.flatMap(parentsOf));
  for (const start of tables) {
    if (seen.has(start) || (start.inherits.length === 0 && !hasChildren.has(start))) continue;
    const members = component(start, tables, parentsOf);
    for (const m of members) seen.add(m);
    const eligible = members.every((m) => plain(m) && parentsOf(m).every((p) => p !== undefined));
    if (!eligible || !members.some((t) => needsReplay(t, lookup))) continue;
    const ordered = parentsFirst(members, parentsOf);
    const statements = replay(ordered, ctx, lookup, parentsOf);
    if (statements) out.push({ root: ordered[0] as Table, members: ordered, statements });
  }
  return out;
}

/** A child the simple forms would get wrong: out of order, with columns it only inherits. */
function needsReplay(t: Table, lookup: TableLookup): boolean {
  if (tableShape(t, lookup).form !== "inherit") return false;
  return t.allColumns.some((c) => !t.columns.some((l) => l.name === c.name));
}

/** The tables connected to `start` by inheritance, either way. */
function component(
  start: Table,
  tables: readonly Table[],
  parentsOf: (t: Table) => (Table | undefined)[],
): Table[] {
  const found = new Set<Table>([start]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of tables) {
      const linked = found.has(t) || parentsOf(t).some((p) => p !== undefined && found.has(p));
      const parents = found.has(t) ? parentsOf(t).filter((p): p is Table => p !== undefined) : [];
      for (const x of linked ? [t, ...parents] : [])
        if (!found.has(x)) {
          found.add(x);
          grew = true;
        }
    }
  }
  return [...found];
}

function parentsFirst(members: readonly Table[], parentsOf: (t: Table) => (Table | undefined)[]): Table[] {
  const out: Table[] = [];
  const placed = new Set<Table>();
  while (out.length < members.length) {
    const next = members.find((m) => !placed.has(m) && parentsOf(m).every((p) => p && placed.has(p)));
    if (!next) return [...members];
    out.push(next);
    placed.add(next);
  }
  return out;
}

function replay(
  members: readonly Table[],
  ctx: RenderContext,
  lookup: TableLookup,
  parentsOf: (t: Table) => (Table | undefined)[],
): string[] | undefined {
  const nodes = new Map<Table, Node>();
  for (const t of members) {
    const parents = parentsOf(t).map((p) => nodes.get(p as Table) as Node);
    const local = new Set(t.columns.map((c) => c.name));
    const node: Node = {
      table: t,
      parents,
      children: [],
      target: t.allColumns.map((column) => ({
        column,
        local: local.has(column.name),
        inherited: parents.filter((p) => p.table.allColumns.some((c) => c.name === column.name)).length,
      })),
      created: false,
      columns: [],
    };
    for (const p of parents) p.children.push(node);
    nodes.set(t, node);
  }
  const all = [...nodes.values()];
  const statements: string[] = [];
  for (const root of all.filter((n) => n.parents.length === 0)) {
    statements.push(`${createPrefix(root.table, ctx)} ()${tableTail(root.table, ctx)}`);
    root.created = true;
  }
  for (let progress = true; progress; ) {
    progress = false;
    for (const n of all) {
      if (n.created || !n.parents.every((p) => p.created)) continue;
      const merged = inheritedColumns(n);
      if (merged.every((c, i) => n.target[i]?.column.name === c.name && (n.target[i]?.inherited ?? 0) > 0)) {
        statements.push(createChild(n, merged, ctx));
        progress = true;
      }
    }
    const n = all.find((x) => {
      const next = x.created ? x.target[x.columns.length] : undefined;
      return next?.local === true && x.children.every((c) => !c.created || reaches(c, next.column.name));
    });
    if (n) {
      const next = n.target[n.columns.length] as Target;
      statements.push(`ALTER TABLE ${ctx.staged(n.table)} ADD COLUMN ${columnDefinition(next.column, ctx)}`);
      addColumn(n, next.column);
      progress = true;
    }
  }
  if (!all.every(done)) return undefined;
  for (const n of all) {
    const created = (c: Column): CreatedColumn => {
      const from = n.columns.find((x) => x.name === c.name)?.from ?? c;
      return {
        ...(from.defaultExpr !== undefined && !from.identity && !from.generated
          ? { defaultExpr: from.defaultExpr }
          : {}),
        notNull: from.notNull,
      };
    };
    statements.push(...alterColumns(n.table, created, ctx, n.children.length > 0));
    statements.push(...identitySequencePersistence(n.table, ctx, lookup));
  }
  return statements;
}

/** What CREATE TABLE ... INHERITS gives now: each parent's columns in turn, one per name. */
function inheritedColumns(n: Node): { name: string; count: number; from: Column }[] {
  const merged: { name: string; count: number; from: Column }[] = [];
  for (const p of n.parents)
    for (const c of p.columns) {
      const have = merged.find((m) => m.name === c.name);
      if (have) have.count++;
      else merged.push({ name: c.name, count: 1, from: c.from });
    }
  return merged;
}

function createChild(
  n: Node,
  merged: { name: string; count: number; from: Column }[],
  ctx: RenderContext,
): string {
  n.created = true;
  const declared: string[] = [];
  merged.forEach((m, i) => {
    const own = n.target[i] as Target;
    n.columns.push({
      name: m.name,
      local: own.local,
      inherited: m.count,
      from: own.local ? own.column : m.from,
    });
    if (own.local) declared.push(`  ${columnDefinition(own.column, ctx, m.from)}`);
  });
  const columns = declared.length > 0 ? ` (\n${declared.join(",\n")}\n)` : " ()";
  const parents = n.parents.map((p) => ctx.staged(p.table)).join(", ");
  return `${createPrefix(n.table, ctx)}${columns} INHERITS (${parents})${tableTail(n.table, ctx)}`;
}

/**
 * Whether a column added to a parent lands where this table expects it: merged into the column it
 * already has (the server then goes no further down), or appended as its next, inherited column.
 */
function reaches(n: Node, name: string): boolean {
  const have = n.columns.find((c) => c.name === name);
  if (have) return true;
  const next = n.target[n.columns.length];
  if (next?.column.name !== name || next.local || next.inherited === 0) return false;
  return n.children.every((c) => !c.created || reaches(c, name));
}

function addColumn(n: Node, column: Column, from?: Column): void {
  const have = n.columns.find((c) => c.name === column.name);
  if (have) {
    have.inherited++;
    return;
  }
  n.columns.push({
    name: column.name,
    local: from === undefined,
    inherited: from === undefined ? 0 : 1,
    from: from ?? column,
  });
  for (const c of n.children) if (c.created) addColumn(c, column, from ?? column);
}

/** The simulated table is the source's: same columns in the same order, with the same flags. */
function done(n: Node): boolean {
  return (
    n.created &&
    n.columns.length === n.target.length &&
    n.columns.every((c, i) => {
      const t = n.target[i];
      return t?.column.name === c.name && t.local === c.local && t.inherited === c.inherited;
    })
  );
}
