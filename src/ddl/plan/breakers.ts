import type { Table } from "../../introspect/model.js";
import { createShellType } from "../render/base-types.js";
import type { RenderContext } from "../render/context.js";
import type { TableLookup } from "../render/table-forms.js";
import { createTable } from "../render/tables.js";
import type { PlanGraph } from "./graph.js";
import { type DdlItem, item } from "./item.js";
import type { ModelIndex } from "./model-index.js";
import { defaultKey } from "./object-items.js";
import { placeholderView, replaceView, setColumnDefault } from "./statements.js";

/**
 * pg_dump's loop breakers, each an explicit change to the graph that removes the edges of one loop
 * (or of one dependency on a later phase) and keeps every object exactly as the source has it:
 *
 * - placeholder view: a view is first created as a stand-in with its columns (NULLs of their
 *   types), which is all its dependents need, and replaced by its own query in post-data;
 * - postponed to post-data: a materialized view or a routine that needs a key (a GROUP BY on a
 *   primary key, an ON CONFLICT on a unique key), and any key, index or foreign key that needs
 *   something the load does not order before it;
 * - shell type: a base type's shell is created before the support functions that take or return
 *   it, and completed by CREATE TYPE once they exist;
 * - split column default: a table is created without a default that calls a routine which needs
 *   the table (its row type, or its rows in an SQL-standard body), or a key; ALTER TABLE ... SET
 *   DEFAULT follows the routine (in post-data when the routine waits for a key).
 */
export interface BreakerContext {
  readonly graph: PlanGraph;
  readonly ctx: RenderContext;
  readonly index: ModelIndex;
  /** Column defaults split off each table, by table OID and column position. */
  readonly splitDefaults: Map<number, Set<number>>;
  /** The tables by name, for CREATE TABLE's form (render/table-forms.ts). */
  readonly lookup: TableLookup;
}

const oidOf = (key: string) => Number(key.slice(key.indexOf(":") + 1));

/** The placeholder breaker. False when the item is not a view, or is split already. */
export function splitView(b: BreakerContext, view: DdlItem): boolean {
  if (view.kind !== "view" || b.graph.replacementOf(view.key)) return false;
  const v = b.index.viewByOid.get(oidOf(view.key));
  const placeholder = v ? placeholderView(v, b.ctx) : undefined;
  if (!v || !placeholder) return false;
  const replacement = item({
    key: `replace:${view.key}`,
    kind: "view replacement",
    phase: "post",
    statements: [{ object: view.name, sql: replaceView(v, b.ctx) }],
    implicit: [view.key, ...view.deps],
  });
  view.statements = [{ object: view.name, sql: placeholder }];
  // The placeholder needs only its columns' types and collations (folded by the dependency query).
  view.deps.clear();
  for (const d of b.graph.depsOf(`view-columns:${v.oid}`)) view.deps.add(d);
  b.graph.markReplaced(view, replacement);
  return true;
}

/** Moves an item to post-data, where what it needs is built. False for the kinds that cannot move. */
export function postpone(target: DdlItem): boolean {
  if (target.phase === "data") {
    target.phase = "post";
    return true;
  }
  if (target.phase !== "pre") return false;
  // A column default applies to rows inserted after it is set: the load's COPY names every column.
  if (target.kind === "materialized view" || target.kind === "column default") {
    target.phase = "post";
    return true;
  }
  if (target.kind === "routine") {
    target.phase = "post";
    // As in pre-data: a body may name live objects that exist only after the cut-over.
    target.statements = [
      { object: target.name, sql: "SET LOCAL check_function_bodies = off" },
      ...target.statements,
    ];
    return true;
  }
  return false;
}

/**
 * The default breaker: splits off the first column default of the table whose dependencies lead
 * to a blocker (an item of the loop, or of a later phase). False when none does (or the column's
 * default cannot be set apart: identity, generated, a partition's).
 */
export function splitDefault(
  b: BreakerContext,
  table: DdlItem,
  blocks: (target: DdlItem) => boolean,
): boolean {
  const t = table.kind === "table" ? b.index.tableByOid.get(oidOf(table.key)) : undefined;
  if (!t || t.partitionOf) return false;
  for (const c of t.columns) {
    if (c.defaultExpr === undefined || c.generated || c.identity) continue;
    const claim = defaultKey(t.oid, c.position);
    if (!table.claims.includes(claim)) continue;
    const intoLoop = b.graph.depsOf(claim).some((k) => {
      const target = b.graph.resolve(k, table);
      return target !== undefined && blocks(target);
    });
    if (!intoLoop) continue;
    const omitted = b.splitDefaults.get(t.oid) ?? new Set<number>();
    // Only a table built by one CREATE TABLE of its own (not a replayed inheritance tree).
    const current = createTable(withoutDefaults(t, omitted), b.ctx, b.lookup);
    if (table.statements[0]?.sql !== current) return false;
    omitted.add(c.position);
    b.splitDefaults.set(t.oid, omitted);
    const create = { object: table.name, sql: createTable(withoutDefaults(t, omitted), b.ctx, b.lookup) };
    table.statements = [create, ...table.statements.slice(1)];
    b.graph.detach(
      claim,
      item({
        key: claim,
        kind: "column default",
        phase: "pre",
        statements: [{ object: table.name, sql: setColumnDefault(t, c, b.ctx) }],
        implicit: [table.key],
      }),
    );
    return true;
  }
  return false;
}

function withoutDefaults(t: Table, omitted: ReadonlySet<number>): Table {
  return {
    ...t,
    columns: t.columns.map((c) => {
      if (!omitted.has(c.position)) return c;
      const { defaultExpr: _split, ...rest } = c;
      return rest;
    }),
  };
}

/**
 * The shell-type breaker: a base type and its support functions need each other, so the type's
 * shell is created first, the functions of the loop take or return the shell, and CREATE TYPE with
 * its properties completes it once they exist.
 */
export function shellType(b: BreakerContext, type: DdlItem, loop: readonly DdlItem[]): boolean {
  const t = type.kind === "base type" ? b.index.baseTypeByOid.get(oidOf(type.key)) : undefined;
  const key = `shell:${type.key}`;
  if (!t || b.graph.owner(key)) return false;
  const shell = b.graph.add(
    item({
      key,
      kind: "shell type",
      phase: "pre",
      statements: [{ object: type.name, sql: createShellType(t, b.ctx) }],
    }),
  );
  let moved = false;
  for (const member of loop) {
    if (member.kind === "routine" && member.deps.delete(type.key)) {
      member.deps.add(shell.key);
      moved = true;
    }
  }
  return moved;
}

/** Breaks one loop of the pre-data phase with the first breaker that applies. */
export function breakLoop(b: BreakerContext, loop: readonly DdlItem[]): boolean {
  const members = new Set(loop);
  for (const member of loop) if (shellType(b, member, loop)) return true;
  for (const member of loop) if (splitView(b, member)) return true;
  for (const member of loop) if (splitDefault(b, member, (target) => members.has(target))) return true;
  return false;
}
