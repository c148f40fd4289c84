import type pg from "pg";
import { z } from "zod";
import { wrapError } from "../errors.js";
import { reservedConnectionSlots } from "../sql/catalog-variants.js";
import type { Side } from "./connect.js";
import { int, text, validRow } from "./rows.js";
import { pinnedQuery } from "./session.js";

/**
 * How many more connections a side can open: the server's max_connections (less the slots reserved
 * for superusers, and from 16 on for pg_use_reserved_connections), the role's connection limit
 * (rolconnlimit) and the database's (datconnlimit), each less what is already in use. Superusers
 * are not subject to the role and database limits, nor to the reserved slots. Providers set these
 * limits low on small plans, so the run sizes its worker pool to fit instead of failing half way.
 */
export interface ConnectionRoom {
  readonly side: Side;
  /** Identifies the server: both sides on one server share its slots (and a role's limit). */
  readonly server: string;
  readonly role: string;
  readonly database: string;
  readonly limits: readonly ConnectionLimit[];
}

export interface ConnectionLimit {
  readonly scope: "server" | "role" | "database";
  /** Connections allowed in this scope for this role. */
  readonly limit: number;
  readonly inUse: number;
  /** How it reads in a warning: `max_connections = 20 (3 reserved)`. */
  readonly label: string;
}

const SQL = `
SELECT pg_catalog.current_setting('max_connections')::int AS max_connections,
       pg_catalog.current_setting('superuser_reserved_connections')::int AS superuser_reserved,
       ${reservedConnectionSlots()} AS reserved,
       coalesce((SELECT pg_catalog.pg_has_role(current_user, r.oid, 'USAGE')
                   FROM pg_catalog.pg_roles r WHERE r.rolname = 'pg_use_reserved_connections'), false) AS may_use_reserved,
       r.rolsuper AS superuser,
       r.rolconnlimit AS role_limit,
       d.datconnlimit AS database_limit,
       current_user AS role,
       current_database() AS database,
       pg_catalog.pg_postmaster_start_time()::text || ' ' || coalesce(pg_catalog.inet_server_port(), 0) AS server,
       -- An unprivileged role sees other roles' rows without backend_type; a session connected to a
       -- database under a role (datid and usesysid set) is a client, not a background process.
       (SELECT count(*) FROM pg_catalog.pg_stat_activity a
         WHERE a.backend_type = 'client backend'
            OR (a.backend_type IS NULL AND a.datid IS NOT NULL AND a.usesysid IS NOT NULL))::int AS server_in_use,
       (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.usesysid = r.oid)::int AS role_in_use,
       (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.datid = d.oid)::int AS database_in_use
  FROM pg_catalog.pg_roles r, pg_catalog.pg_database d
 WHERE r.rolname = current_user AND d.datname = current_database()`;

const Row = z.object({
  max_connections: int,
  superuser_reserved: int,
  reserved: int,
  may_use_reserved: z.boolean(),
  superuser: z.boolean(),
  role_limit: int,
  database_limit: int,
  role: text,
  database: text,
  server: text,
  server_in_use: int,
  role_in_use: int,
  database_in_use: int,
});

export async function readConnectionRoom(client: pg.Client, side: Side): Promise<ConnectionRoom> {
  const row = await readOne(client, side, "connection limits", SQL, Row);
  const limits: ConnectionLimit[] = [];
  const reserved = row.superuser ? 0 : row.superuser_reserved + (row.may_use_reserved ? 0 : row.reserved);
  limits.push({
    scope: "server",
    limit: row.max_connections - reserved,
    inUse: row.server_in_use,
    label: `max_connections = ${row.max_connections}${reserved > 0 ? ` (${reserved} reserved)` : ""}`,
  });
  if (!row.superuser && row.role_limit >= 0) {
    limits.push({
      scope: "role",
      limit: row.role_limit,
      inUse: row.role_in_use,
      label: `role "${row.role}" has CONNECTION LIMIT ${row.role_limit}`,
    });
  }
  if (!row.superuser && row.database_limit >= 0) {
    limits.push({
      scope: "database",
      limit: row.database_limit,
      inUse: row.database_in_use,
      label: `database "${row.database}" has CONNECTION LIMIT ${row.database_limit}`,
    });
  }
  return { side, server: row.server, role: row.role, database: row.database, limits };
}

export interface WorkerSizing {
  readonly workers: number;
  /** Why fewer workers than asked for, naming the limit; undefined when none binds. */
  readonly reason?: string;
}

/**
 * The most workers (up to `requested`) that fit. Each worker opens `perWorker[side]` more
 * connections on a side (the run reuses the snapshot exporter as the first worker's source, so the
 * source needs one fewer). When both sides are the same server, its slots and a shared role's limit
 * count the connections of both sides together. At least one worker is kept: if even that does not
 * fit, connecting reports the server's own "too many connections" after retrying.
 */
export function sizeWorkers(
  requested: number,
  rooms: { readonly source: ConnectionRoom; readonly destination: ConnectionRoom },
  extra: (side: Side, workers: number) => number,
): WorkerSizing {
  const { source, destination } = rooms;
  const sameServer = source.server === destination.server;
  const sharedBetweenSides = (limit: ConnectionLimit) =>
    sameServer && (limit.scope === "server" || (limit.scope === "role" && source.role === destination.role));
  const constraints: { where: string; limit: ConnectionLimit; need: (w: number) => number }[] = [];
  for (const limit of source.limits) {
    if (!sharedBetweenSides(limit))
      constraints.push({ where: "source", limit, need: (w) => extra("source", w) });
  }
  for (const limit of destination.limits) {
    constraints.push(
      sharedBetweenSides(limit)
        ? {
            where: "server of both sides",
            limit,
            need: (w) => extra("source", w) + extra("destination", w),
          }
        : { where: "destination", limit, need: (w) => extra("destination", w) },
    );
  }
  const blocking = (w: number) => constraints.find((c) => c.need(w) > c.limit.limit - c.limit.inUse);
  const wanted = Math.max(1, requested);
  let workers = wanted;
  while (workers > 1 && blocking(workers)) workers--;
  const binding = blocking(wanted);
  if (workers === wanted || !binding) return { workers };
  return {
    workers,
    reason: `parallelism lowered from ${wanted} to ${workers} to fit the connection limits: on the ${binding.where}, ${binding.limit.label} and ${binding.limit.inUse} connection(s) are in use, while ${wanted} workers need ${binding.need(wanted)} more`,
  };
}

/**
 * The server's lock table: PostgreSQL sizes it for max_locks_per_transaction locks for each of
 * max_connections + max_prepared_transactions sessions, shared by every transaction on the server
 * (one transaction may use far more than its share, as long as the others leave room). A run holds
 * many locks at once: the source's snapshot transaction locks every copied table and each worker's
 * transaction keeps the locks of what it read; the destination's cut-over locks every table it moves.
 */
export interface LockTable {
  readonly side: Side;
  readonly perTransaction: number;
  readonly connections: number;
  readonly prepared: number;
  /** perTransaction × (connections + prepared): the slots the server sized its lock table for. */
  readonly slots: number;
}

const LOCK_TABLE_SQL = `
SELECT pg_catalog.current_setting('max_locks_per_transaction')::int AS per_transaction,
       pg_catalog.current_setting('max_connections')::int AS connections,
       pg_catalog.current_setting('max_prepared_transactions')::int AS prepared`;

const LockTableRow = z.object({ per_transaction: int, connections: int, prepared: int });

export async function readLockTable(client: pg.Client, side: Side): Promise<LockTable> {
  const row = await readOne(client, side, "lock table size", LOCK_TABLE_SQL, LockTableRow);
  const { per_transaction: perTransaction, connections, prepared } = row;
  return { side, perTransaction, connections, prepared, slots: perTransaction * (connections + prepared) };
}

/**
 * Locks a session holds beyond the objects it works on: the catalog tables and indexes its queries
 * read (measured: 75 to 95 per connection, beyond the 16 a session keeps outside the shared table).
 */
export const CATALOG_LOCKS_PER_SESSION = 100;

/** What a run needs of a side's lock table at its peak, and why (for the message). */
export interface LockNeed {
  readonly locks: number;
  /** "the snapshot transaction and the workers lock 10,000 tables" */
  readonly what: string;
}

/**
 * The refusal when a side's lock table cannot hold what the run needs at once, naming the numbers
 * and the setting to raise (it needs a server restart); undefined when it fits.
 */
export function lockTableShortfall(table: LockTable, need: LockNeed): string | undefined {
  if (need.locks <= table.slots) return undefined;
  const sessions = table.connections + table.prepared;
  const enough = Math.ceil(need.locks / sessions / 16) * 16;
  return (
    `the ${table.side}'s lock table is too small for this run: ${need.what}, about ${need.locks} locks at once, ` +
    `while max_locks_per_transaction = ${table.perTransaction} × (max_connections = ${table.connections} + ` +
    `max_prepared_transactions = ${table.prepared}) gives ${table.slots}. Raise max_locks_per_transaction on the ` +
    `${table.side} to at least ${enough} (it takes effect after a restart of the server), or sync fewer tables at a time`
  );
}

/** One row of the server's settings; a failure is the side's connection problem, naming what was read. */
async function readOne<S extends z.ZodType>(
  client: pg.Client,
  side: Side,
  name: string,
  sql: string,
  schema: S,
): Promise<z.infer<S>> {
  let result: pg.QueryResult;
  try {
    result = await pinnedQuery(client, sql);
  } catch (error) {
    throw wrapError("connection", `reading the ${name} of the ${side}`, error, { side, sql });
  }
  return validRow(result, schema, { name, sql, side, kind: "connection" });
}
