import type { MaskRuleSpec } from "../config/types.js";

/** A transformer, as the resolution works with it (docs/masking.md describes each). */
export type MaskRule =
  | { readonly kind: "email" }
  | { readonly kind: "phone" }
  | { readonly kind: "name" }
  | { readonly kind: "null" }
  | { readonly kind: "hash" }
  | { readonly kind: "fixed"; readonly value: string }
  | { readonly kind: "shift-days"; readonly days: number }
  | { readonly kind: "sql"; readonly sql: string };

export function ruleFromSpec(spec: MaskRuleSpec): MaskRule {
  if (typeof spec === "string") return { kind: spec };
  if ("fixed" in spec) return { kind: "fixed", value: spec.fixed };
  if ("sql" in spec) return { kind: "sql", sql: spec.sql };
  return { kind: "shift-days", days: spec["shift-days"] };
}

/** The rule as a profile writes it, for the fingerprint and the summary. */
export function ruleSpec(rule: MaskRule): MaskRuleSpec {
  switch (rule.kind) {
    case "fixed":
      return { fixed: rule.value };
    case "sql":
      return { sql: rule.sql };
    case "shift-days":
      return { "shift-days": rule.days };
    default:
      return rule.kind;
  }
}

/** A short description for messages and summaries: `email`, `fixed "redacted"`, `shift-days 30`. */
export function describeRule(rule: MaskRule): string {
  switch (rule.kind) {
    case "fixed":
      return `fixed ${JSON.stringify(rule.value.length > 40 ? `${rule.value.slice(0, 37)}...` : rule.value)}`;
    case "sql":
      return `sql ${JSON.stringify(rule.sql.length > 60 ? `${rule.sql.slice(0, 57)}...` : rule.sql)}`;
    case "shift-days":
      return `shift-days ${rule.days}`;
    default:
      return rule.kind;
  }
}

export function sameRule(a: MaskRule, b: MaskRule): boolean {
  return JSON.stringify(ruleSpec(a)) === JSON.stringify(ruleSpec(b));
}
