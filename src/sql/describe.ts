import { quoteIdent } from "./quote.js";

/** An object's name: schema first; one part for an object outside schemas (a schema, an extension). */
export type ObjectName = string | readonly string[] | { readonly schema: string; readonly name: string };

/**
 * How every message, plan line and warning names a database object: its kind, then its name with
 * each part double-quoted as in SQL (so that a name holding a dot, a space or a quote reads back
 * unambiguously): `table "public"."users"`, `column "public"."users"."email"`,
 * `function "public"."f"(integer)`, `constraint "users_pkey" on "public"."users"`,
 * `extension "citext"`. `args` is shown as is, in parentheses (a routine's argument types); `on`
 * names the table an object without a schema of its own belongs to.
 */
export function describeObject(
  kind: string,
  name: ObjectName,
  more: { readonly args?: string; readonly on?: ObjectName } = {},
): string {
  const args = more.args === undefined ? "" : `(${more.args})`;
  const on = more.on === undefined ? "" : ` on ${quotedName(more.on)}`;
  return `${kind} ${quotedName(name)}${args}${on}`;
}

function quotedName(name: ObjectName): string {
  const parts = typeof name === "string" ? [name] : "schema" in name ? [name.schema, name.name] : name;
  return parts.map(quoteIdent).join(".");
}

/**
 * describeObject for an object the catalog identified by its address (pg_identify_object_as_address:
 * its type, name parts and argument types), so that what a query finds reads like what the plan
 * names: `constraint "c" on "s"."t"`, `column "s"."t"."c"`, `function "s"."f"(integer, text)`.
 * `rename` maps a schema name (a staging schema shown as the live one it becomes).
 */
export function describeAddress(
  address: { readonly type: string; readonly names: readonly string[]; readonly args: readonly string[] },
  rename: (schema: string) => string = (schema) => schema,
): string {
  const { type } = address;
  // The address names built-in types with their schema (pg_catalog.text): shown as SQL spells them.
  const args = address.args.map((a) => a.replace(/^pg_catalog\./, ""));
  const [first = "", ...rest] = address.names;
  const names = [rename(first), ...rest];
  const last = names.at(-1) ?? "";
  if (type === "cast") return `cast (${names[0]} AS ${args[0] ?? ""})`;
  if (type === "table column") return describeObject("column", names);
  if (type === "default value") return describeObject("default value of column", names);
  // Objects named on their table (or domain): the last part is their own name.
  if (/^(table constraint|domain constraint|trigger|policy|rule)$/.test(type)) {
    const kind = type.endsWith("constraint") ? "constraint" : type;
    return describeObject(kind, last, { on: names.slice(0, -1) });
  }
  if (/^(function|procedure|aggregate|operator)$/.test(type))
    return describeObject(type, names, { args: args.join(", ") });
  // Operator classes and families: the access method comes first.
  if (type === "operator class" || type === "operator family")
    return `${describeObject(type, names.slice(1))} using ${names[0]}`;
  return describeObject(type, names, args.length > 0 ? { args: args.join(", ") } : {});
}

/**
 * A lateral subquery giving the catalog address of an object as describeAddress() reads it (columns
 * `type`, `names`, `args`): pg_identify_object_as_address, except for types, which it gives as one
 * formatted name (`app.mood`): here a type is its schema and name, and a domain says so.
 */
export function objectAddressSql(classid: string, objid: string, subid: string): string {
  return `(SELECT CASE WHEN t.typtype = 'd' THEN 'domain' ELSE a.type END AS type,
          CASE WHEN t.oid IS NULL THEN a.object_names ELSE ARRAY[n.nspname::text, t.typname::text] END AS names,
          a.object_args AS args
   FROM pg_catalog.pg_identify_object_as_address(${classid}, ${objid}, ${subid}) a
   LEFT JOIN pg_catalog.pg_type t ON ${classid} = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = ${objid}
   LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace)`;
}
