import type { Column, Constraint, ForeignServer, ForeignTable } from "../../introspect/model.js";
import { quoteIdent, quoteLiteral } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

/** `OPTIONS (name 'value', ...)` from the catalog's "name=value" entries; empty when there are none. */
export function optionsClause(options: readonly string[], prefix = " "): string {
  if (options.length === 0) return "";
  const items = options.map((o) => {
    const at = o.indexOf("=");
    return `${quoteIdent(o.slice(0, at))} ${quoteLiteral(o.slice(at + 1))}`;
  });
  return `${prefix}OPTIONS (${items.join(", ")})`;
}

/**
 * Servers belong to the database, not to a schema: the staging build creates a missing one, and
 * leaves an existing one of the same name as it is (it may serve other objects on the destination).
 * The wrapper must exist; a wrapper created by an extension (postgres_fdw, file_fdw) comes with it.
 */
export function createServer(s: ForeignServer): string {
  const type = s.type !== undefined ? ` TYPE ${quoteLiteral(s.type)}` : "";
  const version = s.version !== undefined ? ` VERSION ${quoteLiteral(s.version)}` : "";
  return `CREATE SERVER IF NOT EXISTS ${quoteIdent(s.name)}${type}${version} FOREIGN DATA WRAPPER ${quoteIdent(s.wrapper)}${optionsClause(s.options)}`;
}

function columnDefinition(c: Column, options: readonly string[], ctx: RenderContext): string {
  const parts = [quoteIdent(c.name), ctx.sql(c.type)];
  const fdwOptions = optionsClause(options, "");
  if (fdwOptions) parts.push(fdwOptions);
  if (c.collation)
    parts.push(`COLLATE ${ctx.sql(`${quoteIdent(c.collation.schema)}.${quoteIdent(c.collation.name)}`)}`);
  if (c.generated) parts.push(`GENERATED ALWAYS AS (${ctx.sql(c.generated.expr)}) STORED`);
  else if (c.defaultExpr !== undefined) parts.push(`DEFAULT ${ctx.sql(c.defaultExpr)}`);
  if (c.notNull) parts.push("NOT NULL");
  return parts.join(" ");
}

/**
 * CREATE FOREIGN TABLE (a foreign partition with PARTITION OF, an inheritance child with INHERITS),
 * then the options of columns it does not define itself, then its CHECK constraints. A foreign table
 * holds no rows of its own: nothing is copied into it.
 */
export function createForeignTable(
  f: ForeignTable,
  constraints: readonly Constraint[],
  ctx: RenderContext,
): string[] {
  const name = ctx.staged(f);
  const server = `SERVER ${quoteIdent(f.server)}${optionsClause(f.options)}`;
  const optionsOf = new Map(f.columnOptions.map((o) => [o.column, o.options]));
  const local = new Set(f.columns.map((c) => c.name));
  let create: string;
  if (f.partitionOf) {
    create = `CREATE FOREIGN TABLE ${name} PARTITION OF ${ctx.staged(f.partitionOf.parent)} ${ctx.sql(f.partitionOf.bound)} ${server}`;
  } else {
    const columns = f.columns.map((c) => `  ${columnDefinition(c, optionsOf.get(c.name) ?? [], ctx)}`);
    const inherits =
      f.inherits.length > 0 ? ` INHERITS (${f.inherits.map((p) => ctx.staged(p)).join(", ")})` : "";
    create = `CREATE FOREIGN TABLE ${name} (\n${columns.join(",\n")}\n)${inherits} ${server}`;
  }
  return [
    create,
    ...f.columnOptions
      .filter((o) => !local.has(o.column))
      .map(
        (o) => `ALTER FOREIGN TABLE ${name} ALTER COLUMN ${quoteIdent(o.column)}${optionsClause(o.options)}`,
      ),
    ...constraints
      .filter((c) => c.tableOid === f.oid)
      .map(
        (c) => `ALTER FOREIGN TABLE ${name} ADD CONSTRAINT ${quoteIdent(c.name)} ${ctx.sql(c.definition)}`,
      ),
  ];
}
