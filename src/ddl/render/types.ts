import type { CompositeType, Domain, EnumType, RangeType, ShellType } from "../../introspect/model.js";
import { qualify, quoteIdent, quoteLiteral } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

export function createEnum(e: EnumType, ctx: RenderContext): string {
  return `CREATE TYPE ${ctx.staged(e)} AS ENUM (${e.labels.map(quoteLiteral).join(", ")})`;
}

export function createDomain(d: Domain, ctx: RenderContext): string {
  const parts = [`CREATE DOMAIN ${ctx.staged(d)} AS ${ctx.sql(d.baseType)}`];
  if (d.collation) parts.push(`COLLATE ${ctx.sql(qualify(d.collation.schema, d.collation.name))}`);
  if (d.defaultExpr !== undefined) parts.push(`DEFAULT ${ctx.sql(d.defaultExpr)}`);
  if (d.notNull) parts.push("NOT NULL");
  // A NOT VALID check cannot be written in CREATE DOMAIN: it is added after the data (domainChecksAfterLoad).
  for (const c of d.checks.filter((x) => !x.notValid))
    parts.push(`CONSTRAINT ${quoteIdent(c.name)} ${ctx.sql(c.definition)}`);
  return parts.join(" ");
}

/**
 * The domain's checks added NOT VALID: after the load, since the copied rows need not satisfy them
 * (the source never validated them), and NOT VALID again (pg_get_constraintdef prints it).
 */
export function domainChecksAfterLoad(d: Domain, ctx: RenderContext): string[] {
  return d.checks
    .filter((c) => c.notValid)
    .map(
      (c) => `ALTER DOMAIN ${ctx.staged(d)} ADD CONSTRAINT ${quoteIdent(c.name)} ${ctx.sql(c.definition)}`,
    );
}

export function createComposite(t: CompositeType, ctx: RenderContext): string {
  const attributes = t.attributes.map(
    (a) => `${quoteIdent(a.name)} ${ctx.sql(a.type)}${a.collation ? ` COLLATE ${ctx.sql(a.collation)}` : ""}`,
  );
  return `CREATE TYPE ${ctx.staged(t)} AS (${attributes.join(", ")})`;
}

export function createRange(r: RangeType, ctx: RenderContext): string {
  const parts = [`SUBTYPE = ${ctx.sql(r.subtype)}`];
  if (r.subtypeOpclass) parts.push(`SUBTYPE_OPCLASS = ${ctx.sql(r.subtypeOpclass)}`);
  if (r.collation) parts.push(`COLLATION = ${ctx.sql(r.collation)}`);
  if (r.subtypeDiff) parts.push(`SUBTYPE_DIFF = ${ctx.sql(r.subtypeDiff)}`);
  if (r.canonical) parts.push(`CANONICAL = ${ctx.sql(r.canonical)}`);
  if (r.multirange) parts.push(`MULTIRANGE_TYPE_NAME = ${ctx.staged(r.multirange)}`);
  return `CREATE TYPE ${ctx.staged(r)} AS RANGE (${parts.join(", ")})`;
}

/**
 * A shell type (CREATE TYPE name, never defined) cannot be moved to another schema (ALTER TYPE ...
 * SET SCHEMA refuses it, and the cut-over moves every object), nor given an owner or grants: it is
 * created in the live schema inside the cut-over, when the live schema has none of that name, with
 * its comment. A shell holds nothing, so the one a previous run made simply stays.
 */
export function createShellTypeLive(t: ShellType): string {
  const name = qualify(t.schema, t.name);
  const comment = t.comment !== undefined ? `\n  COMMENT ON TYPE ${name} IS ${quoteLiteral(t.comment)};` : "";
  return `DO $pgsync$
BEGIN
  -- (Not to_regtype: a shell is no type to it, and 14 raises an error for one.)
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 WHERE n.nspname = ${quoteLiteral(t.schema)} AND t.typname = ${quoteLiteral(t.name)}) THEN
    CREATE TYPE ${name};
  END IF;${comment}
END $pgsync$`;
}
