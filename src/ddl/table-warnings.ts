import type { CatalogModel } from "../introspect/model.js";
import { hasFeature } from "../sql/features.js";
import { tableLookup, tableShape } from "./render/table-forms.js";
import { notNullAsCheck } from "./render/table-parts.js";

const q = (o: { schema: string; name: string }) => `"${o.schema}"."${o.name}"`;

/**
 * What the plan changes on purpose, for the run to report:
 * - a sequence of an unlogged table, unlogged on the source, is logged on 14 (which has no unlogged
 *   sequences; one made unlogged on its own is refused instead);
 * - a child created in the source's column order and given its parents with INHERIT (its parents'
 *   columns did not all come first): its inherited columns become its own as well (attislocal);
 * - before 18, a NOT NULL constraint that is NOT VALID or NO INHERIT (18) becomes the CHECK that
 *   enforces the same (src/ddl/render/table-parts.ts, addNotNull).
 */
export function tableWarnings(model: CatalogModel, targetMajor: number): string[] {
  const out: string[] = [];
  if (!hasFeature(targetMajor, "unlogged sequences")) {
    const unloggedTables = new Set(model.tables.filter((t) => t.persistence === "unlogged").map(q));
    for (const s of model.sequences)
      if (s.persistence === "unlogged" && s.ownedBy && unloggedTables.has(q(s.ownedBy.table)))
        out.push(
          `sequence ${q(s)} (of unlogged table ${q(s.ownedBy.table)}) is unlogged on the source; PostgreSQL ${targetMajor} has no unlogged sequences, so it is created logged`,
        );
  }
  for (const t of model.tables)
    for (const c of t.allColumns) {
      const n = c.notNullConstraint;
      if (!n || !notNullAsCheck(c, targetMajor)) continue;
      const what = [n.valid ? "" : "NOT VALID", n.noInherit ? "NO INHERIT" : ""].filter(Boolean).join(" ");
      out.push(
        `column ${q(t)}."${c.name}": its NOT NULL constraint "${n.name}" is ${what}, which PostgreSQL ${targetMajor} cannot hold; it is created as CHECK ("${c.name}" IS NOT NULL) ${what}, which enforces the same (the column's attnotnull is false there)`,
      );
    }
  const lookup = tableLookup(model);
  for (const t of model.tables) {
    if (tableShape(t, lookup).form !== "inherit") continue;
    const local = new Set(t.columns.map((c) => c.name));
    const inherited = t.allColumns.filter((c) => !local.has(c.name)).map((c) => `"${c.name}"`);
    if (inherited.length > 0)
      out.push(
        `table ${q(t)}: kept in the source's column order, so created with every column and then INHERIT; its inherited column(s) ${inherited.join(", ")} become its own as well (dropping them from the parent will not drop them here)`,
      );
  }
  return out;
}
