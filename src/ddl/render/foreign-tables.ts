import type {
  Column,
  Constraint,
  ForeignDataWrapper,
  ForeignServer,
  ForeignTable,
} from "../../introspect/model.js";
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

/**
 * A wrapper made by hand belongs to the database, like a server: created when the destination has
 * none of that name (CREATE FOREIGN DATA WRAPPER has no IF NOT EXISTS), left as it is otherwise.
 * Its handler and validator are C functions, which the destination must have.
 */
export function createForeignDataWrapper(w: ForeignDataWrapper): string {
  const handler = w.handler !== undefined ? ` HANDLER ${w.handler}` : " NO HANDLER";
  const validator = w.validator !== undefined ? ` VALIDATOR ${w.validator}` : " NO VALIDATOR";
  const create = `CREATE FOREIGN DATA WRAPPER ${quoteIdent(w.name)}${handler}${validator}${optionsClause(w.options)}`;
  return `DO $pgsync$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_data_wrapper WHERE fdwname = ${quoteLiteral(w.name)}) THEN
    EXECUTE ${quoteLiteral(create)};
  END IF;
END $pgsync$`;
}
