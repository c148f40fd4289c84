import type { SourceRows } from "../copy/source-rows.js";
import type { Connection } from "../db/connect.js";
import type { CatalogModel, QualifiedName } from "../introspect/model.js";
import { qualify } from "../sql/quote.js";
import { digestSourceRows, digestTable } from "./digest.js";

export interface TableComparison {
  readonly table: string;
  readonly sourceRows: number | null;
  readonly destinationRows: number | null;
  readonly sourceChecksum?: string;
  readonly destinationChecksum?: string;
  /** Each difference as `<property> differs: source <value>; destination <value>` (or missing). */
  readonly differences: readonly string[];
}

/**
 * A relation whose rows are compared: a table (each partition and inheritance child on its own,
 * with every column, inherited ones included) or a populated materialized view.
 */
interface Relation extends QualifiedName {
  readonly columns: readonly string[];
  readonly oid?: number;
  /** Generated columns: a masked table's are computed by the destination from masked values. */
  readonly generated?: ReadonlySet<string>;
  /** A materialized view WITH NO DATA has no rows to read (its populated state is a catalog property). */
  readonly readable: boolean;
}

function relations(model: CatalogModel): Relation[] {
  return [
    ...model.tables.map((t) => ({
      schema: t.schema,
      name: t.name,
      columns: t.allColumns.map((c) => c.name),
      oid: t.oid,
      generated: new Set(t.allColumns.filter((c) => c.generated).map((c) => c.name)),
      readable: true,
    })),
    ...model.views
      .filter((v) => v.materialized)
      .map((v) => ({ schema: v.schema, name: v.name, columns: v.columns, readable: v.populated })),
  ];
}

/** Per relation: the row count and, with `withChecksum`, the content digest of both sides. */
export async function compareTables(
  srcModel: CatalogModel,
  dstModel: CatalogModel,
  src: Connection,
  dst: Connection,
  withChecksum: boolean,
  shaped: ReadonlyMap<number, SourceRows> | undefined,
): Promise<TableComparison[]> {
  const key = (t: QualifiedName) => qualify(t.schema, t.name);
  const dstByName = new Map(relations(dstModel).map((t) => [key(t), t]));
  const sources = relations(srcModel);
  const srcNames = new Set(sources.map(key));
  const out: TableComparison[] = [];
  for (const s of sources) {
    const d = dstByName.get(key(s));
    if (!d) {
      out.push({
        table: key(s),
        sourceRows: null,
        destinationRows: null,
        differences: ["missing on the destination"],
      });
      continue;
    }
    // Not populated on either side: the catalog comparison names that; there are no rows to read.
    if (!s.readable || !d.readable) {
      out.push({ table: key(s), sourceRows: null, destinationRows: null, differences: [] });
      continue;
    }
    const differences: string[] = [];
    const dstColumns = new Set(d.columns);
    const rows = s.oid === undefined ? undefined : shaped?.get(s.oid);
    const columns = s.columns.filter((n) => dstColumns.has(n) && !(rows?.expressions && s.generated?.has(n)));
    const options = { checksum: withChecksum };
    const [sd, dd] = await Promise.all([
      digestSourceRows(src.client, s, columns, rows, options),
      digestTable(dst.client, d, columns, options),
    ]);
    if (sd.rows !== dd.rows) differences.push(`row count differs: source ${sd.rows}; destination ${dd.rows}`);
    // (A different count implies different content: the count alone is named.)
    else if (withChecksum && sd.checksum !== dd.checksum)
      differences.push(`content checksum differs: source ${sd.checksum}; destination ${dd.checksum}`);
    out.push({
      table: key(s),
      sourceRows: sd.rows,
      destinationRows: dd.rows,
      ...(sd.checksum ? { sourceChecksum: sd.checksum } : {}),
      ...(dd.checksum ? { destinationChecksum: dd.checksum } : {}),
      differences,
    });
  }
  for (const d of relations(dstModel).filter((t) => !srcNames.has(key(t)))) {
    out.push({
      table: key(d),
      sourceRows: null,
      destinationRows: null,
      differences: ["exists only on the destination"],
    });
  }
  return out;
}
