import type { TablePlan } from "../ddl/plan.js";
import { PgsyncError } from "../errors.js";

/**
 * The text retry of a binary COPY (the fidelity issue, point 30): whether a receive function takes
 * back what its send function wrote depends on the value as well as the type. The binary list
 * (src/introspect/queries/columns.ts) keeps out the types whose edge values fail; a table whose
 * binary COPY is still rejected is copied once more, in text, and the run says so.
 */

/** Where a table's load goes back to before it copies again in text. */
export const BINARY_SAVEPOINT = "pgsync_binary_copy";
/** SQLSTATEs of a receive function that rejects a value: invalid text representation, invalid binary representation, internal error. */
const RECEIVE_FAILURES = new Set(["22P02", "22P03", "XX000"]);

/**
 * Whether a binary COPY failed in a column's receive function on the destination (PostgreSQL's
 * context names the column: "COPY t, line 2, column q"): the same rows may load in text, as an empty
 * tsquery does, which tsqueryrecv rejects although tsquerysend wrote it.
 */
export function rejectedByReceive(t: TablePlan, error: unknown): boolean {
  if (t.format !== "binary" || !(error instanceof PgsyncError) || error.context.side !== "destination")
    return false;
  const server = error.context.server;
  return RECEIVE_FAILURES.has(server?.code ?? "") && /^COPY .*, line \d+, column /.test(server?.where ?? "");
}

export function retryWarning(name: string, error: unknown): string {
  const message = error instanceof PgsyncError ? error.describe() : String(error);
  return `${name}: the destination rejected a value of its binary COPY (${message}); the table was copied again in text`;
}
