/**
 * The one table of server features that depend on the major version, with the version that brought
 * each. Every version-dependent rule on the destination side (a refusal, a renderer's choice, a
 * session setting) looks its feature up here; the source side's catalog variants live in
 * `src/sql/catalog-variants.ts`.
 */
export const FEATURES = {
  "UNIQUE NULLS NOT DISTINCT": 15,
  "security_invoker views": 15,
  "ICU tailoring rules (CREATE COLLATION ... rules)": 16,
  "the builtin collation provider": 17,
  "the MAINTAIN privilege": 17,
  transaction_timeout: 17,
  "unlogged sequences": 15,
  "numeric with a negative scale": 15,
  "XMLSERIALIZE ... [NO] INDENT": 16,
  "virtual generated columns": 18,
  /** Table NOT NULL constraints with names, NOT VALID and NO INHERIT (pg_constraint contype 'n'). */
  "named NOT NULL constraints": 18,
  /** CREATE INDEX ... USING brin with max_parallel_maintenance_workers > 0. */
  "parallel BRIN index builds": 17,
  /** CREATE INDEX ... USING gin with max_parallel_maintenance_workers > 0. */
  "parallel GIN index builds": 18,
  /** A child's (or partition's) generated column with an expression other than its parent's. */
  "inheritance children with a generation expression of their own": 16,
  "table access methods on partitioned tables": 17,
  /** From 17 on, binary-coercible casts (WITHOUT FUNCTION) of range types are refused. */
  "binary-coercible casts of range types": -17,
  /** From 16 on, a child's column may be generated only when its parent's is. */
  "generated columns in inheritance children whose parent's column is not generated": -16,
} as const satisfies Record<string, number>;

export type Feature = keyof typeof FEATURES;

/**
 * Whether a server of this major version has the feature. A negative entry names a feature that a
 * version removed: it holds before that version only.
 */
export function hasFeature(major: number, feature: Feature): boolean {
  const since: number = FEATURES[feature];
  return since >= 0 ? major >= since : major < -since;
}

/** "needs PostgreSQL 15 or later", or "PostgreSQL 17 and later refuse it". */
export function featureRequirement(feature: Feature): string {
  const since: number = FEATURES[feature];
  return since >= 0
    ? `${feature} needs PostgreSQL ${since} or later`
    : `PostgreSQL ${-since} and later refuse ${feature}`;
}
