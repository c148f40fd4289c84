import type { CatalogModel } from "../../introspect/model.js";
import { copyFormatFor } from "../../sql/copy-statements.js";
import { type RenderContext, stagedKey } from "../render/context.js";
import type { DdlItem } from "./item.js";
import { type ModelIndex, parentsOf } from "./model-index.js";
import type { ForeignKeyPlan, Statement, TablePlan } from "./types.js";

/**
 * One plan per table: what COPY carries, and the data-phase items of the sort (its keys, then its
 * indexes, in sort order) that the load's task graph runs once its rows are in.
 */
export function tablePlans(
  model: CatalogModel,
  ctx: RenderContext,
  index: ModelIndex,
  data: readonly DdlItem[],
  structureOnly: ReadonlySet<string>,
): TablePlan[] {
  const keys = new Map<number, Statement[]>();
  const indexes = new Map<number, Statement[]>();
  for (const i of data) {
    if (i.tableOid === undefined || i.kind === "foreign key") continue;
    const into = i.kind === "index" ? indexes : keys;
    const list = into.get(i.tableOid) ?? [];
    list.push(...i.statements);
    into.set(i.tableOid, list);
  }
  const overForeign = tablesOverForeignTables(model, index);
  return model.tables.map((t): TablePlan => {
    const copied = t.allColumns.filter((c) => !c.generated);
    return {
      table: t,
      staging: ctx.stage(t),
      columns: copied.map((c) => c.name),
      format: copyFormatFor(copied),
      copyData: !t.partitionKey && !structureOnly.has(`${t.schema}.${t.name}`),
      keys: keys.get(t.oid) ?? [],
      indexes: indexes.get(t.oid) ?? [],
      analyze: !overForeign.has(stagedKey(t.schema, t.name)),
      analyzeLast: index.withStatistics.has(t.oid) || index.parents.has(t.oid),
    };
  });
}

/** The data-phase foreign keys: between two plain tables, added as soon as both are built. */
export function loadForeignKeys(data: readonly DdlItem[]): ForeignKeyPlan[] {
  return data.flatMap((i) => {
    const statement = i.statements[0];
    if (
      i.kind !== "foreign key" ||
      !statement ||
      i.tableOid === undefined ||
      i.referencedTableOid === undefined
    )
      return [];
    return [{ ...statement, tableOid: i.tableOid, referencedTableOid: i.referencedTableOid }];
  });
}

/** Tables that have a foreign table among their partitions or inheritance children, at any depth. */
function tablesOverForeignTables(model: CatalogModel, index: ModelIndex): Set<string> {
  const found = new Set<string>();
  const pending = model.foreignTables.flatMap(parentsOf);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const key = stagedKey(next.schema, next.name);
    if (found.has(key)) continue;
    found.add(key);
    const oid = index.relationOid(next);
    const table = oid === undefined ? undefined : index.tableByOid.get(oid);
    if (table) pending.push(...parentsOf(table));
  }
  return found;
}
