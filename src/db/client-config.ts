import { isIP } from "node:net";
import type pg from "pg";
import { PgsyncError } from "../errors.js";
import { type ConnectionKeyword, parseConnectionString } from "../util/connection-string.js";
import { passwordFromEnvironment } from "./pgpass.js";
import { planTls, type SslSetting, TLS_URL_PARAMS, type TlsParams, type TlsPlan } from "./tls.js";

export interface ConnectTarget {
  /** Everything pg.Client needs except `ssl` and the timeout, which each try sets. */
  readonly config: pg.ClientConfig;
  readonly tls: TlsPlan;
  /** The host as written in the connection string (for TLS messages). */
  readonly host: string;
}

/**
 * Reads a connection string (a URL or libpq keyword/value pairs, through the one parser the masker
 * also uses) into a pg.Client config. The TLS keywords are turned into an explicit `ssl` per try
 * (see tls.ts): handed to node-postgres they would mean something else than in libpq, and it would
 * read certificate files synchronously. A host that starts with `/` is a Unix-socket directory,
 * which node-postgres takes as the host too. Nothing is added as a startup parameter: a transaction
 * pooler rejects `options`, and settings go in SET LOCAL.
 */
export async function connectTarget(connectionString: string): Promise<ConnectTarget> {
  const parsed = parseConnectionString(connectionString.trim());
  if (!parsed.ok) {
    throw new PgsyncError(
      "config",
      parsed.form === "url" ? `is not a valid URL (${parsed.reason})` : parsed.reason,
    );
  }
  const fields = parsed.value.fields;
  const tlsParams: Partial<Record<ConnectionKeyword, string>> = {};
  for (const name of TLS_URL_PARAMS) {
    if (fields[name] !== undefined) tlsParams[name] = fields[name];
  }
  const host = fields.host || "localhost";
  // libpq: hostaddr is the address connected to; host stays the name TLS checks.
  const address = fields.hostaddr || host;
  const config: pg.ClientConfig = {
    host: address,
    ...(fields.port ? { port: Number(fields.port) } : {}),
    ...(fields.user ? { user: fields.user } : {}),
    // Without one, PGPASSWORD or the password file, read by us (pgpass.ts): not by node-postgres.
    password: fields.password
      ? fields.password
      : passwordFromEnvironment(fields.host || fields.hostaddr || ""),
    ...(fields.dbname ? { database: fields.dbname } : {}),
    // Only what the connection string itself asks for; a pooler in between decides whether it accepts it.
    ...(fields.options !== undefined ? { options: fields.options } : {}),
    ...(fields.client_encoding !== undefined ? { client_encoding: fields.client_encoding } : {}),
    ...(fields.application_name !== undefined ? { application_name: fields.application_name } : {}),
  };
  const planned = await planTls(tlsParams as TlsParams, host);
  const tls = address !== host && isIP(host) === 0 ? namedTls(planned, host) : planned;
  return { config, tls, host };
}

/** TLS to an address given by hostaddr still names (SNI) and checks the host as written. */
function namedTls(plan: TlsPlan, servername: string): TlsPlan {
  const named = (t: SslSetting): SslSetting => (t === false ? t : { ...t, servername });
  const [first, second] = plan.tries;
  return { ...plan, tries: second === undefined ? [named(first)] : [named(first), named(second)] };
}
