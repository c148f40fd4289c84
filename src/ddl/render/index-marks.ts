import type { CatalogModel, Index, QualifiedName, Table } from "../../introspect/model.js";
import { describeObject } from "../../sql/describe.js";
import { quoteIdent } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

/**
 * What a table says about its indexes: REPLICA IDENTITY (FULL, NOTHING, or USING INDEX) and the
 * index CLUSTER ON marks. Both name an index, so they come after the index is built.
 */
export function tableIndexMarks(t: Table, ctx: RenderContext): string[] {
  const table = ctx.staged(t);
  const out: string[] = [];
  const r = t.replicaIdentity;
  if (r?.kind === "full") out.push(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
  if (r?.kind === "nothing") out.push(`ALTER TABLE ${table} REPLICA IDENTITY NOTHING`);
  if (r?.kind === "index")
    out.push(`ALTER TABLE ${table} REPLICA IDENTITY USING INDEX ${quoteIdent(r.index)}`);
  if (t.clusterOn !== undefined) out.push(`ALTER TABLE ${table} CLUSTER ON ${quoteIdent(t.clusterOn)}`);
  return out;
}

/** The plan's keys of the indexes a table's marks name: an index's own, or its constraint's. */
export function markedIndexKeys(t: Table, model: Pick<CatalogModel, "indexes" | "constraints">): string[] {
  const names = [t.replicaIdentity?.kind === "index" ? t.replicaIdentity.index : undefined, t.clusterOn];
  return names.flatMap((name) => {
    if (name === undefined) return [];
    const index = model.indexes.find((i) => i.tableOid === t.oid && i.name === name);
    if (index) return [`pg_class:${index.oid}`];
    const constraint = model.constraints.find((c) => c.tableOid === t.oid && c.index === name);
    return constraint ? [`pg_constraint:${constraint.oid}`] : [];
  });
}

/** ALTER INDEX parent ATTACH PARTITION child: the partition's index joins its parent's. */
export function attachIndex(
  i: Pick<Index, "table" | "name">,
  parent: QualifiedName,
  ctx: RenderContext,
): { object: string; sql: string } {
  return {
    object: describeObject("index", [i.table.schema, i.name]),
    sql: `ALTER INDEX ${ctx.staged(parent)} ATTACH PARTITION ${ctx.staged({ schema: i.table.schema, name: i.name })}`,
  };
}
