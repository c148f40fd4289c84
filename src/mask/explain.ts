import type pg from "pg";
import { errorMessage } from "../errors.js";
import type { Table } from "../introspect/model.js";
import { qualify, quoteLiteral } from "../sql/quote.js";
import type { MaskedColumn } from "./resolve.js";
import { describeRule } from "./rules.js";

/**
 * Plans every written expression (`sql` rules) on the source with EXPLAIN, and casts every `fixed`
 * value to its column's type, before anything is written: a mistake fails here, naming its column,
 * instead of halfway through the copy. Each in a savepoint of the caller's transaction (the run's snapshot, read-only),
 * over the extended protocol so that an expression can hold only one statement.
 */
export async function explainMaskedColumns(
  client: pg.Client,
  tables: ReadonlyMap<number, Table>,
  columns: readonly MaskedColumn[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const c of columns) {
    if (c.rule.kind !== "sql" && c.rule.kind !== "fixed") continue;
    const table = tables.get(c.tableOid);
    if (!table) continue;
    // A fixed value is cast once, reading no row: a value the type rejects fails here, not mid-copy.
    const sql =
      c.rule.kind === "fixed"
        ? `SELECT CAST(${quoteLiteral(c.rule.value)} AS ${c.type})`
        : `EXPLAIN SELECT CAST((${c.sql}) AS ${c.type}) FROM ONLY ${qualify(table.schema, table.name)} AS t`;
    await client.query("SAVEPOINT pgsync_mask_check");
    try {
      await client.query({ text: sql, queryMode: "extended" } as pg.QueryConfig);
      await client.query("RELEASE SAVEPOINT pgsync_mask_check");
    } catch (error) {
      await client.query("ROLLBACK TO SAVEPOINT pgsync_mask_check");
      problems.push(
        `masking ${c.name} (${describeRule(c.rule)}): the source cannot compute it: ${errorMessage(error)}`,
      );
    }
  }
  return problems;
}
