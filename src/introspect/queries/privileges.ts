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
