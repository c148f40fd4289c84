import type { CatalogModel, Collation } from "../../introspect/model.js";
import { describeObject } from "../../sql/describe.js";
import { type Feature, featureRequirement, hasFeature } from "../../sql/features.js";
import { quoteLiteral } from "../../sql/quote.js";
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

/** Collation features a destination may not have (their versions are in the feature table). */
const COLLATION_FEATURES: readonly { readonly feature: Feature; readonly uses: (c: Collation) => boolean }[] =
  [
    { feature: "ICU tailoring rules (CREATE COLLATION ... rules)", uses: (c) => c.icuRules !== undefined },
    { feature: "the builtin collation provider", uses: (c) => c.provider === "builtin" },
  ];

export function collationRefusals(model: CatalogModel, targetMajor: number): Refusal[] {
  return COLLATION_FEATURES.filter((f) => !hasFeature(targetMajor, f.feature)).flatMap((f) =>
    model.collations.filter(f.uses).map((c) => ({
      object: describeObject("collation", c),
      reason: featureRequirement(f.feature),
    })),
  );
}
