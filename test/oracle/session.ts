/**
 * The oracle's session and the objects it looks at. It shares nothing with the tool's code: its own
 * quoting, its own idea of which schemas are the tool's, its own session settings.
 */
import type pg from "pg";

export interface OracleOptions {
  /** Owners, ACLs and default privileges: only for runs made with --with-privileges. */
  readonly privileges?: boolean;
  /** Only these schemas (and no database-wide objects). Default: every user schema. */
  readonly schemas?: readonly string[];
  /** Database settings that the tool's settings policy does not carry (left out of the fingerprint). */
  readonly withholdSettings?: (name: string) => boolean;
  /**
   * The major version of the server this fingerprint is compared with. Catalog rows that only exist
   * from some major on (NOT NULL constraints: tables 18, domains 17) are left out when the peer
   * predates them; the properties they describe are compared through attnotnull and typnotnull.
   */
  readonly peerMajor?: number;
}

export interface OracleContext {
  readonly client: pg.Client;
  readonly major: number;
  readonly privileges: boolean;
  /** OIDs (as text) of the schemas looked at; bound as `$1::oid[]` by every schema-bound query. */
  readonly schemaOids: readonly string[];
  /** Names of those schemas. */
  readonly schemaNames: readonly string[];
  /** False when the caller restricted the schemas: database-wide kinds are then left out. */
  readonly wholeDatabase: boolean;
  readonly withholdSettings: (name: string) => boolean;
  readonly peerMajor: number;
}

/** The tool's own schemas, by their exact shapes (src/restore/meta.ts, snapshotIdFor, staging). */
export const TOOL_SCHEMA_PATTERNS: readonly RegExp[] = [
  /^_pgsync$/,
  /^_pgsync_stage_[0-9a-f]{8}_(\d+|lo)$/,
  /^_pgsync_snap_\d{8}t\d{6}z_[0-9a-f]{8}_\d+$/,
];

const SYSTEM_SCHEMA = /^(pg_catalog|information_schema|pg_toast|pg_temp_\d+|pg_toast_temp_\d+)$/;

export function isToolSchema(name: string): boolean {
  return TOOL_SCHEMA_PATTERNS.some((pattern) => pattern.test(name));
}

export function isLookedAtSchema(name: string): boolean {
  return !SYSTEM_SCHEMA.test(name) && !isToolSchema(name);
}

/** Always quoted: correct for keywords of any version too. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Pins what changes how values print, so that two servers print the same catalog and the same rows
 * identically. search_path = pg_catalog makes every user object print schema-qualified.
 */
const SESSION_SETTINGS: readonly [string, string][] = [
  ["search_path", "pg_catalog"],
  ["TimeZone", "UTC"],
  ["DateStyle", "ISO, YMD"],
  ["IntervalStyle", "postgres"],
  ["extra_float_digits", "1"],
  ["bytea_output", "hex"],
  ["lc_monetary", "C"],
  ["lc_numeric", "C"],
  ["xmloption", "content"],
  ["standard_conforming_strings", "on"],
  ["row_security", "off"],
  ["statement_timeout", "0"],
  ["jit", "off"],
];

/** Turns the client into an oracle session (session settings; inside a transaction, until its end). */
export async function pinSession(client: pg.Client): Promise<number> {
  for (const [name, value] of SESSION_SETTINGS) {
    await client.query("SELECT pg_catalog.set_config($1, $2, false)", [name, value]);
  }
  const result = await client.query<{ n: string }>(
    "SELECT pg_catalog.current_setting('server_version_num') AS n",
  );
  return Math.floor(Number(result.rows[0]?.n) / 10_000);
}

export async function oracleContext(client: pg.Client, opts: OracleOptions = {}): Promise<OracleContext> {
  const major = await pinSession(client);
  const result = await client.query<{ oid: string; nspname: string }>(
    "SELECT oid::text AS oid, nspname::text AS nspname FROM pg_catalog.pg_namespace ORDER BY nspname",
  );
  const wanted = opts.schemas ? new Set(opts.schemas) : undefined;
  const chosen = result.rows.filter(
    (row) => isLookedAtSchema(row.nspname) && (!wanted || wanted.has(row.nspname)),
  );
  return {
    client,
    major,
    privileges: opts.privileges === true,
    schemaOids: chosen.map((row) => row.oid),
    schemaNames: chosen.map((row) => row.nspname),
    wholeDatabase: opts.schemas === undefined,
    withholdSettings: opts.withholdSettings ?? (() => false),
    peerMajor: opts.peerMajor ?? major,
  };
}

/** SQL: the object (catalog `catalog`, OID expression `oid`) is not a member of an extension. */
export function notExtensionMember(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.${catalog}'::pg_catalog.regclass AND e.objid = ${oid} AND e.deptype = 'e')`;
}

/** SQL: an object that is not built in (FirstNormalObjectId) and not created by an extension. */
export function userObject(catalog: string, oid: string): string {
  return `${oid} >= 16384 AND ${notExtensionMember(catalog, oid)}`;
}

export async function rows<T>(ctx: OracleContext, sql: string, params: unknown[] = []): Promise<T[]> {
  try {
    const result = await ctx.client.query(sql, params);
    return result.rows as T[];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`oracle query failed on PostgreSQL ${ctx.major}: ${message}\n${sql}`);
  }
}
