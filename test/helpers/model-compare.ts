/**
 * Normalizes a catalog model for comparison between two databases: object identifiers, sizes and
 * planner estimates differ between databases and say nothing about the schema, so they are dropped;
 * column positions become ordinal (a source with dropped columns has gaps).
 */
import type { CatalogModel } from "../../src/introspect/model.js";

const VOLATILE_KEYS = new Set(["oid", "tableOid", "referencedTableOid", "typeOid", "bytes", "estimatedRows"]);

export function normalizeModel(model: CatalogModel): Record<string, unknown> {
  const { server: _server, dependencies: _dependencies, extensions, ...rest } = model;
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !VOLATILE_KEYS.has(k))
          .map(([k, v]) => [k, strip(v)]),
      );
    }
    return value;
  };
  const normalized = strip(rest) as Record<string, unknown>;
  normalized.tables = (
    normalized.tables as { columns: { position: number }[]; allColumns: { position: number }[] }[]
  ).map((t) => ({
    ...t,
    columns: t.columns.map((c, i) => ({ ...c, position: i + 1 })),
    allColumns: t.allColumns.map((c, i) => ({ ...c, position: i + 1 })),
  }));
  normalized.extensions = extensions.map((e) => `${e.name} in ${e.schema}`);
  const schemas = new Set(model.schemas.map((s) => s.name));
  normalized.views = (normalized.views as { definition: string }[]).map((v) => ({
    ...v,
    definition: withoutRangeQualifiers(v.definition, schemas),
  }));
  return normalized;
}

/**
 * PostgreSQL 16 and later deparse a single-relation query without the relation qualifier that 14
 * and 15 print (`SELECT id` against `SELECT people.id`): the same query, printed differently. Drops
 * qualifiers that are not schema names, so that the comparison sees the query, not the printer.
 */
function withoutRangeQualifiers(sql: string, schemas: ReadonlySet<string>): string {
  return sql.replace(/\b([a-z_][a-z0-9_]*)\.(?=[a-z_"])/g, (match, qualifier: string) =>
    schemas.has(qualifier) ? match : "",
  );
}
