/** What a caller asks of an embedded server, and what it gets back. */
import type { PgMajor } from "./majors.js";

export type SettingValue = string | number | boolean;

export interface StartOptions {
  major: PgMajor;
  /** Default: a free port picked by the OS. */
  port?: number;
  /** Extra postgresql.conf settings, e.g. `{ ssl: "on", ssl_cert_file: "/path/cert.pem" }`. */
  settings?: Record<string, SettingValue>;
  /** Extra pg_hba.conf lines, inserted before the default ones (first match wins). */
  hbaLines?: string[];
  /** Default: a random one. Required when `dataDir` already holds a cluster. */
  superuserPassword?: string;
  /** Default true: fsync, synchronous_commit and full_page_writes off. False keeps durable defaults. */
  fast?: boolean;
  /** Default: a fresh temp dir, removed by stop(). A given dir is initialised if empty and never removed. */
  dataDir?: string;
  /** Label used in log and temp dir names (`<name>-pg<major>-…`). */
  name?: string;
  /** Where the server log goes. Default `<tmp>/pgsync-ts-logs`; logs are kept after stop() for post-mortems. */
  logDir?: string;
  /** How long start() waits for the server to accept connections. Default 60 s. */
  startTimeoutMs?: number;
}

export interface EmbeddedServer {
  readonly major: PgMajor;
  /** Full `server_version` as reported by the server; "" until the first successful start. */
  readonly version: string;
  readonly host: string;
  readonly port: number;
  readonly superuser: string;
  readonly superuserPassword: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** `postgres://user:pass@127.0.0.1:port/db`, URL-encoded. Defaults: `postgres` db, the superuser. */
  url(database?: string, user?: string, password?: string): string;
  /** Fast shutdown (idempotent), then removes the data dir if it was created by us. */
  stop(): Promise<void>;
}

/** A server that exists on disk and can be started, stopped and restarted at will. */
export interface ServerHandle extends EmbeddedServer {
  readonly running: boolean;
  /** Postmaster pid while running. */
  readonly pid: number | undefined;
  /** Starts the postmaster and waits until it accepts connections. No-op while running. */
  start(): Promise<EmbeddedServer>;
  /** Stops the postmaster but keeps the data dir, so start() can be called again ("immediate" = crash). */
  shutdown(mode?: "fast" | "immediate"): Promise<void>;
}

/** The servers listen on loopback only, over TCP (no Unix socket, see config-files.ts). */
export const HOST = "127.0.0.1";
export const SUPERUSER = "postgres";

/**
 * Builds `postgres://user:pass@host:port/db` with every part URL-encoded. Without `user` the
 * superuser and its password are used; a user without a password gets a password-less URL.
 */
export function postgresUrl(
  server: { host: string; port: number; superuser: string; superuserPassword: string },
  database = "postgres",
  user?: string,
  password?: string,
): string {
  const name = user ?? server.superuser;
  const secret = password ?? (name === server.superuser ? server.superuserPassword : undefined);
  const auth =
    secret === undefined
      ? encodeURIComponent(name)
      : `${encodeURIComponent(name)}:${encodeURIComponent(secret)}`;
  return `postgres://${auth}@${server.host}:${server.port}/${encodeURIComponent(database)}`;
}
