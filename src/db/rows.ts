import type pg from "pg";
import { z } from "zod";
import { PgsyncError, wrapError } from "../errors.js";
import { pinnedQuery, sessionFacts } from "./session.js";

/** Column decoders shared by the raw-row schemas. node-postgres returns int8 and numeric as strings. */
export const oid = z.coerce.number().int().nonnegative();
export const int = z.coerce.number().int();
export const num = z.coerce.number();
export const text = z.string();
export const textOrNull = z.string().nullable();
export const textArray = z.array(z.string());

/**
 * Runs one query and validates every row at the boundary, so that a catalog (or a table of the
 * tool's own) that does not look as expected fails here with the query and the side named, and no
 * untyped value travels further. `side` defaults to the side connect() recorded for the client. The
 * query is pinned (search_path = pg_catalog, see pinned() in session.ts) when no transaction is open.
 */
export async function queryRows<S extends z.ZodType>(
  client: pg.Client,
  name: string,
  sql: string,
  params: readonly unknown[],
  schema: S,
  side: "source" | "destination" | undefined = sessionFacts(client)?.side,
): Promise<z.infer<S>[]> {
  let result: pg.QueryResult;
  try {
    result = await pinnedQuery(client, sql, params);
  } catch (error) {
    throw wrapError("internal", `query "${name}"${onSide(side)}`, error, { sql, ...(side ? { side } : {}) });
  }
  return result.rows.map((row, i) => {
    const parsed = schema.safeParse(row);
    if (!parsed.success) {
      throw new PgsyncError(
        "internal",
        `query "${name}"${onSide(side)} returned an unexpected row ${i}: ${parsed.error.message}`,
        { sql, ...(side ? { side } : {}) },
      );
    }
    return parsed.data;
  });
}

function onSide(side: "source" | "destination" | undefined): string {
  return side ? ` on the ${side}` : "";
}
