import type pg from "pg";
import { quoteLiteral } from "../ddl/quote.js";
import { wrapError } from "../errors.js";

/** Settings applied with SET LOCAL at the start of a transaction (so they also hold behind a transaction pooler). */
export type LocalSettings = Readonly<Record<string, string | number>>;

/**
 * The settings every session of the tool uses, so that values print the same way on both sides and a
 * role-level limit set by a provider does not cut a long copy.
 */
export function baseSettings(statementSeconds: number): LocalSettings {
  return {
    DateStyle: "ISO, MDY",
    IntervalStyle: "postgres",
    extra_float_digits: 3,
    bytea_output: "hex",
    client_encoding: "UTF8",
    standard_conforming_strings: "on",
    statement_timeout: `${statementSeconds}s`,
    idle_in_transaction_session_timeout: 0,
    search_path: "pg_catalog",
  };
}

export function setLocalSql(settings: LocalSettings): string {
  return Object.entries(settings)
    .map(([name, value]) => `SET LOCAL ${name} = ${typeof value === "number" ? value : quoteLiteral(value)}`)
    .join("; ");
}

export async function begin(client: pg.Client, settings: LocalSettings, mode = ""): Promise<void> {
  await client.query(`BEGIN${mode ? ` ${mode}` : ""}`);
  const sql = setLocalSql(settings);
  if (sql) await client.query(sql);
}

/** Runs fn inside a transaction with the given local settings; rolls back on error. */
export async function inTransaction<T>(
  client: pg.Client,
  settings: LocalSettings,
  fn: () => Promise<T>,
  mode = "",
): Promise<T> {
  await begin(client, settings, mode);
  try {
    const result = await fn();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Runs one statement and turns a failure into an error that names the object and carries the SQL. */
export async function execute(
  client: pg.Client,
  sql: string,
  what: string,
  kind: "ddl" | "cutover" | "copy" | "verify" = "ddl",
  side: "source" | "destination" = "destination",
): Promise<pg.QueryResult> {
  try {
    return await client.query(sql);
  } catch (error) {
    throw wrapError(kind, `${what} failed on the ${side}`, error, { object: what, sql, side });
  }
}
