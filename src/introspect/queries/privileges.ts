import type pg from "pg";
import { z } from "zod";
import type { ObjectPrivileges } from "../model.js";
import { queryRows, text, textOrNull } from "../rows.js";

/**
 * Owners and access privileges of the objects a run carries, each with the GRANT-able name of the
 * object. Only read when a profile asks for privileges (roles differ between servers).
 * aclexplode() turns each aclitem into (grantor, grantee, privilege, grantable); grantee 0 is PUBLIC.
 */
const SQL = `
WITH objs(kind, name, owner, acl) AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
         pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), c.relowner, c.relacl
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.oid = ANY($1::oid[])
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
         -- An aggregate without arguments is agg(*) in ALTER AGGREGATE (agg() is a syntax error).
         pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '('
           || CASE WHEN p.prokind = 'a' AND p.pronargs = 0 THEN '*' ELSE pg_catalog.pg_get_function_identity_arguments(p.oid) END || ')',
         p.proowner, p.proacl
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE p.oid = ANY($2::oid[])
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
         pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.typname), t.typowner, t.typacl
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  WHERE t.oid = ANY($3::oid[])
  UNION ALL
  SELECT 'SCHEMA', pg_catalog.quote_ident(n.nspname), n.nspowner, n.nspacl
  FROM pg_catalog.pg_namespace n WHERE n.oid = ANY($4::oid[])
)
SELECT o.kind, o.name, pg_catalog.pg_get_userbyid(o.owner) AS owner, o.acl IS NOT NULL AS has_acl,
       coalesce((SELECT json_agg(json_build_object(
                   'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                   'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY 1)
                 FROM aclexplode(o.acl) a), '[]') AS grants
FROM objs o
ORDER BY 1, 2`;

// Column privileges: GRANT SELECT (col) ON table.
const COLUMNS_SQL = `
SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS name, a.attname AS column_name,
       coalesce((SELECT json_agg(json_build_object(
                   'grantee', CASE WHEN x.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee) END,
                   'privilege', x.privilege_type, 'grantable', x.is_grantable) ORDER BY 1)
                 FROM aclexplode(a.attacl) x), '[]') AS grants
FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE a.attrelid = ANY($1::oid[]) AND a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, 2`;

// Default privileges (ALTER DEFAULT PRIVILEGES), global or for the synced schemas.
const DEFAULTS_SQL = `
SELECT pg_catalog.pg_get_userbyid(d.defaclrole) AS role, n.nspname AS schema, d.defaclobjtype::text AS object_type,
       coalesce((SELECT json_agg(json_build_object(
                   'grantee', CASE WHEN x.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee) END,
                   'privilege', x.privilege_type, 'grantable', x.is_grantable) ORDER BY 1)
                 FROM aclexplode(d.defaclacl) x), '[]') AS grants
FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
WHERE d.defaclnamespace = 0 OR d.defaclnamespace = ANY($1::oid[])
ORDER BY 1, 2, 3`;

const Grant = z.object({ grantee: textOrNull, privilege: text, grantable: z.boolean() });
const Row = z.object({ kind: text, name: text, owner: text, has_acl: z.boolean(), grants: z.array(Grant) });
const DefaultRow = z.object({
  role: text,
  schema: textOrNull,
  object_type: z.enum(["r", "S", "f", "T", "n"]),
  grants: z.array(z.object({ grantee: textOrNull, privilege: text, grantable: z.boolean() })),
});
export type DefaultPrivilegeRow = z.infer<typeof DefaultRow>;
const ColumnRow = z.object({ name: text, column_name: text, grants: z.array(Grant) });
export type PrivilegeRow = z.infer<typeof Row>;
export type ColumnPrivilegeRow = z.infer<typeof ColumnRow>;

export interface PrivilegeTargets {
  readonly relations: readonly number[];
  readonly routines: readonly number[];
  readonly types: readonly number[];
  readonly schemas: readonly number[];
}

const DEFAULT_ACL_OBJECTS = {
  r: "TABLES",
  S: "SEQUENCES",
  f: "FUNCTIONS",
  T: "TYPES",
  n: "SCHEMAS",
} as const;

/** Owners and grants of the objects, their columns, and the default privileges, as the model has them. */
export async function readPrivileges(client: pg.Client, t: PrivilegeTargets): Promise<ObjectPrivileges> {
  const rows = await readPrivilegeRows(client, t);
  return {
    objects: rows.objects.map((o) => ({
      kind: o.kind,
      name: o.name,
      owner: o.owner,
      hasAcl: o.has_acl,
      grants: o.grants,
    })),
    columns: rows.columns.map((c) => ({ name: c.name, column: c.column_name, grants: c.grants })),
    defaults: rows.defaults.map((d) => ({
      role: d.role,
      schema: d.schema,
      objects: DEFAULT_ACL_OBJECTS[d.object_type],
      grants: d.grants,
    })),
  };
}

async function readPrivilegeRows(
  client: pg.Client,
  t: PrivilegeTargets,
): Promise<{ objects: PrivilegeRow[]; columns: ColumnPrivilegeRow[]; defaults: DefaultPrivilegeRow[] }> {
  const objects = await queryRows(
    client,
    "privileges",
    SQL,
    [t.relations, t.routines, t.types, t.schemas],
    Row,
  );
  const columns = await queryRows(client, "column privileges", COLUMNS_SQL, [t.relations], ColumnRow);
  const defaults = await queryRows(client, "default privileges", DEFAULTS_SQL, [t.schemas], DefaultRow);
  return { objects, columns, defaults };
}

/**
 * The effective grants of every object in the given schemas, for comparing two databases without
 * comparing owners: a NULL ACL reads as its default (acldefault: PUBLIC may run a function and use a
 * type), and the owner's own privileges are left out. Objects are keyed the same way on both sides:
 * by kind, schema, name and, for routines, their argument types as [schema, type] (the schema of a
 * staged type is its staging schema; the caller maps it). `target` is how GRANT and REVOKE name the
 * object on this server. Read whether or not a run copies privileges: without them the destination
 * applies its own defaults, which may grant more than the source did (src/pipeline/widened-grants.ts).
 */
const EFFECTIVE_GRANTS_SQL = `
WITH objs(kind, schema, name, args, target, owner, acl) AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END, n.nspname::text, c.relname::text, '[]'::pg_catalog.json,
         pg_catalog.format('%I.%I', n.nspname, c.relname), c.relowner,
         coalesce(c.relacl, pg_catalog.acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname::text, p.proname::text,
         coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_array(tn.nspname, t.typname) ORDER BY a.i)
                   FROM pg_catalog.unnest(p.proargtypes) WITH ORDINALITY AS a(oid, i)
                   JOIN pg_catalog.pg_type t ON t.oid = a.oid
                   JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace), '[]'::pg_catalog.json),
         p.oid::pg_catalog.regprocedure::text, p.proowner, coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = ANY($1::text[])
  UNION ALL
  SELECT 'type', n.nspname::text, t.typname::text, '[]'::pg_catalog.json, pg_catalog.format('%I.%I', n.nspname, t.typname),
         t.typowner, coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = ANY($1::text[])
    -- Not a table's row type, nor an array type the server made for another type.
    AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid)
  UNION ALL
  SELECT 'schema', n.nspname::text, n.nspname::text, '[]'::pg_catalog.json, pg_catalog.quote_ident(n.nspname), n.nspowner,
         coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))
  FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY($1::text[])
)
SELECT o.kind, o.schema, o.name, o.args, o.target,
       CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee,
       a.privilege_type AS privilege
FROM objs o CROSS JOIN LATERAL pg_catalog.aclexplode(o.acl) a
WHERE a.grantee OPERATOR(pg_catalog.<>) o.owner
ORDER BY o.kind, o.schema, o.name, o.args::pg_catalog.text, 6, 7`;

const EffectiveGrantRow = z.object({
  kind: z.enum(["table", "sequence", "function", "procedure", "type", "schema"]),
  schema: text,
  name: text,
  /** A routine's argument types, as [schema, name]. */
  args: z.array(z.tuple([text, text])),
  target: text,
  grantee: textOrNull,
  privilege: text,
});
export type EffectiveGrant = z.infer<typeof EffectiveGrantRow>;

/** Every grant to someone other than the owner, on every object of these schemas (see above). */
export function readEffectiveGrants(
  client: pg.Client,
  schemas: readonly string[],
): Promise<EffectiveGrant[]> {
  return queryRows(client, "effective grants", EFFECTIVE_GRANTS_SQL, [schemas], EffectiveGrantRow);
}

/** Grants on these large objects to someone other than their owner (a NULL ACL grants nobody else). */
const LARGE_OBJECT_GRANTS_SQL = `
SELECT m.oid, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee,
       a.privilege_type AS privilege
FROM pg_catalog.pg_largeobject_metadata m CROSS JOIN LATERAL pg_catalog.aclexplode(m.lomacl) a
WHERE m.oid = ANY($1::oid[]) AND a.grantee OPERATOR(pg_catalog.<>) m.lomowner
ORDER BY 1, 2, 3`;

const LargeObjectGrantRow = z.object({ oid: z.coerce.number().int(), grantee: textOrNull, privilege: text });

export function readLargeObjectGrants(
  client: pg.Client,
  oids: readonly number[],
): Promise<z.infer<typeof LargeObjectGrantRow>[]> {
  return queryRows(client, "large object grants", LARGE_OBJECT_GRANTS_SQL, [oids], LargeObjectGrantRow);
}
