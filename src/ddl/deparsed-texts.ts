import type { CatalogModel, QualifiedName } from "../introspect/model.js";

/** A piece of SQL that the source's deparser printed, and the object it belongs to (as refusals name it). */
export interface DeparsedText {
  readonly object: string;
  readonly sql: string;
}

const q = (o: QualifiedName) => `"${o.schema}"."${o.name}"`;

/**
 * Every deparsed SQL text of the model, each with its object: what a rule about the source's SQL
 * syntax (one the destination's parser may not know) must look through.
 */
export function deparsedTexts(m: CatalogModel): DeparsedText[] {
  const out: DeparsedText[] = [];
  const add = (object: string, sql: string | undefined) => {
    if (sql !== undefined) out.push({ object, sql });
  };
  for (const v of m.views) add(`${v.materialized ? "materialized view" : "view"} ${q(v)}`, v.definition);
  for (const r of m.routines)
    if (r.kind !== "aggregate") add(`${r.kind} ${q(r)}(${r.identityArgs})`, r.definition);
  for (const t of m.tables) {
    for (const c of t.columns) {
      add(`column ${q(t)}."${c.name}"`, c.defaultExpr);
      add(`column ${q(t)}."${c.name}"`, c.generated?.expr);
    }
  }
  for (const c of m.constraints) add(`constraint "${c.name}" on ${q(c.table)}`, c.definition);
  for (const i of m.indexes) add(`index "${i.table.schema}"."${i.name}"`, i.definition);
  for (const d of m.domains) {
    add(`domain ${q(d)}`, d.defaultExpr);
    for (const c of d.checks) add(`domain ${q(d)}`, c.definition);
  }
  for (const r of m.rules) add(`rule "${r.name}" on ${q(r.table)}`, r.definition);
  for (const t of m.triggers) add(`trigger "${t.name}" on ${q(t.table)}`, t.definition);
  for (const p of m.policies) {
    add(`policy "${p.name}" on ${q(p.table)}`, p.using);
    add(`policy "${p.name}" on ${q(p.table)}`, p.withCheck);
  }
  return out;
}
