import type { DatabaseSetting } from "../../introspect/model.js";
import { quoteIdent, quoteLiteral } from "../../sql/quote.js";
import { databaseSettingVerdict } from "../../sql/settings-policy.js";

/**
 * Parameters whose value is a list of names that the server quotes one by one (GUC_LIST_QUOTE in
 * the server's guc tables; pg_dump keeps the same list). Their stored value must be split back into
 * elements: given as one string, `kx, public` would become a single schema named "kx, public".
 */
const LIST_QUOTED = new Set([
  "local_preload_libraries",
  "search_path",
  "session_preload_libraries",
  "shared_preload_libraries",
  "temp_tablespaces",
  "unix_socket_directories",
]);

export interface SettingsPlan {
  /** One statement per setting, run inside the cut-over transaction. */
  readonly statements: readonly { readonly object: string; readonly sql: string }[];
  /** Settings left out, each with the reason. */
  readonly skipped: readonly string[];
  /** Names of the settings the policy withheld (src/sql/settings-policy.ts): copied only on request. */
  readonly withheld: readonly string[];
}

/**
 * ALTER DATABASE ... SET for the destination database, for each setting of the source database.
 * Settings are set, never reset: a setting made on the destination alone stays. A parameter the
 * destination does not know is skipped when `known` (the names in the destination's pg_settings) is
 * given; custom `prefix.name` placeholders are always accepted by the server. Without `known`, the
 * statement itself skips an unknown parameter at run time (with a server WARNING), so the cut-over
 * never fails on one. Only what the settings policy allows is copied (src/sql/settings-policy.ts):
 * the settings that cannot run code or change name resolution, and every other one when
 * `copyDatabaseSettings` is set; the others are withheld and listed.
 */
export function databaseSettings(
  settings: readonly DatabaseSetting[],
  targetMajor: number,
  known?: ReadonlySet<string>,
  copyDatabaseSettings = false,
): SettingsPlan {
  const knownLower = known ? new Set([...known].map((n) => n.toLowerCase())) : undefined;
  const statements: { object: string; sql: string }[] = [];
  const skipped: string[] = [];
  const withheld: string[] = [];
  for (const s of settings) {
    const name = s.name.toLowerCase();
    const object = `database setting ${s.name}`;
    const verdict = databaseSettingVerdict(s.name);
    if (verdict.copy === "never") {
      skipped.push(`${object} was not copied: ${verdict.reason}`);
    } else if (knownLower && !name.includes(".") && !knownLower.has(name)) {
      skipped.push(`${object} was not copied: PostgreSQL ${targetMajor} does not have this parameter`);
    } else if (verdict.copy === "opt-in" && !copyDatabaseSettings) {
      withheld.push(s.name);
      skipped.push(
        `${object} was withheld: ${verdict.reason}; copy it with --with-database-settings (profile "copyDatabaseSettings": true) if the source is trusted`,
      );
    } else {
      statements.push({ object, sql: alterDatabaseSet(s) });
    }
  }
  return { statements, skipped, withheld };
}

/** The database is the one the statement runs in, so its name is found there (the plan does not know it). */
export function alterDatabaseSet(s: Pick<DatabaseSetting, "name" | "value">): string {
  const name = s.name.split(".").map(quoteIdent).join(".");
  const value = LIST_QUOTED.has(s.name.toLowerCase())
    ? splitList(s.value).map(quoteLiteral).join(", ")
    : quoteLiteral(s.value);
  const body = [
    "BEGIN",
    `  IF ${quoteLiteral(s.name)} LIKE '%.%' OR EXISTS (SELECT 1 FROM pg_catalog.pg_settings WHERE lower(name) = ${quoteLiteral(s.name.toLowerCase())}) THEN`,
    `    EXECUTE 'ALTER DATABASE ' || pg_catalog.quote_ident(pg_catalog.current_database()) || ${quoteLiteral(` SET ${name} = ${value}`)};`,
    "  ELSE",
    `    RAISE WARNING 'database setting % was not copied: this server does not have the parameter', ${quoteLiteral(s.name)};`,
    "  END IF;",
    "END",
  ].join("\n");
  return `DO ${dollarQuote(body)}`;
}

/** Removes one setting of the database the statement runs in (a rollback to a state without it). */
export function alterDatabaseReset(name: string): string {
  const quoted = name.split(".").map(quoteIdent).join(".");
  const body = `BEGIN\n  EXECUTE 'ALTER DATABASE ' || pg_catalog.quote_ident(pg_catalog.current_database()) || ${quoteLiteral(` RESET ${quoted}`)};\nEND`;
  return `DO ${dollarQuote(body)}`;
}

function dollarQuote(body: string): string {
  let tag = "$pgsync$";
  for (let i = 1; body.includes(tag); i++) tag = `$pgsync${i}$`;
  return `${tag}\n${body}\n${tag}`;
}

/** Splits a flattened name list (`kx, "Extra Kinds", "$user"`) into its elements, unquoted. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (value[i] === " ") i++;
    let element = "";
    if (value[i] === '"') {
      i++;
      while (i < value.length) {
        if (value[i] === '"' && value[i + 1] === '"') {
          element += '"';
          i += 2;
        } else if (value[i] === '"') {
          i++;
          break;
        } else {
          element += value[i++];
        }
      }
      while (i < value.length && value[i] !== ",") i++;
    } else {
      const end = value.indexOf(",", i);
      element = value.slice(i, end === -1 ? value.length : end).trim();
      i = end === -1 ? value.length : end;
    }
    out.push(element);
    i++; // the comma
  }
  // An empty list is stored as one empty element ("") by the server; keep a value to SET.
  return out.length > 0 ? out : [""];
}
