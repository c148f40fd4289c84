import type pg from "pg";
import { parse } from "pg-connection-string";
import { PgsyncError } from "../errors.js";
import { planTls, TLS_URL_PARAMS, type TlsParams, type TlsPlan } from "./tls.js";

export interface ConnectTarget {
  /** Everything pg.Client needs except `ssl` and the timeout, which each try sets. */
  readonly config: pg.ClientConfig;
  readonly tls: TlsPlan;
  /** The host as written in the URL (for TLS messages). */
  readonly host: string;
}

/**
 * Reads a postgres URL into a pg.Client config. The TLS parameters are taken out first and turned
 * into an explicit `ssl` per try (see tls.ts): handed to node-postgres they would mean something
 * else than in libpq, and it would read certificate files synchronously. Nothing is added as a
 * startup parameter: a transaction pooler rejects `options`, and settings go in SET LOCAL.
 */
export async function connectTarget(url: string): Promise<ConnectTarget> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PgsyncError("config", "is not a valid URL");
  }
  const tlsParams: Record<string, string> = {};
  for (const name of TLS_URL_PARAMS) {
    const value = parsed.searchParams.get(name);
    if (value !== null) tlsParams[name] = value;
    parsed.searchParams.delete(name);
  }
  const fields = parse(parsed.toString());
  const host = fields.host ?? "localhost";
  const config: pg.ClientConfig = {
    host,
    ...(fields.port ? { port: Number(fields.port) } : {}),
    ...(fields.user ? { user: fields.user } : {}),
    ...(fields.password ? { password: fields.password } : {}),
    ...(fields.database ? { database: fields.database } : {}),
    // Only what the URL itself asks for; a pooler in between decides whether it accepts it.
    ...(typeof fields.options === "string" ? { options: fields.options } : {}),
    ...(typeof fields.client_encoding === "string" ? { client_encoding: fields.client_encoding } : {}),
    ...(typeof fields.application_name === "string" ? { application_name: fields.application_name } : {}),
  };
  const tls = await planTls(tlsParams as TlsParams, host);
  return { config, tls, host };
}
