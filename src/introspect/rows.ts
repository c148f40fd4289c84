import type pg from "pg";
import { z } from "zod";
import { PgsyncError, wrapError } from "../errors.js";

/** Column decoders shared by the raw-row schemas. node-postgres returns int8 and numeric as strings. */
export const oid = z.coerce.number().int().nonnegative();
export const int = z.coerce.number().int();
export const num = z.coerce.number();
export const text = z.string();
export const textOrNull = z.string().nullable();
export const textArray = z.array(z.string());

/**
 * Runs one catalog query and validates every row at the boundary, so that a catalog that does not
 * look as expected fails here with the query named, and no untyped value travels further.
 */
export async function queryRows<S extends z.ZodType>(
  client: pg.Client,
  name: string,
  sql: string,
  params: readonly unknown[],
  schema: S,
): Promise<z.infer<S>[]> {
  let result: pg.QueryResult;
  try {
    result = await client.query(sql, params as unknown[]);
  } catch (error) {
    throw wrapError("internal", `catalog query "${name}"`, error, { sql, side: "source" });
  }
  return result.rows.map((row, i) => {
    const parsed = schema.safeParse(row);
    if (!parsed.success) {
      throw new PgsyncError(
        "internal",
        `catalog query "${name}" returned an unexpected row ${i}: ${parsed.error.message}`,
        {
          sql,
        },
      );
    }
    return parsed.data;
  });
}

/** The predicate that hides objects created by an extension: the extension creates them, never us. */
export const NOT_EXTENSION_MEMBER = (classTable: string, oidExpr: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend ext_dep WHERE ext_dep.classid = '${classTable}'::regclass AND ext_dep.objid = ${oidExpr} AND ext_dep.deptype = 'e')`;
