import { qualify, quoteIdent, quoteLiteral } from "./quote.js";

/**
 * The one builder of the COPY statements a worker reads a table with, and writes it with. Plain
 * tables, split tables (a key or block range), subsets (a condition), masking (per-column
 * expressions, with bind values such as a key) and the text fallback all go through it.
 */

export type CopyFormat = "binary" | "text";

export interface CopyColumn {
  readonly name: string;
  /** The column's binary COPY form reads back the same on any server (core types only). */
  readonly binarySafe: boolean;
  /**
   * An expression computed on the source instead of the column's value (masking). It is cast to
   * `type`, so the destination receives the column's own type.
   */
  readonly expression?: { readonly sql: string; readonly type: string };
}

export type RowFilter =
  /** [from, to) on an integer column; either bound may be open. */
  | { readonly kind: "key-range"; readonly column: string; readonly from?: bigint; readonly to?: bigint }
  /** Rows whose ctid lies in heap blocks [fromBlock, toBlock); toBlock undefined: to the end. */
  | { readonly kind: "block-range"; readonly fromBlock: number; readonly toBlock?: number }
  /** A condition over the table's columns (a subset's root filter or closure), as SQL. */
  | { readonly kind: "condition"; readonly sql: string };

export interface CopySourceSpec {
  readonly table: { readonly schema: string; readonly name: string };
  readonly columns: readonly CopyColumn[];
  /** Combined with AND. */
  readonly filters?: readonly RowFilter[];
  /**
   * Values the expressions read with current_setting(name): set with set_config(name, value, true)
   * as bind parameters, inside the snapshot transaction, so they never appear in statement text
   * (nor in pg_stat_activity, pg_stat_statements or the server log). Names must be `prefix.name`.
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** Text even where binary would be safe: the retry after a binary receive function failed. */
  readonly forceText?: boolean;
}

export interface BoundStatement {
  readonly text: string;
  readonly values: readonly string[];
}

export interface CopySource {
  readonly format: CopyFormat;
  /** Run first, in the same transaction as the COPY. */
  readonly setup: readonly BoundStatement[];
  /** COPY ... TO STDOUT. */
  readonly sql: string;
}

/** Binary when every column's binary form is portable, text otherwise. */
export function copyFormatFor(columns: readonly Pick<CopyColumn, "binarySafe">[]): CopyFormat {
  return columns.every((c) => c.binarySafe) ? "binary" : "text";
}

export function buildCopySource(spec: CopySourceSpec): CopySource {
  const format = spec.forceText ? "text" : copyFormatFor(spec.columns);
  const withFormat = format === "binary" ? " WITH (FORMAT binary)" : "";
  const table = qualify(spec.table.schema, spec.table.name);
  const setup = Object.entries(spec.settings ?? {}).map(([name, value]) => ({
    text: "SELECT pg_catalog.set_config($1, $2, true)",
    values: [settingName(name), value],
  }));
  const filters = spec.filters ?? [];
  const computed = spec.columns.some((c) => c.expression);
  if (filters.length === 0 && !computed) {
    // The plain form: COPY reads the table itself (its rows only, never its children's).
    const list =
      spec.columns.length > 0 ? ` (${spec.columns.map((c) => quoteIdent(c.name)).join(", ")})` : "";
    return { format, setup, sql: `COPY ${table}${list} TO STDOUT${withFormat}` };
  }
  // SELECT with no columns is valid: a table whose every column is dropped or generated.
  const select = spec.columns
    .map((c) => ` ${c.expression ? selectExpression(c) : `t.${quoteIdent(c.name)}`}`)
    .join(",");
  const where = filters.length > 0 ? ` WHERE ${filters.map(filterSql).join(" AND ")}` : "";
  return {
    format,
    setup,
    sql: `COPY (SELECT${select} FROM ONLY ${table} AS t${where}) TO STDOUT${withFormat}`,
  };
}

/** COPY ... FROM STDIN into the staging table, in the source statement's format. */
export function buildCopyTarget(
  table: { readonly schema: string; readonly name: string },
  columns: readonly string[],
  format: CopyFormat,
  options: { readonly freeze?: boolean } = {},
): string {
  const list = columns.length > 0 ? ` (${columns.map(quoteIdent).join(", ")})` : "";
  const opts = [...(format === "binary" ? ["FORMAT binary"] : []), ...(options.freeze ? ["FREEZE"] : [])];
  const withOptions = opts.length > 0 ? ` WITH (${opts.join(", ")})` : "";
  return `COPY ${qualify(table.schema, table.name)}${list} FROM STDIN${withOptions}`;
}

function selectExpression(c: CopyColumn): string {
  const e = c.expression as NonNullable<CopyColumn["expression"]>;
  return `CAST((${e.sql}) AS ${e.type}) AS ${quoteIdent(c.name)}`;
}

function filterSql(filter: RowFilter): string {
  switch (filter.kind) {
    case "key-range": {
      const column = `t.${quoteIdent(filter.column)}`;
      const bounds = [
        ...(filter.from === undefined ? [] : [`${column} >= ${integer(filter.from)}`]),
        ...(filter.to === undefined ? [] : [`${column} < ${integer(filter.to)}`]),
      ];
      return bounds.length > 0 ? `(${bounds.join(" AND ")})` : "true";
    }
    case "block-range": {
      // A TID range scan (PostgreSQL 14+) reads only these blocks.
      const bounds = [
        `t.ctid >= ${quoteLiteral(`(${block(filter.fromBlock)},0)`)}::pg_catalog.tid`,
        ...(filter.toBlock === undefined
          ? []
          : [`t.ctid < ${quoteLiteral(`(${block(filter.toBlock)},0)`)}::pg_catalog.tid`]),
      ];
      return `(${bounds.join(" AND ")})`;
    }
    case "condition":
      return `(${filter.sql})`;
  }
}

function integer(value: bigint): string {
  return value < 0n ? `(${value.toString()})` : value.toString();
}

function block(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`invalid block number ${value}`);
  return String(value);
}

const SETTING_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

function settingName(name: string): string {
  if (!SETTING_NAME.test(name)) throw new RangeError(`invalid setting name "${name}" (expected prefix.name)`);
  return name;
}
