import type { BaseType, CatalogModel } from "../../introspect/model.js";
import { describeObject } from "../../sql/describe.js";
import { qualify } from "../../sql/quote.js";
import type { Refusal } from "../version-rules.js";

/** What the destination has of the code behind base types (src/introspect/queries/base-types.ts). */
export interface ImplementationFacts {
  readonly superuser?: boolean;
  /** Built-in function names (prosrc of language internal) the destination has. */
  readonly builtins?: ReadonlySet<string>;
  /** C libraries (probin, as the source names them) found on the destination. */
  readonly libraries?: ReadonlySet<string>;
}

/**
 * A base type is carried where the destination has its implementation: every support function a
 * built-in it has, or a symbol of a C library it has, and a superuser to create them. Otherwise the
 * type is refused, with every table that uses it (their rows could not be stored), before anything
 * is written; so is any routine in C or internal code when the destination role is no superuser.
 */
export function baseTypeRefusals(
  model: CatalogModel,
  facts: ImplementationFacts,
  targetMajor: number,
): Refusal[] {
  const tables = new Map(model.tables.map((t) => [`pg_class:${t.oid}`, t]));
  const users = new Map<string, string[]>();
  for (const d of model.dependencies) {
    const table = tables.get(d.dependent);
    if (!table) continue;
    const list = users.get(d.referenced) ?? [];
    list.push(qualify(table.schema, table.name));
    users.set(d.referenced, list);
  }
  const types = (model.baseTypes ?? []).flatMap((t) => {
    const reason = missingImplementation(t, facts, targetMajor);
    if (!reason) return [];
    const type = describeObject("type", t);
    return [
      { object: type, reason },
      ...[...new Set(users.get(`pg_type:${t.oid}`) ?? [])].sort().map((table) => ({
        object: `table ${table}`,
        reason: `it uses ${type}, which the destination cannot hold: ${reason}`,
      })),
    ];
  });
  // Any other routine in C or internal code needs a superuser too (they are untrusted languages).
  // Not an aggregate: pg_proc lists every aggregate as internal (aggregate_dummy), and CREATE
  // AGGREGATE needs no superuser, whatever its support functions are written in.
  const routines =
    facts.superuser === false
      ? model.routines
          .filter((r) => r.kind !== "aggregate" && (r.language === "c" || r.language === "internal"))
          .map((r) => ({
            object: describeObject(r.kind, r, { args: r.identityArgs }),
            reason: `it is written in ${r.language === "c" ? "C" : "internal"} code, which only a superuser can create: run the sync as a superuser of the destination`,
          }))
      : [];
  return [...types, ...routines];
}

function missingImplementation(
  t: BaseType,
  facts: ImplementationFacts,
  targetMajor: number,
): string | undefined {
  if (facts.superuser === false)
    return "only a superuser can create a base type and its C or internal functions: run the sync as a superuser of the destination";
  for (const i of t.implementations) {
    if (i.language === "internal" && facts.builtins && !facts.builtins.has(i.symbol))
      return `its function ${i.function} is the built-in ${i.symbol}, which PostgreSQL ${targetMajor} does not have`;
    if (i.language === "c" && facts.libraries && !(i.library !== undefined && facts.libraries.has(i.library)))
      return `its function ${i.function} is ${i.symbol} in the C library ${i.library ?? "(none)"}, which the destination does not have: install the library there`;
  }
  return undefined;
}
