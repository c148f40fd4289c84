/**
 * Passwords from libpq's password file (`PGPASSFILE`, else `~/.pgpass`), read by pgsync-ts itself.
 * node-postgres can read the file too, but then prints a DeprecationWarning on stderr (its support
 * goes away in pg 9), which breaks the "JSON lines on stderr" contract of the logs; so the client
 * config hands node-postgres a password function instead (client-config.ts), which ends up here.
 *
 * The rules are libpq's: one `host:port:database:user:password` entry per line, `*` in any of the
 * first four fields matches anything, `\` escapes `:` and `\`, lines starting with `#` are
 * comments, the first matching line wins, and a file that others can read is not used.
 */
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { registerSecret } from "../util/redact.js";

/** What an entry is matched against: the connection's effective host, port, database and user. */
export interface PgpassKey {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly user: string;
}

export interface PgpassEntry {
  /** host, port, database, user: a value, or `*` for any. */
  readonly match: readonly [string, string, string, string];
  readonly password: string;
}

export function pgpassFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PGPASSFILE) return env.PGPASSFILE;
  if (process.platform === "win32") return join(env.APPDATA ?? homedir(), "postgresql", "pgpass.conf");
  return join(env.HOME || homedir(), ".pgpass");
}

/** The entries of a password file; lines with fewer than five fields are skipped, as libpq does. */
export function parsePgpass(text: string): PgpassEntry[] {
  const entries: PgpassEntry[] = [];
  for (const rawLine of text.split("\n")) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (line === "" || line.startsWith("#")) continue;
    const fields = splitFields(line);
    if (fields.length < 5) continue;
    const [host, port, database, user] = fields as [string, string, string, string];
    // Only the first four colons separate: a fifth one belongs to the password.
    entries.push({ match: [host, port, database, user], password: fields.slice(4).join(":") });
  }
  return entries;
}

/** Splits on unescaped colons, removing the backslash of `\:` and `\\`. */
function splitFields(line: string): string[] {
  const fields: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === "\\" && i + 1 < line.length) {
      current += line[++i];
    } else if (char === ":") {
      fields.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  fields.push(current);
  return fields;
}

/**
 * The password of the first entry that matches. A connection over a Unix socket (or without a host)
 * also matches entries for `localhost`, as libpq treats the default socket.
 */
export function findPgpassPassword(entries: readonly PgpassEntry[], key: PgpassKey): string | undefined {
  const hosts = key.host === "" || key.host.startsWith("/") ? [key.host, "localhost"] : [key.host];
  const wanted = [key.port, key.database, key.user];
  for (const entry of entries) {
    const [host, ...rest] = entry.match;
    if (host !== "*" && !hosts.includes(host)) continue;
    if (rest.every((value, index) => value === "*" || value === wanted[index])) return entry.password;
  }
  return undefined;
}

export type PgpassLookup =
  | { readonly found: true; readonly password: string }
  | { readonly found: false; readonly reason: string };

/** Looks the key up in the password file, saying why when there is no password for it. */
export async function lookupPgpass(
  key: PgpassKey,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PgpassLookup> {
  const file = pgpassFile(env);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch {
    return { found: false, reason: `there is no password file ${file}` };
  }
  if (!info.isFile()) return { found: false, reason: `the password file ${file} is not a plain file` };
  if (process.platform !== "win32" && (info.mode & 0o077) !== 0) {
    return {
      found: false,
      reason: `the password file ${file} is not used because others can read it (chmod 600 ${file})`,
    };
  }
  const password = findPgpassPassword(parsePgpass(await readFile(file, "utf8")), key);
  if (password === undefined) {
    const wanted = `${key.host || "localhost"}:${key.port}:${key.database}:${key.user}`;
    return { found: false, reason: `the password file ${file} has no entry for ${wanted}` };
  }
  return { found: true, password };
}

/** The connection parameters node-postgres passes to a password function. */
interface EffectiveParameters {
  readonly user?: string;
  readonly database?: string;
  readonly port?: number | string;
}

/**
 * The password node-postgres asks for when the connection string has none: PGPASSWORD, else the
 * password file. It is called only when the server asks for a password, with the connection's
 * effective user, database and port; `host` is the host as written (libpq matches that, not
 * hostaddr). The password found is registered for redaction. With no password anywhere it fails with the reason, which connect() reports with the
 * side and the URL, instead of the driver's "client password must be a string".
 */
export function passwordFromEnvironment(host: string): (parameters?: EffectiveParameters) => Promise<string> {
  return async (parameters = {}) => {
    const fromEnv = process.env.PGPASSWORD;
    if (fromEnv !== undefined) {
      registerSecret(fromEnv, "password");
      return fromEnv;
    }
    const lookup = await lookupPgpass({
      host,
      port: String(parameters.port ?? 5432),
      database: parameters.database ?? parameters.user ?? "",
      user: parameters.user ?? "",
    });
    if (lookup.found) {
      // Masked like a password in the URL, wherever it might turn up later.
      registerSecret(lookup.password, "password");
      return lookup.password;
    }
    // A plain Error: connect() wraps it (connectionError), naming the side and the masked URL.
    throw new Error(
      `the server asks for a password, and none is given: the connection string has none, PGPASSWORD is not set, and ${lookup.reason}`,
    );
  };
}
