import { parseConnectionString } from "../util/connection-string.js";

/**
 * Which database a connection string points at, whoever connects: `host:port/database`. Two profiles
 * with the same key write to the same destination, so the scheduler never runs them at once
 * (whatever user or options their connection strings carry). Read with the connection parser, so a
 * keyword/value string or a Unix-socket URL gets the same key as the URL of the same database.
 */
export function destinationKey(connectionString: string): string {
  const parsed = parseConnectionString(connectionString.trim());
  // Resolved profiles hold only strings the parser accepted; anything else is its own key.
  if (!parsed.ok) return connectionString;
  const f = parsed.value.fields;
  const host = (f.host || f.hostaddr || "localhost").toLowerCase();
  return `${host}:${f.port || "5432"}/${f.dbname || f.user || ""}`;
}
