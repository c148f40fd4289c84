import { PgsyncError } from "../../errors.js";
import type { Column, Constraint, Index, Sequence, View } from "../../introspect/model.js";
import { describeObject } from "../../sql/describe.js";
import { quoteIdent, quoteLiteral } from "../../sql/quote.js";
import { constraintDefinition } from "../render/constraints.js";
import type { RenderContext } from "../render/context.js";
import { createView } from "../render/views.js";
import { indexBuild } from "./index-build.js";
import type { Statement } from "./types.js";

/** The small statements the plan writes itself, around what the renderers print. */

export function addConstraint(c: Constraint, ctx: RenderContext): Statement {
  const sql = `ALTER TABLE ${ctx.staged(c.table)} ADD CONSTRAINT ${quoteIdent(c.name)} ${constraintDefinition(c, ctx)}`;
  const method = c.kind === "exclusion" ? (indexBuild(c.definition)?.method ?? "gist") : "btree";
  return {
    object: describeObject("constraint", c.name, { on: c.table }),
    sql,
    ...(c.kind === "check" ? { build: { kind: "check" } } : {}),
    ...(c.kind === "primary key" || c.kind === "unique" || c.kind === "exclusion"
      ? { build: { kind: "key", method } }
      : {}),
  };
}

export function createIndex(i: Index, ctx: RenderContext): Statement {
  // pg_get_indexdef prints ON ONLY for a partitioned table, which creates the index on it alone: the
  // partitions' own indexes are built and attached to it one by one (index attach items), so each
  // keeps its name, and a partition that has none on the source gets none.
  const build = indexBuild(i.definition);
  return {
    object: describeObject("index", [i.table.schema, i.name]),
    sql: ctx.sql(i.definition),
    ...(build ? { build } : {}),
  };
}

export function setSequenceValue(s: Sequence, ctx: RenderContext): string {
  const regclass = `${quoteLiteral(ctx.staged(s))}::pg_catalog.regclass`;
  return s.lastValue === null
    ? `SELECT pg_catalog.setval(${regclass}, ${s.options.start}, false)`
    : `SELECT pg_catalog.setval(${regclass}, ${s.lastValue}, true)`;
}

/**
 * The placeholder breaker's stand-in for a view: the same column names, types and collations,
 * selecting NULLs, so that what depends on the view can be created before the view's own query can
 * (it relies on a key built after the load, or on an object that depends on the view). No options:
 * WITH CHECK OPTION refuses a view that is not updatable, and the replacement sets them all.
 */
export function placeholderView(v: View, ctx: RenderContext): string | undefined {
  const types = v.columnTypes;
  if (!types || types.length !== v.columns.length) return undefined;
  const nulls = types.map(
    (c) => `NULL::${ctx.sql(c.type)}${c.collation ? ` COLLATE ${ctx.sql(c.collation)}` : ""}`,
  );
  const names = v.columns.length > 0 ? ` (${v.columns.map(quoteIdent).join(", ")})` : "";
  return `CREATE VIEW ${ctx.staged(v)}${names} AS SELECT ${nulls.join(", ")}`;
}

/** The view's own definition over its placeholder: same columns, so CREATE OR REPLACE accepts it. */
export function replaceView(v: View, ctx: RenderContext): string {
  const create = createView(v, ctx);
  if (!create.startsWith("CREATE VIEW ")) {
    const object = describeObject("view", v);
    throw new PgsyncError("internal", `${object}: its placeholder is not a view: ${create.slice(0, 40)}`, {
      object,
    });
  }
  return `CREATE OR REPLACE ${create.slice("CREATE ".length)}`;
}

/** A column default split off its CREATE TABLE (the default breaker), set once what it calls exists. */
export function setColumnDefault(
  table: { readonly schema: string; readonly name: string },
  c: Column,
  ctx: RenderContext,
): string {
  return `ALTER TABLE ${ctx.staged(table)} ALTER COLUMN ${quoteIdent(c.name)} SET DEFAULT ${ctx.sql(c.defaultExpr ?? "NULL")}`;
}

export function ownSequence(
  s: Sequence,
  owner: { readonly table: { readonly schema: string; readonly name: string }; readonly column: string },
  ctx: RenderContext,
): string {
  return `ALTER SEQUENCE ${ctx.staged(s)} OWNED BY ${ctx.staged(owner.table)}.${quoteIdent(owner.column)}`;
}

/**
 * A schema's comment is set on the live schema, which the tool does not own everywhere (PostgreSQL
 * 14's public belongs to the bootstrap superuser). It is set only when it differs, and a role that
 * may not set it gets a warning from the server instead of a failed run.
 */
export function schemaComment(identity: string, text: string): string {
  return `DO $pgsync$
BEGIN
  IF pg_catalog.obj_description(pg_catalog.to_regnamespace(${quoteLiteral(identity)})::oid, 'pg_namespace') IS DISTINCT FROM ${quoteLiteral(text)} THEN
    COMMENT ON SCHEMA ${identity} IS ${quoteLiteral(text)};
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'comment on schema % not copied: %', ${quoteLiteral(identity)}, SQLERRM;
END $pgsync$`;
}
