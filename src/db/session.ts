import type pg from "pg";
import { DEFAULT_TIMEOUTS } from "../config/builtins.js";
import { wrapError } from "../errors.js";
import { hasFeature } from "../sql/features.js";
import { quoteLiteral } from "../sql/quote.js";
import { markCommitInDoubt } from "./lost-connection.js";
import { onTransactionStatus } from "./pg-internals.js";

/** What connect() learned about a session. */
export interface SessionFacts {
  readonly serverMajor: number;
  /** Which side of the sync the session is on, for the errors of statements run on it. */
  readonly side: "source" | "destination";
}

const facts = new WeakMap<pg.Client, SessionFacts>();

/**
 * The transaction status each ReadyForQuery message reports ("I" idle, "T" in a transaction block,
 * "E" in a failed one), for the sessions connect() opened: pinned() needs to know whether a
 * statement would run in a transaction of the tool's (which begin() pinned) or on its own.
 */
const status = new WeakMap<pg.Client, string>();

/**
 * Called by connect(): lets begin() add the settings that only some server versions know, and starts
 * following the session's transaction status.
 */
export function rememberSession(client: pg.Client, sessionFacts: SessionFacts): void {
  facts.set(client, sessionFacts);
  status.set(client, "I");
  onTransactionStatus(client, (s) => status.set(client, s));
}

/** The facts connect() recorded for this client; undefined for a client opened some other way. */
export function sessionFacts(client: pg.Client): SessionFacts | undefined {
  return facts.get(client);
}

/**
 * The settings every statement of the tool runs under, whatever the database or the role set.
 * With search_path = pg_catalog, no name in the tool's SQL (a function, an operator such as `=` or
 * `||`, a type in a cast) can resolve to an object that a user (or a copied source) put in another
 * schema: a database-level `search_path = public, pg_catalog` would otherwise let `public.=` take
 * over the tool's own queries (the CVE-2018-1058 pattern). The others fix how values are written,
 * so that the tool reads what it expects (a database's `DateStyle = 'SQL, DMY'` would otherwise
 * turn every timestamp the tool reads into one the driver cannot parse).
 */
export const PINNED_SETTINGS: LocalSettings = {
  DateStyle: "ISO, MDY",
  IntervalStyle: "postgres",
  extra_float_digits: 3,
  bytea_output: "hex",
  client_encoding: "UTF8",
  standard_conforming_strings: "on",
  search_path: "pg_catalog",
};

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
    ...PINNED_SETTINGS,
    statement_timeout: `${statementSeconds}s`,
    lock_timeout: `${lockSeconds}s`,
    idle_in_transaction_session_timeout: 0,
  };
}

export function setLocalSql(settings: LocalSettings): string {
  return Object.entries(settings)
    .map(([name, value]) => `SET LOCAL ${name} = ${typeof value === "number" ? value : quoteLiteral(value)}`)
    .join("; ");
}

/**
 * The settings a transaction on this client gets: the pinned ones (PINNED_SETTINGS, also when the
 * caller only asked for timeouts), the given ones, plus transaction_timeout = 0 on PostgreSQL 17+ (a
 * role-level transaction_timeout would otherwise end the long snapshot and copy transactions; older
 * servers reject the name, so it is only sent where it exists).
 */
export function transactionSettings(client: pg.Client, settings: LocalSettings): LocalSettings {
  const pinned = { ...PINNED_SETTINGS, ...settings };
  const major = facts.get(client)?.serverMajor;
  if (major === undefined || !hasFeature(major, "transaction_timeout") || "transaction_timeout" in pinned)
    return pinned;
  return { ...pinned, transaction_timeout: 0 };
}

/**
 * BEGIN and the SET LOCALs go in one message: the transaction never sits idle before its own
 * idle_in_transaction_session_timeout applies, and it costs one round trip. SET LOCAL (not SET)
 * because behind a transaction pooler a session setting would land on whichever server connection
 * the pooler picks, and stay there for its next client.
 */
export async function begin(
  client: pg.Client,
  settings: LocalSettings,
  mode = "",
  /** A statement to run first in the transaction, in the same message (a SAVEPOINT). */
  first?: string,
): Promise<void> {
  const sql = beginSql(client, settings, mode, first);
  try {
    await client.query(sql);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** What begin() sends, for a caller that sends it ahead of its own first statement, in one message. */
export function beginSql(client: pg.Client, settings: LocalSettings, mode = "", first?: string): string {
  const local = setLocalSql(transactionSettings(client, settings));
  return `BEGIN${mode ? ` ${mode}` : ""}${local ? `; ${local}` : ""}${first ? `; ${first}` : ""}`;
}

/** Runs fn inside a transaction with the given local settings; rolls back on error. */
export async function inTransaction<T>(
  client: pg.Client,
  settings: LocalSettings,
  fn: () => Promise<T>,
  mode = "",
  first?: string,
): Promise<T> {
  await begin(client, settings, mode, first);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
  try {
    await client.query("COMMIT");
  } catch (error) {
    // The server may have committed before the connection broke: whoever reports it must not guess.
    markCommitInDoubt(error);
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
  return result;
}

/**
 * One statement in a transaction of its own, sent with its BEGIN, settings and COMMIT in one message
 * (one round trip instead of three; the settings apply before the statement's names are resolved,
 * since the server analyzes each statement of a message only when it reaches it). A failure is
 * rolled back and names the object, with the statement's SQL, as execute() does. A connection lost
 * before the reply leaves the commit in doubt, as in inTransaction().
 */
export async function executeInOwnTransaction(
  client: pg.Client,
  settings: LocalSettings,
  sql: string,
  what: string,
): Promise<void> {
  const local = setLocalSql(transactionSettings(client, settings));
  try {
    // A newline before the ";": the statement may end with a comment.
    await client.query(`BEGIN${local ? `; ${local}` : ""}; ${sql}\n; COMMIT`);
  } catch (error) {
    markCommitInDoubt(error);
    await client.query("ROLLBACK").catch(() => {});
    throw wrapError("ddl", `${what} failed on the destination`, error, {
      object: what,
      sql,
      side: "destination",
    });
  }
}

/**
 * Whether the session is inside a transaction block (begun by begin(), hence pinned). Undefined for
 * a client that connect() did not open: nothing is known about it.
 */
export function inTransactionBlock(client: pg.Client): boolean | undefined {
  const s = status.get(client);
  return s === undefined ? undefined : s !== "I";
}

/**
 * The transaction status of the last ReadyForQuery: "I" idle, "T" in a transaction block, "E" in a
 * failed one. After a message that failed, "E" means a statement inside the block failed, and "I"
 * that the block ended (its COMMIT failed, or there was none). Undefined as for inTransactionBlock().
 */
export function transactionStatus(client: pg.Client): string | undefined {
  return status.get(client);
}

/**
 * Runs fn with the session pinned (PINNED_SETTINGS, search_path = pg_catalog first among them,
 * with SET LOCAL): inside the caller's
 * transaction when one is open (every transaction begin() opens is pinned), else in a transaction of
 * its own, so that a statement sent on its own never runs under the database's or the role's
 * search_path. This holds behind a transaction pooler too, where a session SET would leak to other
 * clients and startup options are refused. A client connect() did not open is used as it is.
 */
export async function pinned<T>(client: pg.Client, fn: () => Promise<T>): Promise<T> {
  if (inTransactionBlock(client) !== false) return fn();
  return inTransaction(client, {}, fn);
}

/** One statement, pinned (see pinned()). Its rows are unchecked: read them with validRows() (rows.ts). */
export function pinnedQuery(
  client: pg.Client,
  sql: string,
  params?: readonly unknown[],
): Promise<pg.QueryResult> {
  return pinned(client, () => client.query(sql, params ? [...params] : undefined));
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
    return await pinnedQuery(client, sql);
  } catch (error) {
    throw wrapError(kind, `${what} failed on the ${side}`, error, { object: what, sql, side });
  }
}
