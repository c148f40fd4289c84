/**
 * "Every column" of a catalog row: the columns are read from the catalog's own pg_attribute at run
 * time, so a column a newer major adds is compared too. A column that holds OIDs must say what it
 * points at (printed by name); an unmapped OID, node tree or ACL column is an error, never a silent
 * comparison of numbers that differ between databases anyway.
 */
import type { PropertyClassId } from "./classes.js";
import { formatLine } from "./line.js";
import { type OracleContext, rows } from "./session.js";

export type Ref =
  | "skip"
  | "type"
  | "types"
  | "proc"
  | "oper"
  | "class"
  | "namespace"
  | "collation"
  | "am"
  | "language"
  | "opfamily"
  | "tsparser"
  | "tstemplate"
  | "fdw"
  | "server"
  | "encoding"
  | "role"
  | { readonly sql: string };

export interface GenericSpec {
  readonly catalog: string;
  /** SQL naming the row, with the row as `x`. */
  readonly identity: string;
  /** Extra joins after `FROM pg_catalog.<catalog> x`. */
  readonly from?: string;
  /** Which rows (may use $1, the looked-at schema OIDs). */
  readonly where: string;
  readonly refs: Readonly<Record<string, Ref>>;
  /** Columns renamed between majors print under one name (colliculocale and colllocale: locale). */
  readonly renames?: Readonly<Record<string, string>>;
  /** Columns not every supported major has, with the value meaning "unused": left out when equal. */
  readonly optional?: Readonly<Record<string, string | null>>;
}

const UNMAPPABLE = new Set(["oid", "oidvector", "oid[]", "pg_node_tree", "aclitem[]", "int2vector"]);

function refSql(ref: Exclude<Ref, "skip">, e: string): string {
  if (typeof ref === "object") return ref.sql;
  switch (ref) {
    case "type":
      return `CASE WHEN ${e} = 0 THEN NULL ELSE format_type(${e}, NULL) END`;
    case "types":
      return `(SELECT string_agg(format_type(u.t, NULL), ', ' ORDER BY u.n) FROM unnest(${e}::oid[]) WITH ORDINALITY u(t, n))`;
    case "proc":
      return `CASE WHEN ${e} = 0 THEN NULL ELSE ${e}::oid::regprocedure::text END`;
    case "oper":
      return `CASE WHEN ${e} = 0 THEN NULL ELSE ${e}::oid::regoperator::text END`;
    case "class":
      return `CASE WHEN ${e} = 0 THEN NULL ELSE ${e}::oid::regclass::text END`;
    case "namespace":
      return `(SELECT n.nspname::text FROM pg_namespace n WHERE n.oid = ${e})`;
    case "collation":
      return `(SELECT format('%I.%I', n.nspname, c.collname) FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE c.oid = ${e})`;
    case "am":
      return `(SELECT a.amname::text FROM pg_am a WHERE a.oid = ${e})`;
    case "language":
      return `(SELECT l.lanname::text FROM pg_language l WHERE l.oid = ${e})`;
    case "opfamily":
      return `(SELECT format('%I.%I USING %I', n.nspname, f.opfname, a.amname) FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am a ON a.oid = f.opfmethod WHERE f.oid = ${e})`;
    case "tsparser":
      return `(SELECT format('%I.%I', n.nspname, p.prsname) FROM pg_ts_parser p JOIN pg_namespace n ON n.oid = p.prsnamespace WHERE p.oid = ${e})`;
    case "tstemplate":
      return `(SELECT format('%I.%I', n.nspname, t.tmplname) FROM pg_ts_template t JOIN pg_namespace n ON n.oid = t.tmplnamespace WHERE t.oid = ${e})`;
    case "fdw":
      return `(SELECT w.fdwname::text FROM pg_foreign_data_wrapper w WHERE w.oid = ${e})`;
    case "server":
      return `(SELECT s.srvname::text FROM pg_foreign_server s WHERE s.oid = ${e})`;
    case "encoding":
      return `pg_encoding_to_char(${e})`;
    case "role":
      return `CASE WHEN ${e} = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(${e})::text END`;
  }
}

interface CatalogColumn {
  readonly attname: string;
  readonly type: string;
}

const columnCache = new WeakMap<OracleContext, Map<string, CatalogColumn[]>>();

async function catalogColumns(ctx: OracleContext, catalog: string): Promise<CatalogColumn[]> {
  let perContext = columnCache.get(ctx);
  if (!perContext) {
    perContext = new Map();
    columnCache.set(ctx, perContext);
  }
  const cached = perContext.get(catalog);
  if (cached) return cached;
  const columns = await rows<CatalogColumn>(
    ctx,
    `SELECT a.attname::text AS attname, format_type(a.atttypid, NULL) AS type
       FROM pg_attribute a
      WHERE a.attrelid = ('pg_catalog.' || $1)::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [catalog],
  );
  perContext.set(catalog, columns);
  return columns;
}

/** The SELECT list: one `c<i>` per compared column, with the name each prints under. */
async function selectList(ctx: OracleContext, spec: GenericSpec): Promise<{ sql: string; names: string[] }> {
  const exprs: string[] = [];
  const names: string[] = [];
  for (const column of await catalogColumns(ctx, spec.catalog)) {
    const ref = spec.refs[column.attname];
    if (ref === "skip") continue;
    const e = `x.${column.attname}`;
    let expr: string;
    if (ref !== undefined) expr = refSql(ref, e);
    else if (column.type === "regproc") expr = refSql("proc", e);
    else if (UNMAPPABLE.has(column.type)) {
      throw new Error(
        `oracle: ${spec.catalog}.${column.attname} (${column.type}) on PostgreSQL ${ctx.major} has no mapping to names`,
      );
    } else expr = `${e}::text`;
    exprs.push(`${expr} AS c${exprs.length}`);
    names.push(spec.renames?.[column.attname] ?? column.attname);
  }
  return { sql: exprs.join(",\n       "), names };
}

/** One line per row and column of `spec.catalog`, under `cls`. */
export async function genericLines(
  ctx: OracleContext,
  cls: PropertyClassId,
  spec: GenericSpec,
  params: unknown[] = [ctx.schemaOids],
): Promise<string[]> {
  const { sql, names } = await selectList(ctx, spec);
  const query = `SELECT ${spec.identity} AS identity${sql ? `,\n       ${sql}` : ""}
  FROM pg_catalog.${spec.catalog} x ${spec.from ?? ""}
 WHERE ${spec.where}`;
  const result = await rows<Record<string, string | null>>(ctx, query, params);
  const lines: string[] = [];
  for (const row of result) {
    const identity = row.identity ?? "?";
    if (names.length === 0) lines.push(formatLine(cls, identity, "", "exists"));
    names.forEach((name, i) => {
      const value = row[`c${i}`] ?? null;
      const optional = spec.optional;
      if (optional && Object.hasOwn(optional, name) && optional[name] === value) return;
      lines.push(formatLine(cls, identity, name, value));
    });
  }
  return lines;
}
