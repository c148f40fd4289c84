import type { CatalogModel, Constraint, Table } from "../introspect/model.js";
import { quoteIdent } from "../sql/quote.js";
import { earlyChecks } from "./early-checks.js";
import type { RenderContext } from "./render/context.js";
import { replayedTrees } from "./render/inheritance-replay.js";
import { createTable, tableAlterations, tableLookup } from "./render/tables.js";

/** The statements that build tables in the staging transaction: one build per table, or per replayed tree. */
export interface TableBuild {
  /** The table the build is keyed by (a replayed tree's root). */
  readonly table: Table;
  /** The tables it creates: the table itself, or every table of the tree, root first. */
  readonly members: readonly Table[];
  readonly statements: readonly string[];
  /** CHECK constraints the build adds with its tables (early-checks.ts). */
  readonly checks: readonly Constraint[];
}

/**
 * CREATE TABLE in the form that keeps the source's columns (render/tables.ts), then ATTACH or
 * INHERIT and the column properties it did not give, then the checks that must come before a
 * parent's NOT VALID one. An inheritance tree that only a replay of its column additions rebuilds
 * exactly (render/inheritance-replay.ts) is one build.
 */
export function tableBuilds(model: CatalogModel, ctx: RenderContext): TableBuild[] {
  const lookup = tableLookup(model);
  const early = earlyChecks(model);
  const addChecks = (t: Table) =>
    (early.get(t.oid) ?? []).map(
      (c) =>
        `ALTER TABLE ${ctx.staged(c.table)} ADD CONSTRAINT ${quoteIdent(c.name)} ${ctx.sql(c.definition)}`,
    );
  const trees = replayedTrees(model.tables, ctx, lookup);
  const inTree = new Set(trees.flatMap((t) => t.members));
  const builds: TableBuild[] = trees.map((tree) => ({
    table: tree.root,
    members: tree.members,
    statements: [...tree.statements, ...tree.members.flatMap(addChecks)],
    checks: tree.members.flatMap((t) => early.get(t.oid) ?? []),
  }));
  for (const t of model.tables) {
    if (inTree.has(t)) continue;
    builds.push({
      table: t,
      members: [t],
      statements: [createTable(t, ctx, lookup), ...tableAlterations(t, ctx, lookup), ...addChecks(t)],
      checks: early.get(t.oid) ?? [],
    });
  }
  return builds;
}
