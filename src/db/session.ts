import type pg from "pg";
import { DEFAULT_TIMEOUTS } from "../config/builtins.js";
import { wrapError } from "../errors.js";
import { hasFeature } from "../sql/features.js";
import { quoteLiteral } from "../sql/quote.js";

/** What connect() learned about a session. */
export interface SessionFacts {
  readonly serverMajor: number;
  /** Which side of the sync the session is on, for the errors of statements run on it. */
  readonly side: "source" | "destination";
}

const facts = new WeakMap<pg.Client, SessionFacts>();

/** Called by connect(): lets begin() add the settings that only some server versions know. */
export function rememberSession(client: pg.Client, sessionFacts: SessionFacts): void {
  facts.set(client, sessionFacts);
}

/** The facts connect() recorded for this client; undefined for a client opened some other way. */
export function sessionFacts(client: pg.Client): SessionFacts | undefined {
  return facts.get(client);
}

/** Settings applied with SET LOCAL at the start of a transaction (so they also hold behind a transaction pooler). */
export type LocalSettings = Readonly<Record<string, string | number>>;

/**
 * The settings every session of the tool uses, so that values print the same way on both sides and a
 * role-level limit set by a provider (statement_timeout, lock_timeout, idle_in_transaction_session_timeout;
 * transaction_timeout is added by begin() on servers that have it) does not cut a long copy: each
 * transaction carries the tool's own per-operation values instead.
 */
export function baseSettings(
  statementSeconds: number,
  lockSeconds: number = DEFAULT_TIMEOUTS.lockSeconds,
): LocalSettings {
  return {
    DateStyle: "ISO, MDY",
    IntervalStyle: "postgres",
    extra_float_digits: 3,
    bytea_output: "hex",
    client_encoding: "UTF8",
    standard_conforming_strings: "on",
    statement_timeout: `${statementSeconds}s`,
    lock_timeout: `${lockSeconds}s`,
    idle_in_transaction_session_timeout: 0,
    search_path: "pg_catalog",
  };
}

export function setLocalSql(settings: LocalSettings): string {
  return Object.entries(settings)
    .map(([name, value]) => `SET LOCAL ${name} = ${typeof value === "number" ? value : quoteLiteral(value)}`)
    .join("; ");
}

/**
 * The settings a transaction on this client gets: the given ones, plus transaction_timeout = 0 on
 * PostgreSQL 17+ (a role-level transaction_timeout would otherwise end the long snapshot and copy
 * transactions; older servers reject the name, so it is only sent where it exists).
 */
export function transactionSettings(client: pg.Client, settings: LocalSettings): LocalSettings {
  const major = facts.get(client)?.serverMajor;
  if (major === undefined || !hasFeature(major, "transaction_timeout") || "transaction_timeout" in settings)
    return settings;
  return { ...settings, transaction_timeout: 0 };
}

/**
 * BEGIN and the SET LOCALs go in one message: the transaction never sits idle before its own
 * idle_in_transaction_session_timeout applies, and it costs one round trip. SET LOCAL (not SET)
 * because behind a transaction pooler a session setting would land on whichever server connection
 * the pooler picks, and stay there for its next client.
 */
export async function begin(client: pg.Client, settings: LocalSettings, mode = ""): Promise<void> {
  const local = setLocalSql(transactionSettings(client, settings));
  const sql = `BEGIN${mode ? ` ${mode}` : ""}${local ? `; ${local}` : ""}`;
  try {
    await client.query(sql);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
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
