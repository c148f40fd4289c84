import type { CatalogModel } from "../introspect/model.js";
import { type Feature, featureRequirement, hasFeature } from "../sql/features.js";

/**
 * The refusals that depend on the destination's major version. Each names its feature in the one
 * version table (`src/sql/features.ts`); renderers consult the same table for their choices.
 */

/** An object the destination cannot receive, and why (the feature and the version that has it). */
export interface Refusal {
  readonly object: string;
  readonly reason: string;
}

interface FeatureRule {
  readonly feature: Feature;
  readonly find: (model: CatalogModel) => string[];
}

const FEATURE_RULES: readonly FeatureRule[] = [
  {
    feature: "virtual generated columns",
    find: (m) =>
      m.tables.flatMap((t) =>
        t.columns
          .filter((c) => c.generated?.kind === "virtual")
          .map((c) => `column "${t.schema}"."${t.name}"."${c.name}"`),
      ),
  },
  {
    feature: "security_invoker views",
    find: (m) =>
      m.views
        .filter((v) => v.options.some((o) => /^security_invoker=(true|on|1)$/i.test(o)))
        .map((v) => `view "${v.schema}"."${v.name}"`),
  },
  {
    feature: "UNIQUE NULLS NOT DISTINCT",
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
  const features = FEATURE_RULES.filter((rule) => !hasFeature(targetMajor, rule.feature)).flatMap((rule) =>
    rule.find(model).map((object) => ({ object, reason: featureRequirement(rule.feature) })),
  );
  const functions = model.builtinFunctionUses
    .filter((u) => missingFunctions.has(u.signature))
    .map((u) => ({
      object: u.usedBy,
      reason: `it calls ${u.signature}, which PostgreSQL ${targetMajor} does not have (PostgreSQL ${model.server.major} does)`,
    }));
  return [...features, ...functions];
}
