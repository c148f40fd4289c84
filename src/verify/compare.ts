import type { SourceRows } from "../copy/source-rows.js";
import { type Connection, connectBoth } from "../db/connect.js";
import { baseSettings, begin } from "../db/session.js";
import { errorMessage, PgsyncError } from "../errors.js";
import { introspect } from "../introspect/index.js";
import type { CatalogModel, QualifiedName } from "../introspect/model.js";
import { qualify } from "../sql/quote.js";
import { maskConnectionString, redactDeep } from "../util/redact.js";
import { DIGEST_VERSION, type DigestVersion, digestSourceRows, digestTable } from "./digest.js";
import { compareLargeObjects, digestLargeObjects } from "./large-objects.js";
import { type SourceShaping, type SourceShapingOptions, sourceShaping } from "./masked-source.js";
import { schemaDifferences } from "./schema-diff.js";

export type VerifyMethod = "counts" | "checksum";

export interface VerifyOptions {
  readonly sourceUrl: string;
  readonly destinationUrl: string;
  readonly method?: VerifyMethod;
  readonly connectSeconds?: number;
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  /**
   * A masked or subsetted profile's rules: the source's side is digested over what a run of the
   * profile copies (its masked values, its subset's rows), so that a masked copy compares equal.
   */
  readonly shaping?: SourceShapingOptions;
}

export interface TableComparison {
  readonly table: string;
  readonly sourceRows: number | null;
  readonly destinationRows: number | null;
  readonly sourceChecksum?: string;
  readonly destinationChecksum?: string;
  readonly differences: readonly string[];
}

export interface VerifyReport {
  /** "identical", "different", or "error" when the comparison could not be made. */
  readonly outcome: "identical" | "different" | "error";
  readonly method: VerifyMethod;
  /** The content digest's version (src/verify/digest.ts); digests compare only within one version. */
  readonly digestVersion: DigestVersion;
  readonly source: string;
  readonly destination: string;
  readonly tables: readonly TableComparison[];
  /**
   * The large objects, compared when the whole database is (they belong to no schema): by OID and
   * size, and with "checksum" by content digest computed inside each database.
   */
  readonly largeObjects?: {
    readonly source: number;
    readonly destination: number;
    readonly differences: readonly string[];
  };
  readonly differences: readonly string[];
  /** The masked columns the source's digests were computed over, with their rules. */
  readonly masked?: SourceShaping["masked"];
  readonly error?: string;
}

/**
 * Compares two databases: the set of tables, their columns, and per table the row count and (with
 * "checksum") the content; without a schema selection, the large objects too. Each side is read in
 * one REPEATABLE READ transaction.
 */
export async function verifyDatabases(options: VerifyOptions): Promise<VerifyReport> {
  const method = options.method ?? "checksum";
  const base = {
    method,
    digestVersion: DIGEST_VERSION,
    source: maskConnectionString(options.sourceUrl),
    destination: maskConnectionString(options.destinationUrl),
  };
  let pair: Awaited<ReturnType<typeof connectBoth>> | undefined;
  try {
    pair = await connectBoth(options.sourceUrl, options.destinationUrl, options.connectSeconds ?? 30);
    const { source: src, destination: dst } = pair;
    for (const c of [src, dst]) {
      await begin(
        c.client,
        { ...baseSettings(0), row_security: "off" },
        "ISOLATION LEVEL REPEATABLE READ READ ONLY",
      );
    }
    const filter = {
      ...(options.schemas ? { schemas: options.schemas } : {}),
      ...(options.excludeSchemas ? { excludeSchemas: options.excludeSchemas } : {}),
    };
    const [srcModel, dstModel] = await Promise.all([
      introspect(src.client, filter),
      introspect(dst.client, filter),
    ]);
    const shaping = options.shaping ? await sourceShaping(src.client, srcModel, options.shaping) : undefined;
    const tables = await compareTables(
      srcModel,
      dstModel,
      src as Connection,
      dst as Connection,
      method === "checksum",
      shaping?.rows,
    );
    const largeObjects = options.schemas
      ? undefined
      : await (async () => {
          const [s, d] = await Promise.all([
            digestLargeObjects(src.client, method === "checksum", "source"),
            digestLargeObjects(dst.client, method === "checksum", "destination"),
          ]);
          return { source: s.length, destination: d.length, differences: compareLargeObjects(s, d) };
        })();
    const differences = [
      ...schemaDifferences(srcModel, dstModel),
      ...tables.flatMap((t) => t.differences.map((d) => `${t.table}: ${d}`)),
      ...(largeObjects?.differences ?? []),
    ];
    return redactDeep({
      ...base,
      outcome: differences.length === 0 ? "identical" : "different",
      tables,
      ...(largeObjects ? { largeObjects } : {}),
      differences,
      ...(shaping?.masked.length ? { masked: shaping.masked } : {}),
    });
  } catch (error) {
    const message = error instanceof PgsyncError ? error.describe() : errorMessage(error);
    return redactDeep({ ...base, outcome: "error", tables: [], differences: [], error: message });
  } finally {
    await pair?.close();
  }
}

/** A relation whose rows are compared: a table (partitions and children on their own) or a materialized view. */
interface Relation extends QualifiedName {
  readonly columns: readonly string[];
  readonly oid?: number;
  /** Generated columns: a masked table's are computed by the destination from masked values. */
  readonly generated?: ReadonlySet<string>;
}

function relations(model: CatalogModel): Relation[] {
  return [
    ...model.tables.map((t) => ({
      schema: t.schema,
      name: t.name,
      columns: t.allColumns.map((c) => c.name),
      oid: t.oid,
      generated: new Set(t.allColumns.filter((c) => c.generated).map((c) => c.name)),
    })),
    ...model.views
      .filter((v) => v.materialized)
      .map((v) => ({ schema: v.schema, name: v.name, columns: v.columns })),
  ];
}

async function compareTables(
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
    const differences: string[] = [];
    const dstColumns = new Set(d.columns);
    const rows = s.oid === undefined ? undefined : shaped?.get(s.oid);
    const columns = s.columns.filter((n) => dstColumns.has(n) && !(rows?.expressions && s.generated?.has(n)));
    const options = { checksum: withChecksum };
    const [sd, dd] = await Promise.all([
      digestSourceRows(src.client, s, columns, rows, options),
      digestTable(dst.client, d, columns, options),
    ]);
    if (sd.rows !== dd.rows) differences.push(`row count differs: source ${sd.rows}, destination ${dd.rows}`);
    else if (withChecksum && sd.checksum !== dd.checksum)
      differences.push("content differs (checksums do not match)");
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
