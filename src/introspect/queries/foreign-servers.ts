import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../rows.js";

const Name = z.object({ name: text });

/**
 * The destination's foreign servers and foreign-data wrappers, by name, and which of the
 * functions the source's wrappers name it has: a server the plan creates needs its wrapper there
 * (or made by the plan, or brought by an extension); one that exists is left as it is.
 */
export async function destinationForeignServers(
  client: pg.Client,
  wrapperFunctions: readonly string[],
): Promise<{ servers: Set<string>; wrappers: Set<string>; functions: Set<string> }> {
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
  // The source's wrappers name their handler and validator as regproc text (schema-qualified).
  const functions = await queryRows(
    client,
    "wrapper functions",
    "SELECT f.name FROM unnest($1::text[]) AS f(name) WHERE pg_catalog.to_regproc(f.name) IS NOT NULL",
    [[...new Set(wrapperFunctions)]],
    Name,
  );
  return {
    servers: new Set(servers.map((r) => r.name)),
    wrappers: new Set(wrappers.map((r) => r.name)),
    functions: new Set(functions.map((r) => r.name)),
  };
}
