import type pg from "pg";
import { z } from "zod";
import { announcedProcessId } from "./pg-internals.js";
import { int, queryOne } from "./rows.js";

/**
 * Connection poolers (PgBouncer, Supavisor, RDS Proxy, ...) between the tool and the server.
 *
 * Detection: at login a server sends the client its process id (BackendKeyData, used to cancel
 * queries). A pooler cannot hand out the id of a server connection it may swap at every
 * transaction, so it sends one of its own (PgBouncer: a random cancel key). When that id differs
 * from pg_backend_pid(), something that speaks the protocol sits between: a pooler. A plain TCP
 * proxy (a cloud load balancer, a port mapping) passes the id through and is correctly seen as
 * direct. The tool's sessions are written to work either way (SET LOCAL only, transaction-level
 * locks, no named prepared statements, no startup options), so detection only chooses safer
 * waits and clearer messages; a pooler that passes the id through is still handled correctly.
 */
export function isPooled(client: pg.Client, backendPid: number): boolean {
  const announced = announcedProcessId(client);
  return announced !== undefined && announced !== backendPid;
}

/** pg_backend_pid() of the server process the session (or, behind a pooler, its transaction) runs on. */
export async function backendPid(client: pg.Client): Promise<number> {
  const row = await queryOne(
    client,
    "backend process id",
    "SELECT pg_catalog.pg_backend_pid() AS pid",
    [],
    z.object({ pid: int }),
  );
  return row.pid;
}

export const DIRECT_ENDPOINT_HINT =
  "use the direct (unpooled) endpoint of the database for this URL: most providers show it next to the pooled one (Neon: the host without -pooler; Supabase: port 5432 of db.<project>.supabase.co)";

/** A pooler's refusal of a startup parameter, e.g. PgBouncer's "unsupported startup parameter: options". */
export function startupParameterRejected(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : "";
  return /unsupported startup parameter:\s*(\S+)/.exec(message)?.[1];
}

/**
 * Runs a query but gives up after `seconds` (a pooler queues a query while all its server
 * connections are taken; the server's statement_timeout cannot help there, nothing runs yet).
 * On timeout the client is ended, which also drops the queued request at the pooler, and
 * `undefined` is returned.
 */
export async function queryWithin(
  client: pg.Client,
  sql: string,
  seconds: number,
): Promise<pg.QueryResult | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), seconds * 1000);
  });
  const query = client.query(sql);
  try {
    const result = await Promise.race([query, timedOut]);
    if (result === undefined) {
      query.catch(() => {}); // ending the client fails the queued query; nobody waits for it
      await client.end().catch(() => {});
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}
