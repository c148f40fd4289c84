import { createHmac } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { queryOne } from "../db/rows.js";
import { sessionFacts } from "../db/session.js";
import { registerSecret } from "../util/redact.js";

/**
 * HMAC-SHA-256 (RFC 2104) computed by the source server with core PostgreSQL only: a production
 * source cannot be asked to install pgcrypto, and `sha256()` is core since PostgreSQL 11.
 *
 *   HMAC(K, m) = sha256((K' xor opad) || sha256((K' xor ipad) || m))
 *
 * where K' is the key padded with zero bytes to the 64-byte block. The server never gets the
 * profile's key: it gets a key derived from it, HMAC(key, "pgsync-ts masking key v1"), as its two
 * padded blocks, hex-encoded, bound as the values of `set_config('pgsync.mask_ipad', $2, true)` and
 * `set_config('pgsync.mask_opad', $2, true)` in the same transaction as the COPY. Bind values never
 * appear in statement text, so they reach neither pg_stat_activity nor pg_stat_statements; a server
 * that logs statements with their parameters would log them, so where the tool's role may, it turns
 * that off for the transaction first (hideBoundValues). The blocks mask as the key does, so they
 * are registered as secrets too; the profile's key itself cannot be recovered from them.
 */

export const IPAD_SETTING = "pgsync.mask_ipad";
export const OPAD_SETTING = "pgsync.mask_opad";
const BLOCK = 64;

/** A masking key is at least this long: a short key could be found by trying keys against known values. */
export const MIN_KEY_LENGTH = 16;

export interface KeyPads {
  readonly ipad: string;
  readonly opad: string;
}

/** The key the server computes with: derived from the profile's, which never leaves the tool. */
export function serverKey(key: string): Buffer {
  return createHmac("sha256", key).update("pgsync-ts masking key v1").digest();
}

/** The server key's padded blocks, hex-encoded (registered for redaction). */
export function keyPads(key: string): KeyPads {
  // 32 bytes: shorter than the block, so it is padded as it is (a longer key would be hashed first).
  const padded = Buffer.alloc(BLOCK);
  serverKey(key).copy(padded);
  const ipad = Buffer.from(padded.map((b) => b ^ 0x36)).toString("hex");
  const opad = Buffer.from(padded.map((b) => b ^ 0x5c)).toString("hex");
  registerSecret(ipad, "masking-key");
  registerSecret(opad, "masking-key");
  return { ipad, opad };
}

/** The settings a COPY (or a digest) over masked expressions binds before it runs. */
export function maskSettings(key: string): Record<string, string> {
  const pads = keyPads(key);
  return { [IPAD_SETTING]: pads.ipad, [OPAD_SETTING]: pads.opad };
}

/**
 * A stable name for the key that reveals nothing about it: its own HMAC over a fixed label, cut to
 * 16 hex digits. Recorded (inside the rules' fingerprint) so that a changed key counts as changed rules.
 */
export function keyId(key: string): string {
  return createHmac("sha256", key).update("pgsync-ts masking key id").digest("hex").slice(0, 16);
}

/**
 * The SQL expression of HMAC-SHA-256 over `message` (an expression of type bytea) under the bound
 * key. The padded blocks are decoded once per statement (uncorrelated subqueries are init plans).
 */
export function hmacSql(message: string): string {
  const pad = (setting: string) =>
    `(SELECT pg_catalog.decode(pg_catalog.current_setting('${setting}'), 'hex'))`;
  return `pg_catalog.sha256(${pad(OPAD_SETTING)} || pg_catalog.sha256(${pad(IPAD_SETTING)} || ${message}))`;
}

/**
 * The keyed digest of a value's text, under a label that separates the transformers (an email and
 * a hash of the same input do not share bits). `value` is an SQL expression.
 */
export function keyedDigestSql(label: string, value: string): string {
  return hmacSql(`pg_catalog.convert_to(${sqlString(`${label}:`)} || (${value})::text, 'UTF8')`);
}

/** A plain SQL string literal of a label this module writes (letters, digits and punctuation only). */
function sqlString(text: string): string {
  if (!/^[A-Za-z0-9:_ -]*$/.test(text)) throw new RangeError(`unexpected label ${text}`);
  return `'${text}'`;
}

const mayHide = new WeakMap<pg.Client, Promise<boolean>>();

/**
 * Before the key's blocks are bound: where the session's role may change it (a superuser, or
 * `GRANT SET ON PARAMETER log_parameter_max_length`, PostgreSQL 15+), bound values are left out of
 * the server log for the rest of the transaction (`SET LOCAL log_parameter_max_length = 0`); a
 * server that logs every statement would otherwise log them. Elsewhere docs/masking.md says what to
 * ask of the server's administrator.
 */
export async function hideBoundValues(client: pg.Client): Promise<void> {
  let allowed = mayHide.get(client);
  if (!allowed) {
    const major = sessionFacts(client)?.serverMajor ?? 14;
    const granted =
      major >= 15 ? " OR pg_catalog.has_parameter_privilege('log_parameter_max_length', 'SET')" : "";
    allowed = queryOne(
      client,
      "masking: may hide bound values",
      `SELECT coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = CURRENT_USER)${granted}, false) AS ok`,
      [],
      z.object({ ok: z.boolean() }),
    ).then((r) => r.ok);
    mayHide.set(client, allowed);
  }
  if (await allowed) await client.query("SET LOCAL log_parameter_max_length = 0");
}
