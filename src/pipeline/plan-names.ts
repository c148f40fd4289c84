import type { SyncPlan } from "../ddl/plan.js";
import { requalify } from "../ddl/requalify.js";
import { identName, isIdent, tokenize } from "../ddl/sql-tokens.js";
import { quoteIdent } from "../sql/quote.js";

/** Turns a run's staging schema names back into the live names they take at the cut-over. */
export interface LiveNames {
  /** A statement as it reads once its objects are live (the requalifier, mapping staging to live). */
  sql(text: string): string;
  /** A server message or field (plain text, no SQL quoting rules) with the staging names replaced. */
  text(value: string): string;
}

export function liveNames(plan: Pick<SyncPlan, "schemas">): LiveNames {
  const live = new Map(plan.schemas.map((s) => [s.staging, s.name]));
  // Longest first, so `<prefix>_12` is never read as `<prefix>_1` followed by "2".
  const staged = [...live.keys()].sort((a, b) => b.length - a.length);
  const pattern = staged.length > 0 ? new RegExp(staged.map(escapeRegExp).join("|"), "g") : undefined;
  return {
    sql(text) {
      const requalified = requalify(text, (schema) => live.get(schema));
      // A staging schema named on its own (not qualifying an object), e.g. `GRANT USAGE ON SCHEMA`.
      return tokenize(requalified)
        .map((t) => {
          const name = isIdent(t) ? live.get(identName(t)) : undefined;
          return name === undefined ? t.text : quoteIdent(name);
        })
        .join("");
    },
    text(value) {
      return pattern ? value.replace(pattern, (m) => live.get(m) ?? m) : value;
    },
  };
}

/** The statements that create the staging schemas themselves: they have no live counterpart. */
export function isStagingSchemaStatement(plan: Pick<SyncPlan, "schemas">, sql: string): boolean {
  return plan.schemas.some((s) => sql === `CREATE SCHEMA ${quoteIdent(s.staging)}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
