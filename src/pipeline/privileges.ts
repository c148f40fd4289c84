import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../db/rows.js";
import type { CatalogModel, Extension } from "../introspect/model.js";

/** One missing privilege, worded by the query (naming the object and the privilege). */
const Problem = z.object({ problem: text });

/**
 * Checks, before anything is written, every privilege a run needs on both sides, and returns every
 * missing one at once (an empty list when all is well). Each entry names the object and the privilege.
 */
export async function missingPrivileges(
  source: pg.Client,
  destination: pg.Client,
  model: CatalogModel,
  liveSchemas: readonly string[],
): Promise<string[]> {
  return [
    ...(await sourceProblems(source, model)),
    ...(await destinationProblems(destination, liveSchemas, model.extensions)),
  ];
}

async function sourceProblems(client: pg.Client, model: CatalogModel): Promise<string[]> {
  const tableOids = model.tables.map((t) => t.oid);
  const sequenceOids = model.sequences.map((s) => s.oid);
  // Row-level security filters rows for a role that is not a superuser and lacks BYPASSRLS, when it
  // does not own the table or the table forces RLS on its owner: the copy would be partial.
  const rows = await queryRows(
    client,
    "source privileges",
    `WITH me AS (SELECT rolsuper, rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user)
     SELECT format('source table %s: SELECT privilege is missing', pg_catalog.format('%I.%I', (SELECT nspname FROM pg_catalog.pg_namespace WHERE oid = c.relnamespace), c.relname)) AS problem
       FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::oid[]) AND NOT pg_catalog.has_table_privilege(c.oid, 'SELECT')
     UNION ALL
     SELECT format('source table %s: row-level security applies to role %I (it needs BYPASSRLS, or to own a table that does not force RLS)', pg_catalog.format('%I.%I', (SELECT nspname FROM pg_catalog.pg_namespace WHERE oid = c.relnamespace), c.relname), current_user)
       FROM pg_catalog.pg_class c, me
      WHERE c.oid = ANY($1::oid[]) AND c.relrowsecurity AND NOT me.rolsuper AND NOT me.rolbypassrls
        AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE'))
     UNION ALL
     SELECT format('source sequence %s: SELECT or USAGE privilege is missing', pg_catalog.format('%I.%I', (SELECT nspname FROM pg_catalog.pg_namespace WHERE oid = c.relnamespace), c.relname))
       FROM pg_catalog.pg_class c WHERE c.oid = ANY($2::oid[])
        -- CASE keeps the planner from calling has_sequence_privilege on rows that are not sequences.
        AND CASE WHEN c.relkind = 'S' THEN NOT pg_catalog.has_sequence_privilege(c.oid, 'SELECT')
                                       AND NOT pg_catalog.has_sequence_privilege(c.oid, 'USAGE') ELSE false END`,
    [tableOids, sequenceOids],
    Problem,
    "source",
  );
  return rows.map((r) => r.problem);
}

async function destinationProblems(
  client: pg.Client,
  liveSchemas: readonly string[],
  extensions: readonly Extension[],
): Promise<string[]> {
  // Moving the live objects into a snapshot needs ownership of each; moving the new ones in needs
  // CREATE on the live schema. Extension members stay in place and are not checked.
  const rows = await queryRows(
    client,
    "destination privileges",
    `WITH me AS (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
     SELECT format('destination database %I: CREATE privilege is missing (needed for the staging schemas)', current_database()) AS problem
      WHERE NOT pg_catalog.has_database_privilege(current_database(), 'CREATE')
     UNION ALL
     SELECT format('destination schema %I: CREATE privilege is missing (the new objects move into it)', n.nspname)
       FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY($1::text[]) AND NOT pg_catalog.has_schema_privilege(n.oid, 'CREATE')
     UNION ALL
     SELECT format('destination %s %s: owned by %I; role %I must own it (or be a member of its owner) to keep it as a snapshot',
                   CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END,
                   pg_catalog.format('%I.%I', (SELECT nspname FROM pg_catalog.pg_namespace WHERE oid = c.relnamespace), c.relname), pg_catalog.pg_get_userbyid(c.relowner), current_user)
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, me
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT me.rolsuper
        AND NOT pg_catalog.pg_has_role(c.relowner, 'USAGE')
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
     UNION ALL
     SELECT format('destination: extension %I is not installed, and role %I cannot create it (it is not trusted; a superuser must run CREATE EXTENSION %I SCHEMA %I)', x.name, current_user, x.name, x.schema)
       FROM unnest($2::text[], $3::text[]) AS x(name, schema), me
      WHERE NOT me.rolsuper
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e WHERE e.extname = x.name)
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extension_versions v WHERE v.name = x.name AND v.trusted)`,
    [liveSchemas, extensions.map((e) => e.name), extensions.map((e) => e.schema)],
    Problem,
    "destination",
  );
  return rows.map((r) => r.problem);
}

export function describeMissing(problems: readonly string[]): string {
  return `the run needs ${problems.length} privilege(s) it does not have; nothing was changed:\n  ${problems.join("\n  ")}`;
}
