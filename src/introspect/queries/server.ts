import type pg from "pg";
import { z } from "zod";
import { PgsyncError } from "../../errors.js";
import type { ServerInfo } from "../model.js";
import { int, queryRows, text, textOrNull } from "../rows.js";

// The system identifier is readable only with the right privilege; the fallback (postmaster start
// time and port) still tells two servers apart.
const SQL = `
SELECT current_setting('server_version_num')::int AS version_num,
       current_setting('server_version') AS version,
       current_database() AS database,
       current_user AS "user",
       (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) AS is_superuser,
       pg_catalog.pg_is_in_recovery() AS in_recovery,
       (SELECT d.oid::text FROM pg_catalog.pg_database d WHERE d.datname = current_database()) AS database_oid,
       CASE WHEN pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')
            THEN (SELECT s.system_identifier::text FROM pg_catalog.pg_control_system() s) END AS system_identifier,
       pg_catalog.pg_postmaster_start_time()::text AS started_at,
       coalesce(pg_catalog.inet_server_port(), 0) AS port`;

const Row = z.object({
  version_num: int,
  version: text,
  database: text,
  user: text,
  is_superuser: z.boolean(),
  in_recovery: z.boolean(),
  database_oid: text,
  system_identifier: textOrNull,
  started_at: text,
  port: int,
});

export async function readServerInfo(client: pg.Client): Promise<ServerInfo> {
  const [row] = await queryRows(client, "server", SQL, [], Row);
  if (!row)
    throw new PgsyncError("internal", "reading the server's version and identity: the query returned no row");
  const server = row.system_identifier ?? `started ${row.started_at} port ${row.port}`;
  return {
    versionNum: row.version_num,
    major: Math.floor(row.version_num / 10000),
    version: row.version,
    database: row.database,
    user: row.user,
    isSuperuser: row.is_superuser,
    inRecovery: row.in_recovery,
    identity: `${server}/db ${row.database_oid}`,
  };
}
