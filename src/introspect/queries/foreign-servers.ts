import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../rows.js";

const Name = z.object({ name: text });

/**
 * The destination's foreign servers and foreign-data wrappers, by name: a server the plan creates
 * needs its wrapper there (or an extension of the plan that brings it); one that exists is left as
 * it is.
 */
export async function destinationForeignServers(
  client: pg.Client,
): Promise<{ servers: Set<string>; wrappers: Set<string> }> {
  const servers = await queryRows(
    client,
    "foreign servers",
    "SELECT srvname AS name FROM pg_catalog.pg_foreign_server",
    [],
    Name,
  );
  const wrappers = await queryRows(
    client,
    "foreign-data wrappers",
    "SELECT fdwname AS name FROM pg_catalog.pg_foreign_data_wrapper",
    [],
    Name,
  );
  return { servers: new Set(servers.map((r) => r.name)), wrappers: new Set(wrappers.map((r) => r.name)) };
}
