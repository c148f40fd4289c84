import type { CatalogModel, Table } from "../../introspect/model.js";
import { copyFormatFor } from "../../sql/copy-statements.js";
import { type RenderContext, stagedKey } from "../render/context.js";
import type { DdlItem } from "./item.js";
import { keyColumns } from "./key-index.js";
import { type ModelIndex, parentsOf } from "./model-index.js";
import type { ForeignKeyPlan, Statement, TablePlan } from "./types.js";

/**
 * One plan per table: what COPY carries, and the data-phase items of the sort (its index builds,
 * its keys' unique indexes among them, then its keys, in sort order) that the load's task graph
 * runs once its rows are in.
 */
export function tablePlans(
  model: CatalogModel,
  ctx: RenderContext,
  index: ModelIndex,
  data: readonly DdlItem[],
  structureOnly: ReadonlySet<string>,
): TablePlan[] {
  const keys = new Map<number, Statement[]>();
  const keyIndexes = new Map<number, Statement[]>();
  const indexes = new Map<number, Statement[]>();
  const keysInOne = new Map<number, Statement[]>();
  const add = (into: Map<number, Statement[]>, oid: number, statements: readonly Statement[]) => {
    const list = into.get(oid) ?? [];
    list.push(...statements);
    into.set(oid, list);
  };
  for (const i of data) {
    if (i.tableOid === undefined || i.kind === "foreign key") continue;
    if (i.kind === "index") {
      add(indexes, i.tableOid, i.statements);
      continue;
    }
    if (i.buildsIndexFirst) {
      add(keyIndexes, i.tableOid, i.statements.slice(0, 1));
      add(keys, i.tableOid, i.statements.slice(1));
    } else add(keys, i.tableOid, i.statements);
    add(keysInOne, i.tableOid, i.inOneStatement ? [i.inOneStatement] : i.statements);
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
      ...splitKeyOf(t, index),
      keyIndexes: keyIndexes.get(t.oid) ?? [],
      keys: keys.get(t.oid) ?? [],
      keysInOne: keysInOne.get(t.oid) ?? [],
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

const INTEGER_TYPES = new Set(["smallint", "integer", "bigint"]);

/** A primary key of one integer column: a big table is read in ranges of it (src/pipeline/split-table.ts). */
function splitKeyOf(t: Table, index: ModelIndex): { splitKey?: string } {
  const primary = index.constraintsOf(t.oid).find((c) => c.kind === "primary key");
  const columns = primary ? keyColumns(primary) : undefined;
  const column = columns?.length === 1 ? t.allColumns.find((c) => c.name === columns[0]) : undefined;
  return column && INTEGER_TYPES.has(column.type) ? { splitKey: column.name } : {};
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
