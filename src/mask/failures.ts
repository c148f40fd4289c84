import { PgsyncError, serverFields } from "../errors.js";
import type { MaskCatalog } from "./catalog.js";
import type { Resolution } from "./resolve.js";
import { describeRule } from "./rules.js";

/**
 * A constraint that fails in staging because of masked values: a unique index that two inputs
 * masked to the same output break (phone digits or names collide more readily than hashes), or a
 * check constraint (or a domain's) that a masked value does not satisfy. The server's error names
 * the constraint and the table; this one also names the masked columns and their rules.
 */
export function explainMaskedFailure(
  error: unknown,
  tableOid: number,
  resolution: Resolution,
  catalog: MaskCatalog,
): unknown {
  const masked = resolution.byTable.get(tableOid);
  if (!masked) return error;
  const server = error instanceof PgsyncError ? error.context.server : serverFields(error);
  const code = server?.code;
  if (code !== "23505" && code !== "23514") return error;
  const constraint = server?.constraint;
  const key = catalog.keys.find((k) => k.tableOid === tableOid && k.name === constraint);
  // A domain's check names no table column: then every masked column of the table is a suspect.
  const columns = [...masked.values()].filter(
    (c) => !key || key.columns.length === 0 || key.columns.includes(c.column),
  );
  if (columns.length === 0) return error;
  const named = columns.map((c) => `${c.name} (${describeRule(c.rule)})`).join(", ");
  const message =
    code === "23505"
      ? `masked column ${named}: two different values were masked to the same value, so the unique index ${constraint ?? "(unnamed)"} cannot hold; use a transformer with more distinct outputs (hash, email) for a unique column`
      : `masked column ${named}: a masked value violates the check constraint ${constraint ?? "(unnamed)"}; change the rule so its outputs satisfy it`;
  const context = error instanceof PgsyncError ? error.context : {};
  return new PgsyncError(
    "copy",
    `${message} (${error instanceof Error ? error.message : String(error)})`,
    {
      ...context,
      ...(server ? { server } : {}),
      side: "destination",
    },
    { cause: error },
  );
}
