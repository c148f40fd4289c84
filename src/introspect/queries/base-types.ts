import type pg from "pg";
import { z } from "zod";
import type { BaseType } from "../model.js";
import { int, NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";

/**
 * User-defined base types (CREATE TYPE name (INPUT = ..., OUTPUT = ...)), not the array types the
 * server makes for them. Their support functions are C or internal code: `implementations` says
 * which library and symbol, or which built-in, each one is, so that the plan can check the
 * destination has them. Function names are regproc text, schema-qualified (search_path =
 * pg_catalog).
 */
const SQL = `
SELECT t.oid, n.nspname AS schema, t.typname AS name,
       t.typinput::regproc::text AS input, t.typoutput::regproc::text AS output,
       CASE WHEN t.typreceive <> 0 THEN t.typreceive::regproc::text END AS receive,
       CASE WHEN t.typsend <> 0 THEN t.typsend::regproc::text END AS send,
       CASE WHEN t.typmodin <> 0 THEN t.typmodin::regproc::text END AS typmod_in,
       CASE WHEN t.typmodout <> 0 THEN t.typmodout::regproc::text END AS typmod_out,
       CASE WHEN t.typanalyze <> 0 THEN t.typanalyze::regproc::text END AS analyze,
       CASE WHEN t.typsubscript <> 0 THEN t.typsubscript::regproc::text END AS subscript,
       t.typlen AS internal_length, t.typbyval AS by_value, t.typalign::text AS alignment,
       t.typstorage::text AS storage, t.typcategory::text AS category, t.typispreferred AS preferred,
       t.typdefault AS default_value,
       CASE WHEN t.typelem <> 0 THEN pg_catalog.format_type(t.typelem, NULL) END AS element,
       t.typdelim::text AS delimiter, t.typcollation <> 0 AS collatable,
       coalesce((SELECT json_agg(json_build_object('function', p.oid::regprocedure::text, 'language', l.lanname,
                                                   'library', p.probin, 'symbol', p.prosrc) ORDER BY p.oid)
                 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
                 WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin, t.typmodout,
                                 t.typanalyze, t.typsubscript)
                   AND p.pronamespace = ANY($1::oid[])), '[]') AS implementations
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'b' AND t.typnamespace = ANY($1::oid[])
  -- Not an array type: its element found by OID, an index (src/restore/movable.ts says why).
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid)
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid")}
ORDER BY n.nspname, t.typname`;

const regprocOrNull = textOrNull;

export const BaseTypeRow = z.object({
  oid,
  schema: text,
  name: text,
  input: text,
  output: text,
  receive: regprocOrNull,
  send: regprocOrNull,
  typmod_in: regprocOrNull,
  typmod_out: regprocOrNull,
  analyze: regprocOrNull,
  subscript: regprocOrNull,
  internal_length: int,
  by_value: z.boolean(),
  alignment: z.enum(["c", "s", "i", "d"]),
  storage: z.enum(["p", "e", "m", "x"]),
  category: text,
  preferred: z.boolean(),
  default_value: textOrNull,
  element: textOrNull,
  delimiter: text,
  collatable: z.boolean(),
  implementations: z.array(z.object({ function: text, language: text, library: textOrNull, symbol: text })),
});
export type BaseTypeRow = z.infer<typeof BaseTypeRow>;

export function readBaseTypes(client: pg.Client, schemaOids: readonly number[]): Promise<BaseTypeRow[]> {
  return queryRows(client, "base types", SQL, [schemaOids], BaseTypeRow);
}

const ALIGNMENT = { c: "char", s: "int2", i: "int4", d: "double" } as const;
const STORAGE = { p: "plain", e: "external", m: "main", x: "extended" } as const;

export function parseBaseType(r: BaseTypeRow): BaseType {
  const optional = <K extends string>(key: K, value: string | null) =>
    value !== null ? { [key]: value } : {};
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    input: r.input,
    output: r.output,
    ...optional("receive", r.receive),
    ...optional("send", r.send),
    ...optional("typmodIn", r.typmod_in),
    ...optional("typmodOut", r.typmod_out),
    ...optional("analyze", r.analyze),
    ...optional("subscript", r.subscript),
    internalLength: r.internal_length,
    passedByValue: r.by_value,
    alignment: ALIGNMENT[r.alignment],
    storage: STORAGE[r.storage],
    category: r.category,
    preferred: r.preferred,
    ...optional("defaultValue", r.default_value),
    ...optional("element", r.element),
    delimiter: r.delimiter,
    collatable: r.collatable,
    implementations: r.implementations.map((i) => ({
      function: i.function,
      language: i.language,
      symbol: i.symbol,
      ...(i.library !== null ? { library: i.library } : {}),
    })),
  };
}

const Flag = z.object({ superuser: z.boolean() });
const Setting = z.object({ setting: text });
const Name = z.object({ name: text });

/**
 * What the destination has of the code behind the source's base types: whether its role is a
 * superuser (only one can create a base type, or a C or internal function), which of the built-ins
 * they name it has, and which of their C libraries exist in its library directory (a superuser can
 * read it; for any other role the first answer refuses them already).
 */
export async function destinationImplementations(
  client: pg.Client,
  baseTypes: readonly BaseType[],
): Promise<{ superuser: boolean; builtins: Set<string>; libraries: Set<string> }> {
  const implementations = baseTypes.flatMap((t) => t.implementations);
  const symbols = [...new Set(implementations.filter((i) => i.language === "internal").map((i) => i.symbol))];
  const libraries = [
    ...new Set(implementations.flatMap((i) => (i.language === "c" && i.library ? [i.library] : []))),
  ];
  const [role] = await queryRows(
    client,
    "destination role",
    "SELECT r.rolsuper AS superuser FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
    [],
    Flag,
  );
  const superuser = role?.superuser ?? false;
  // pg_config is for superusers only.
  const [libdir] =
    superuser && libraries.length > 0
      ? await queryRows(
          client,
          "library directory",
          "SELECT c.setting FROM pg_catalog.pg_config c WHERE c.name = 'PKGLIBDIR'",
          [],
          Setting,
        )
      : [];
  const builtins = await queryRows(
    client,
    "built-in functions",
    `SELECT DISTINCT p.prosrc AS name FROM pg_catalog.pg_proc p
     WHERE p.prolang = (SELECT l.oid FROM pg_catalog.pg_language l WHERE l.lanname = 'internal') AND p.prosrc = ANY($1::text[])`,
    [symbols],
    Name,
  );
  const found = new Set<string>();
  if (libdir) {
    // $libdir/name is name.so (or name as given) in the package library directory.
    const rows = await queryRows(
      client,
      "C libraries",
      `SELECT l.name FROM unnest($1::text[]) AS l(name)
       WHERE pg_catalog.pg_stat_file(replace(l.name, '$libdir', $2), true) IS NOT NULL
          OR pg_catalog.pg_stat_file(replace(l.name, '$libdir', $2) || '.so', true) IS NOT NULL`,
      [libraries, libdir.setting],
      Name,
    );
    for (const r of rows) found.add(r.name);
  }
  return { superuser, builtins: new Set(builtins.map((b) => b.name)), libraries: found };
}
