import type { CatalogModel } from "../introspect/model.js";

/**
 * Every rule that depends on the destination's major version lives here, with the version it needs.
 * A rule either refuses an object the destination cannot hold, or is consulted by the renderer.
 */

/** An object the destination cannot receive, and why (the feature and the version that has it). */
export interface Refusal {
  readonly object: string;
  readonly reason: string;
}

interface FeatureRule {
  readonly feature: string;
  readonly since: number;
  readonly find: (model: CatalogModel) => string[];
}

const FEATURE_RULES: readonly FeatureRule[] = [
  {
    feature: "virtual generated columns",
    since: 18,
    find: (m) =>
      m.tables.flatMap((t) =>
        t.columns
          .filter((c) => c.generated?.kind === "virtual")
          .map((c) => `column "${t.schema}"."${t.name}"."${c.name}"`),
      ),
  },
  {
    feature: "security_invoker views",
    since: 15,
    find: (m) =>
      m.views
        .filter((v) => v.options.some((o) => /^security_invoker=(true|on|1)$/i.test(o)))
        .map((v) => `view "${v.schema}"."${v.name}"`),
  },
  {
    feature: "UNIQUE NULLS NOT DISTINCT",
    since: 15,
    find: (m) => [
      ...m.constraints
        .filter((c) => /\bNULLS NOT DISTINCT\b/.test(c.definition))
        .map((c) => `constraint "${c.name}" on "${c.table.schema}"."${c.table.name}"`),
      ...m.indexes
        .filter((i) => /\bNULLS NOT DISTINCT\b/.test(i.definition))
        .map((i) => `index "${i.table.schema}"."${i.name}"`),
    ],
  },
];

/**
 * The objects of the model that a destination of this major version cannot hold: features newer
 * than the destination, and built-in functions it does not have (asked of the destination itself,
 * so the rule holds for any pair of versions).
 */
export function findRefusals(
  model: CatalogModel,
  targetMajor: number,
  missingFunctions: ReadonlySet<string> = new Set(),
): Refusal[] {
  const features = FEATURE_RULES.filter((rule) => targetMajor < rule.since).flatMap((rule) =>
    rule
      .find(model)
      .map((object) => ({ object, reason: `${rule.feature} needs PostgreSQL ${rule.since} or later` })),
  );
  const functions = model.builtinFunctionUses
    .filter((u) => missingFunctions.has(u.signature))
    .map((u) => ({
      object: u.usedBy,
      reason: `it calls ${u.signature}, which PostgreSQL ${targetMajor} does not have (PostgreSQL ${model.server.major} does)`,
    }));
  return [...features, ...functions];
}

/** transaction_timeout exists from 17 on; older servers reject SET of an unknown parameter. */
export function hasTransactionTimeout(major: number): boolean {
  return major >= 17;
}

/** Privileges that appeared after PostgreSQL 14, with the version that has them. */
const NEWER_PRIVILEGES: Readonly<Record<string, number>> = { MAINTAIN: 17 };

/** Whether a destination of this major version knows a privilege (GRANT MAINTAIN fails before 17). */
export function hasPrivilege(privilege: string, major: number): boolean {
  return major >= (NEWER_PRIVILEGES[privilege] ?? 0);
}
