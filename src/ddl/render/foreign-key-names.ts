import type { Constraint } from "../../introspect/model.js";
import { qualify, quoteLiteral } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

/**
 * A foreign key on a partitioned table, or one that references a partitioned table, comes with a
 * constraint per partition that the server creates itself (conparentid), under a name it chooses:
 * the parent's, or `<table>_<columns>_fkey<n>` with the first free number. The source's names are
 * history (a partition attached with its own foreign key keeps its name; numbers freed by detached
 * partitions stay free), so after the parent's ADD CONSTRAINT each of them is renamed to the
 * source's, found by its place in the tree (the constraint's table and referenced table under this
 * parent), never by the name the server gave it. A constraint of the same table that holds the
 * name for now (a clone another tree has not renamed yet) is moved aside to a name of its own first.
 */
export function renameInheritedForeignKeys(c: Constraint, ctx: RenderContext): string | undefined {
  const inherited = c.inheritedNames ?? [];
  if (inherited.length === 0) return undefined;
  const relation = (o: { schema: string; name: string }) =>
    `${quoteLiteral(ctx.staged(o))}::pg_catalog.regclass`;
  const wanted = inherited
    .map((i) => `(${relation(i.table)}, ${relation(i.referenced)}, ${quoteLiteral(i.name)})`)
    .join(",\n        ");
  const body = `DECLARE
  r record;
  holder record;
  current pg_catalog.name;
BEGIN
  FOR r IN
    WITH RECURSIVE tree(oid) AS (
      SELECT c.oid FROM pg_catalog.pg_constraint c
       WHERE c.conrelid = ${relation(c.table)} AND c.conname = ${quoteLiteral(c.name)} AND c.conparentid = 0
      UNION ALL
      SELECT c.oid FROM pg_catalog.pg_constraint c JOIN tree ON c.conparentid = tree.oid)
    SELECT c.oid, c.conrelid, w.name AS wanted
      FROM tree JOIN pg_catalog.pg_constraint c ON c.oid = tree.oid
      JOIN (VALUES
        ${wanted}) AS w(rel, ref, name) ON c.conrelid = w.rel AND c.confrelid = w.ref
     WHERE c.conparentid <> 0
  LOOP
    SELECT h.oid, h.conname INTO holder FROM pg_catalog.pg_constraint h
     WHERE h.conrelid = r.conrelid AND h.conname = r.wanted AND h.oid <> r.oid;
    IF FOUND THEN
      EXECUTE pg_catalog.format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', r.conrelid::pg_catalog.regclass,
                                holder.conname, 'pgsync_renamed_' || holder.oid);
    END IF;
    SELECT c.conname INTO current FROM pg_catalog.pg_constraint c WHERE c.oid = r.oid;
    IF current <> r.wanted THEN
      EXECUTE pg_catalog.format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', r.conrelid::pg_catalog.regclass,
                                current, r.wanted);
    END IF;
  END LOOP;
END`;
  let tag = "$pgsync$";
  for (let n = 1; body.includes(tag); n++) tag = `$pgsync${n}$`;
  return `DO ${tag}\n${body}\n${tag}`;
}

/** The object a rename statement is reported as. */
export function inheritedForeignKeysObject(c: Constraint): string {
  return `constraints inherited from ${c.name} on ${qualify(c.table.schema, c.table.name)}`;
}
