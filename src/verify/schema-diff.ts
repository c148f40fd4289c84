import type { CatalogModel, Column, Grant } from "../introspect/model.js";
import { hasFeature } from "../sql/features.js";
import { databaseSettingVerdict } from "../sql/settings-policy.js";
import { flatten, type ObjectProperties, type Properties } from "./properties.js";

export interface DescribeOptions {
  /** Owners and grants (the model must have been read with them). */
  readonly privileges?: boolean;
  /** Also the database settings a run copies only with copyDatabaseSettings (never pgsync-ts's own). */
  readonly allDatabaseSettings?: boolean;
  /** Leaves out the columns' NOT NULL constraints (names, NOT VALID, NO INHERIT: 18 and later). */
  readonly withoutNotNullConstraints?: boolean;
}

/**
 * Whether the NOT NULL constraints of table columns compare: both sides must have them (18 and
 * later). Between 18 and an older server only NOT NULL itself (attnotnull) compares, and what a run
 * rewrites for the older one (a NOT VALID or NO INHERIT one, as a CHECK) shows as that CHECK.
 */
export function notNullConstraintsCompare(a: CatalogModel, b: CatalogModel): boolean {
  const named = (m: CatalogModel) => hasFeature(m.server.major, "named NOT NULL constraints");
  return named(a) && named(b);
}

const VOLATILE_KEYS = new Set([
  "oid",
  "tableOid",
  "referencedTableOid",
  "typeOid",
  "bytes",
  "estimatedRows",
  "position",
]);

/** Every object of the model by a readable name, with its properties: the comparable form of a model. */
export function describeObjects(model: CatalogModel, options: DescribeOptions = {}): ObjectProperties {
  const schemas = new Set(model.schemas.map((s) => s.name));
  const out = new Map<string, Properties>();
  const put = (name: string, value: unknown) => out.set(name, flatten(strip(value)));
  const q = (o: { schema: string; name: string }) => `"${o.schema}"."${o.name}"`;
  for (const s of model.schemas) put(`schema "${s.name}"`, {});
  // (Versions are listed apart, catalog-extras.ts: a run creates the destination's default version.)
  for (const e of model.extensions) put(`extension "${e.name}"`, { schema: e.schema });
  for (const e of model.enums) put(`type ${q(e)}`, e);
  for (const d of model.domains) put(`domain ${q(d)}`, d);
  for (const t of model.composites) put(`type ${q(t)}`, t);
  for (const r of model.ranges) put(`type ${q(r)}`, r);
  for (const b of model.baseTypes ?? []) put(`type ${q(b)}`, b);
  for (const s of model.shellTypes ?? []) put(`shell type ${q(s)}`, s);
  for (const r of model.routines) put(`${r.kind} ${q(r)}(${r.identityArgs})`, r);
  // A table's own columns, keyed by name; with inherited columns, every column's name in order too
  // (each inherited column's details are those of the table that defines it).
  const column = options.withoutNotNullConstraints
    ? ({ notNullConstraint: _, ...c }: Column) => c
    : (c: Column) => c;
  for (const { allColumns, ...t } of model.tables) {
    const inherited = allColumns.length !== t.columns.length;
    put(`table ${q(t)}`, {
      ...t,
      columns: t.columns.map(column),
      ...(inherited ? { allColumns: allColumns.map((c) => c.name) } : {}),
    });
  }
  for (const s of model.sequences) put(`sequence ${q(s)}`, s);
  for (const v of model.views) {
    put(`${v.materialized ? "materialized view" : "view"} ${q(v)}`, {
      ...v,
      definition: withoutRangeQualifiers(v.definition, schemas),
    });
  }
  for (const c of model.constraints) put(`constraint "${c.name}" on ${q(c.table)}`, c);
  for (const i of model.indexes) put(`index "${i.table.schema}"."${i.name}"`, i);
  for (const t of model.triggers) put(`trigger "${t.name}" on ${q(t.table)}`, t);
  for (const p of model.policies) put(`policy "${p.name}" on ${q(p.table)}`, p);
  for (const c of model.comments) put(`comment on ${c.kind} ${c.identity}`, { text: c.text });
  for (const c of model.collations) put(`collation ${q(c)}`, c);
  for (const s of model.statistics) put(`statistics ${q(s)}`, s);
  for (const r of model.rules) put(`rule "${r.name}" on ${q(r.table)}`, r);
  for (const d of model.textSearchDictionaries) put(`text search dictionary ${q(d)}`, d);
  for (const c of model.textSearchConfigurations) put(`text search configuration ${q(c)}`, c);
  for (const c of model.casts) put(`cast (${c.source} AS ${c.target})`, c);
  for (const o of model.operators) put(`operator ${q(o)}(${o.left ?? "NONE"}, ${o.right})`, o);
  for (const o of model.shellOperators ?? [])
    put(`shell operator ${q(o)}(${o.left ?? "NONE"}, ${o.right})`, o);
  for (const c of model.operatorClasses) put(`operator class ${q(c)} using ${c.method}`, c);
  for (const f of model.operatorFamilies) put(`operator family ${q(f)} using ${f.method}`, f);
  for (const a of model.accessMethods) put(`access method "${a.name}"`, a);
  for (const w of model.foreignDataWrappers ?? []) put(`foreign-data wrapper "${w.name}"`, w);
  for (const s of model.foreignServers) put(`server "${s.name}"`, s);
  for (const t of model.foreignTables) put(`foreign table ${q(t)}`, t);
  for (const t of model.transforms ?? []) put(`transform for ${t.type} language ${t.language}`, t);
  for (const d of model.databaseSettings.filter((s) => settingCompared(s.name, options))) {
    put(`database setting ${d.name}`, { value: d.value });
  }
  for (const lo of model.largeObjects ?? []) {
    put(`large object ${lo.oid}`, {
      comment: lo.comment,
      ...(options.privileges ? { owner: lo.owner, grants: lo.grants && sortGrants(lo.grants) } : {}),
    });
  }
  if (options.privileges && model.privileges) describePrivileges(model.privileges, put);
  return out;
}

/**
 * The database settings every run copies (src/sql/settings-policy.ts), and with allDatabaseSettings
 * those it copies when asked to; pgsync-ts's own marker and the read-only switch never travel.
 */
export function settingCompared(name: string, options: DescribeOptions): boolean {
  const verdict = databaseSettingVerdict(name);
  return verdict.copy === "always" || (verdict.copy === "opt-in" && options.allDatabaseSettings === true);
}

/**
 * Owners and grants, in an order of their own (a run grants in its order). Schemas keep the
 * destination's owner (docs/schema.md), so a schema's owner is not compared; its grants are.
 */
function describePrivileges(
  privileges: NonNullable<CatalogModel["privileges"]>,
  put: (name: string, value: unknown) => void,
): void {
  for (const o of privileges.objects) {
    put(`privileges on ${o.kind.toLowerCase()} ${o.name}`, {
      ...(o.kind === "SCHEMA" ? {} : { owner: o.owner }),
      explicitAcl: o.hasAcl,
      grants: sortGrants(o.grants),
    });
  }
  for (const c of privileges.columns)
    put(`privileges on column ${c.name}.${c.column}`, { grants: sortGrants(c.grants) });
  for (const d of privileges.defaults) {
    const where = d.schema === null ? "" : ` in schema ${d.schema}`;
    put(`default privileges of ${d.role} on ${d.objects.toLowerCase()}${where}`, {
      grants: sortGrants(d.grants),
    });
  }
}

function sortGrants(grants: readonly Grant[]): string[] {
  return grants
    .map((g) => `${g.grantee ?? "PUBLIC"}: ${g.privilege}${g.grantable ? " WITH GRANT OPTION" : ""}`)
    .sort();
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !VOLATILE_KEYS.has(k))
        .map(([k, v]) => [k, strip(v)]),
    );
  }
  return value;
}

/**
 * PostgreSQL 16 and later deparse a single-relation query without the relation qualifier that 14
 * and 15 print (`SELECT id` against `SELECT people.id`): the same query, printed differently. This
 * drops qualifiers that are not schema names before comparing.
 */
export function withoutRangeQualifiers(sql: string, schemas: ReadonlySet<string>): string {
  return sql.replace(/\b([a-z_][a-z0-9_]*)\.(?=[a-z_"])/g, (match, qualifier: string) =>
    schemas.has(qualifier) ? match : "",
  );
}
