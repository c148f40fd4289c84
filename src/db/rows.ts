import type pg from "pg";
import { z } from "zod";
import { type ErrorKind, PgsyncError, wrapError } from "../errors.js";
import { pinnedQuery, sessionFacts } from "./session.js";

/** Column decoders shared by the raw-row schemas. node-postgres returns int8 and numeric as strings. */
export const oid = z.coerce.number().int().nonnegative();
export const int = z.coerce.number().int();
export const num = z.coerce.number();
export const text = z.string();
export const textOrNull = z.string().nullable();
export const textArray = z.array(z.string());

/** Where a result's rows came from, for the error a row of the wrong shape raises. */
export interface RowsOrigin {
  /** What the query reads, e.g. "connection limits". */
  readonly name: string;
  readonly sql?: string;
  readonly side?: "source" | "destination" | undefined;
  /** The error's kind; "internal" (the catalog or a table of the tool's own is not as expected) by default. */
  readonly kind?: ErrorKind;
  readonly object?: string;
}

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
  return validRows(result, schema, { name, sql, side });
}

/** queryRows for a statement that returns exactly one row (an aggregate, a setting, a function's result). */
export async function queryOne<S extends z.ZodType>(
  client: pg.Client,
  name: string,
  sql: string,
  params: readonly unknown[],
  schema: S,
  side: "source" | "destination" | undefined = sessionFacts(client)?.side,
): Promise<z.infer<S>> {
  const rows = await queryRows(client, name, sql, params, schema, side);
  return exactlyOne(rows, { name, sql, side });
}

/**
 * Validates the rows of a result the caller obtained itself: a statement whose failure it reports
 * in its own words, or one that must run exactly as sent (unpinned, or on a client that is not the
 * tool's). The row of the wrong shape fails as queryRows' does.
 */
export function validRows<S extends z.ZodType>(
  result: pg.QueryResult,
  schema: S,
  origin: RowsOrigin,
): z.infer<S>[] {
  const shared = new Map<string, string>();
  return result.rows.map((row, i) => {
    const parsed = schema.safeParse(row);
    if (!parsed.success) {
      throw new PgsyncError(
        origin.kind ?? "internal",
        `query "${origin.name}"${onSide(origin.side)} returned an unexpected row ${i}: ${parsed.error.message}`,
        context(origin),
      );
    }
    return shareRepeatedStrings(parsed.data, shared);
  });
}

/**
 * The driver makes a new string of every value of every row; a catalog result repeats the same
 * short ones (a schema, a type, a column name) thousands of times, and the model keeps them for the
 * whole run. One copy of each per result: the model of 10,000 tables takes 22 MB instead of 28
 * (bench/README.md, "Memory at 10,000 tables").
 */
function shareRepeatedStrings<T>(row: T, shared: Map<string, string>): T {
  if (typeof row !== "object" || row === null || Array.isArray(row) || Object.isFrozen(row)) return row;
  const fields = row as Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (typeof value !== "string" || value.length > SHARED_STRING_MAX) continue;
    const first = shared.get(value);
    if (first === undefined) shared.set(value, value);
    else fields[key] = first;
  }
  return row;
}

const SHARED_STRING_MAX = 128;

/** validRows for a statement that returns exactly one row. */
export function validRow<S extends z.ZodType>(
  result: pg.QueryResult,
  schema: S,
  origin: RowsOrigin,
): z.infer<S> {
  return exactlyOne(validRows(result, schema, origin), origin);
}

function exactlyOne<T>(rows: readonly T[], origin: RowsOrigin): T {
  const [row] = rows;
  if (rows.length !== 1 || row === undefined) {
    throw new PgsyncError(
      origin.kind ?? "internal",
      `query "${origin.name}"${onSide(origin.side)} returned ${rows.length} rows, expected one`,
      context(origin),
    );
  }
  return row;
}

function context(origin: RowsOrigin) {
  return {
    ...(origin.sql ? { sql: origin.sql } : {}),
    ...(origin.side ? { side: origin.side } : {}),
    ...(origin.object ? { object: origin.object } : {}),
  };
}

function onSide(side: "source" | "destination" | undefined): string {
  return side ? ` on the ${side}` : "";
}
