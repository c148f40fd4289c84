import type pg from "pg";
import { connectionLoss, markCommitInDoubt } from "../db/lost-connection.js";
import { queryOne, validRow } from "../db/rows.js";
import { execute } from "../db/session.js";
import type { Statement } from "../ddl/plan.js";
import { PgsyncError, wrapError } from "../errors.js";
import { stagedRowCount } from "./load-context.js";

/** Where a small table's builds go back to when one fails; taken in its COPY's message. */
export const BUILD_SAVEPOINT = "pgsync_builds";

/**
 * The last message of a table's load transaction: the count of the rows that arrived, the builds
 * that follow in the same transaction (a small table's indexes, keys and ANALYZE: their savepoint,
 * BUILD_SAVEPOINT, was taken in an earlier message, since the server parses a whole message before
 * it runs any of it), and the COMMIT: one round trip for all of them. Returns the count.
 *
 * A statement that fails skips the rest of the message, COMMIT included: the builds go back to the
 * savepoint and run again one at a time, so the error names the object whose statement failed, with
 * its SQL. A connection lost before the reply leaves the commit in doubt, as in inTransaction().
 */
export async function countBuildAndCommit(
  dst: pg.Client,
  staged: string,
  table: string,
  builds: readonly Statement[] | undefined,
): Promise<number> {
  const { sql: count, name, row } = stagedRowCount(staged, table);
  const origin = { name, sql: count, side: "destination" } as const;
  const release = builds ? [`RELEASE SAVEPOINT ${BUILD_SAVEPOINT}`] : [];
  // A newline before each ";": a statement's last line may be a comment.
  const text = [count, ...(builds ?? []).map((s) => s.sql), ...release, "COMMIT"].join("\n;\n");
  try {
    // Several statements: a result each, the count's first.
    const [counted] = (await dst.query(text)) as unknown as pg.QueryResult[];
    if (!counted) throw new PgsyncError("internal", `query "${name}" on the destination returned no result`);
    return validRow(counted, row, origin).n;
  } catch (error) {
    if (connectionLoss(error)) markCommitInDoubt(error);
    if (connectionLoss(error) || error instanceof PgsyncError || !builds) throw failed(error, table, count);
    // The block is in a failed state unless the COMMIT itself was what failed (then it is gone).
    const inBlock = await dst.query(`ROLLBACK TO SAVEPOINT ${BUILD_SAVEPOINT}`).then(
      () => true,
      () => false,
    );
    if (!inBlock) throw failed(error, table, count);
    return oneAtATime(dst, table, origin, row, builds);
  }
}

/** After the savepoint: the count and each build alone (the one that fails throws), then the COMMIT. */
async function oneAtATime(
  dst: pg.Client,
  table: string,
  origin: { readonly name: string; readonly sql: string },
  row: ReturnType<typeof stagedRowCount>["row"],
  builds: readonly Statement[],
): Promise<number> {
  const { n } = await queryOne(dst, origin.name, origin.sql, [], row, "destination");
  for (const s of builds) await execute(dst, s.sql, s.object);
  try {
    await dst.query(`RELEASE SAVEPOINT ${BUILD_SAVEPOINT}; COMMIT`);
  } catch (error) {
    if (connectionLoss(error)) markCommitInDoubt(error);
    throw failed(error, table, "COMMIT");
  }
  return n;
}

function failed(error: unknown, table: string, sql: string): Error {
  return wrapError("copy", `counting and committing the load of ${table} on the destination`, error, {
    object: `table ${table}`,
    sql,
    side: "destination",
  });
}
