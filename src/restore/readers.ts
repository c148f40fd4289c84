import type pg from "pg";
import { z } from "zod";
import { int, text, textOrNull } from "../db/rows.js";
import { PgsyncError } from "../errors.js";
import { readDestination } from "./migrations.js";

/** The destination's sessions as pg_stat_activity shows them (columns are NULL for other roles' sessions). */
const SessionRow = z.object({
  pid: int,
  application_name: textOrNull,
  usename: textOrNull,
  state: textOrNull,
  xact_start: z.date().nullable(),
});
type Session = z.infer<typeof SessionRow>;

function describeSession(s: Session): string {
  const app = s.application_name ? `application "${s.application_name}", ` : "";
  const user = s.usename ? `user "${s.usename}", ` : "";
  const since = s.xact_start ? ` since ${s.xact_start.toISOString()}` : "";
  return `pid ${s.pid} (${app}${user}${s.state ?? "unknown state"}${since})`;
}

/**
 * Sessions of this database whose transaction holds a snapshot taken before `threshold`. A
 * REPEATABLE READ transaction keeps its first snapshot; if the swap committed under it, it would find
 * the new tables by name but not see their rows (they were written after its snapshot), a state that
 * is neither the old one nor the new one. Only client sessions count, and only those visible to the
 * role (pg_read_all_stats shows all).
 */
const OLDER_SNAPSHOTS = `
SELECT pid, application_name, usename, state, xact_start
FROM pg_catalog.pg_stat_activity
WHERE datname = current_database() AND pid <> pg_catalog.pg_backend_pid() AND backend_type = 'client backend'
  AND backend_xmin IS NOT NULL AND state <> 'idle' AND xact_start < $1
  AND coalesce(application_name, '') <> $2
ORDER BY xact_start`;

/**
 * Waits (polling) until no other session holds a snapshot older than the moment this is called, or
 * fails at the deadline naming those sessions.
 */
export async function waitForOlderSnapshots(
  client: pg.Client,
  options: {
    deadline: number;
    lockSeconds: number;
    ownApplicationName?: string;
    onWait?: (message: string) => void;
  },
): Promise<void> {
  const [now] = await readDestination(
    client,
    "destination time",
    "SELECT pg_catalog.now() AS now",
    [],
    z.object({ now: z.date() }),
  );
  const threshold = now?.now;
  for (;;) {
    const older = await readDestination(
      client,
      "sessions with older snapshots",
      OLDER_SNAPSHOTS,
      [threshold, options.ownApplicationName ?? ""],
      SessionRow,
    );
    if (older.length === 0) return;
    const who = older.map(describeSession).join(", ");
    if (Date.now() >= options.deadline) {
      throw new PgsyncError(
        "cutover",
        `the cut-over waited ${options.lockSeconds} seconds (timeouts.lockSeconds) for transactions that started before the new data was ready and would not see it: ${who}; nothing was changed`,
        { side: "destination" },
      );
    }
    options.onWait?.(
      `the cut-over is waiting for transactions that started before the new data was ready: ${who}`,
    );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** "pid 123 (application "psql", idle in transaction since ...) holds a lock on public.users", or "" when nobody does. */
export async function describeLockHolders(client: pg.Client, schemas: readonly string[]): Promise<string> {
  const holders = await readDestination(
    client,
    "lock holders",
    `SELECT a.pid, a.application_name, a.usename, a.state, a.xact_start,
            string_agg(DISTINCT pg_catalog.format('%I.%I', n.nspname, c.relname), ', ') AS relation
     FROM pg_catalog.pg_locks l
     JOIN pg_catalog.pg_class c ON c.oid = l.relation
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
     WHERE l.granted AND l.pid <> pg_catalog.pg_backend_pid() AND n.nspname = ANY($1::text[])
       AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
     GROUP BY a.pid, a.application_name, a.usename, a.state, a.xact_start
     ORDER BY a.pid LIMIT 5`,
    [schemas],
    SessionRow.extend({ relation: text }),
  );
  return holders.map((r) => `${describeSession(r)}, which holds a lock on ${r.relation}`).join("; ");
}

/**
 * The sessions that hold the destination's run lock (see lock.ts for the key), described for an
 * error message: a run that cannot get the lock says who has it, so a stuck session can be found.
 */
export async function describeRunLockHolders(client: pg.Client): Promise<string> {
  const holders = await readDestination(
    client,
    "run lock holders",
    `WITH k AS (SELECT pg_catalog.hashtext('pgsync-ts:' || current_database())::bigint AS key)
     SELECT a.pid, a.application_name, a.usename, a.state, a.xact_start
     FROM pg_catalog.pg_locks l CROSS JOIN k
     JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND l.classid::bigint = ((k.key >> 32) & 4294967295) AND l.objid::bigint = (k.key & 4294967295)
       AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
     ORDER BY a.pid`,
    [],
    SessionRow,
  );
  return holders.map(describeSession).join(", ");
}
