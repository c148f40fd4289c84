import type { CatalogModel, Collation } from "../../introspect/model.js";
import { quoteLiteral } from "../quote.js";
import type { Refusal } from "../version-rules.js";
import type { RenderContext } from "./context.js";

/**
 * CREATE COLLATION with the same options on every destination version: `lc_collate`/`lc_ctype` for
 * libc, `locale` for ICU and builtin. The collation version is not carried: the destination records
 * the version of its own ICU or C library.
 */
export function createCollation(c: Collation, ctx: RenderContext): string {
  const parts = [`provider = ${c.provider}`];
  if (c.lcCollate !== undefined) parts.push(`lc_collate = ${quoteLiteral(c.lcCollate)}`);
  if (c.lcCtype !== undefined) parts.push(`lc_ctype = ${quoteLiteral(c.lcCtype)}`);
  if (c.locale !== undefined) parts.push(`locale = ${quoteLiteral(c.locale)}`);
  if (c.icuRules !== undefined) parts.push(`rules = ${quoteLiteral(c.icuRules)}`);
  if (!c.deterministic) parts.push("deterministic = false");
  return `CREATE COLLATION ${ctx.staged(c)} (${parts.join(", ")})`;
}

/** Collation features a destination may not have, with the version that brought each one. */
const COLLATION_FEATURES: readonly {
  readonly feature: string;
  readonly since: number;
  readonly uses: (c: Collation) => boolean;
}[] = [
  {
    feature: "ICU tailoring rules (CREATE COLLATION ... rules)",
    since: 16,
    uses: (c) => c.icuRules !== undefined,
  },
  { feature: "the builtin collation provider", since: 17, uses: (c) => c.provider === "builtin" },
];

export function collationRefusals(model: CatalogModel, targetMajor: number): Refusal[] {
  return COLLATION_FEATURES.filter((f) => targetMajor < f.since).flatMap((f) =>
    model.collations.filter(f.uses).map((c) => ({
      object: `collation "${c.schema}"."${c.name}"`,
      reason: `${f.feature} needs PostgreSQL ${f.since} or later`,
    })),
  );
}
