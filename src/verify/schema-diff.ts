import type { CatalogModel } from "../introspect/model.js";
import { copiesDatabaseSetting } from "../sql/settings-policy.js";

/**
 * Compares two catalog models object by object and names each object that differs. Identifiers
 * that differ between any two databases (OIDs), sizes and planner estimates are ignored; so are
 * differences in how a server version prints the same view (see withoutRangeQualifiers).
 */
export function schemaDifferences(source: CatalogModel, destination: CatalogModel): string[] {
  const a = describeObjects(source);
  const b = describeObjects(destination);
  const out: string[] = [];
  for (const [name, description] of a) {
    const other = b.get(name);
    if (other === undefined) out.push(`${name}: missing on the destination`);
    else if (other !== description)
      out.push(`${name}: differs (source ${description}; destination ${other})`);
  }
  for (const name of b.keys()) if (!a.has(name)) out.push(`${name}: exists only on the destination`);
  return out;
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

/** One line of JSON per object, keyed by a readable name; the comparable form of a model. */
export function describeObjects(model: CatalogModel): Map<string, string> {
  const schemas = new Set(model.schemas.map((s) => s.name));
  const out = new Map<string, string>();
  const put = (name: string, value: unknown) => out.set(name, JSON.stringify(strip(value)));
  const q = (o: { schema: string; name: string }) => `"${o.schema}"."${o.name}"`;
  for (const s of model.schemas) put(`schema "${s.name}"`, {});
  for (const e of model.extensions) put(`extension "${e.name}"`, { schema: e.schema });
  for (const e of model.enums) put(`type ${q(e)}`, e);
  for (const d of model.domains) put(`domain ${q(d)}`, d);
  for (const t of model.composites) put(`type ${q(t)}`, t);
  for (const r of model.ranges) put(`type ${q(r)}`, r);
  for (const r of model.routines) put(`${r.kind} ${q(r)}(${r.identityArgs})`, r);
  for (const t of model.tables) put(`table ${q(t)}`, t);
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
  for (const c of model.comments) put(`comment on ${c.kind} ${c.identity}`, c.text);
  for (const c of model.collations) put(`collation ${q(c)}`, c);
  for (const s of model.statistics) put(`statistics ${q(s)}`, s);
  for (const r of model.rules) put(`rule "${r.name}" on ${q(r.table)}`, r);
  for (const d of model.textSearchDictionaries) put(`text search dictionary ${q(d)}`, d);
  for (const c of model.textSearchConfigurations) put(`text search configuration ${q(c)}`, c);
  for (const c of model.casts) put(`cast (${c.source} AS ${c.target})`, c);
  for (const o of model.operators) put(`operator ${q(o)}(${o.left ?? "NONE"}, ${o.right})`, o);
  for (const c of model.operatorClasses) put(`operator class ${q(c)} using ${c.method}`, c);
  for (const f of model.operatorFamilies) put(`operator family ${q(f)}`, f);
  for (const s of model.foreignServers) put(`server "${s.name}"`, s);
  for (const t of model.foreignTables) put(`foreign table ${q(t)}`, t);
  // Only the settings every run copies (src/sql/settings-policy.ts): the others are withheld unless
  // a profile asks for them, and the tool's own marker and the read-only switch are never copied.
  for (const d of model.databaseSettings.filter((d) => copiesDatabaseSetting(d.name))) {
    put(`database setting ${d.name}`, d.value);
  }
  return out;
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
