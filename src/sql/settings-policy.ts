/**
 * Which database settings (`ALTER DATABASE ... SET`) a run copies from the source to the
 * destination. A database setting applies to every later session of every role on the destination,
 * superusers included, so a hostile or careless source must not choose one that can run code or
 * change how names resolve: `search_path = public, pg_catalog` next to a planted `public.=` runs the
 * source's function inside every ordinary query (the CVE-2018-1058 pattern),
 * `session_preload_libraries` loads a library into every session, `default_text_search_config`
 * picks a configuration by name, `session_replication_role` silences triggers and foreign keys.
 *
 * By default only the settings below are copied: they format values, bound resources or pick
 * planner statistics, and none of them names an object or loads code. Every other setting needs the
 * profile's `copyDatabaseSettings: true` (`--with-database-settings`). Two are never copied, whatever
 * the profile says.
 */

/** Copied by default (names as the server spells them; compared without case). */
export const SAFE_DATABASE_SETTINGS: readonly string[] = [
  "DateStyle",
  "IntervalStyle",
  "TimeZone",
  "lc_monetary",
  "lc_numeric",
  "lc_time",
  "extra_float_digits",
  "bytea_output",
  "statement_timeout",
  "lock_timeout",
  "idle_in_transaction_session_timeout",
  "work_mem",
  "maintenance_work_mem",
  "default_statistics_target",
];

const SAFE = new Set(SAFE_DATABASE_SETTINGS.map((n) => n.toLowerCase()));

export type SettingVerdict =
  /** Copied by every run. */
  | { readonly copy: "always" }
  /** Copied only with `copyDatabaseSettings: true`. */
  | { readonly copy: "opt-in"; readonly reason: string }
  /** Never copied. */
  | { readonly copy: "never"; readonly reason: string };

/** What the policy says about one database setting of the source. */
export function databaseSettingVerdict(name: string): SettingVerdict {
  const lower = name.toLowerCase();
  if (lower.startsWith("pgsync.")) {
    return {
      copy: "never",
      reason:
        "it is pgsync-ts's own marker (pgsync.role marks a production database), which belongs to each database",
    };
  }
  if (lower === "default_transaction_read_only") {
    return {
      copy: "never",
      reason: "it would make the destination read-only, and the next sync would be refused",
    };
  }
  if (SAFE.has(lower)) return { copy: "always" };
  return { copy: "opt-in", reason: optInReason(lower) };
}

/**
 * Whether a run copies this setting: the predicate the run and the tests share (a fidelity check
 * leaves out exactly what this withholds).
 */
export function copiesDatabaseSetting(name: string, copyDatabaseSettings = false): boolean {
  const verdict = databaseSettingVerdict(name);
  return verdict.copy === "always" || (verdict.copy === "opt-in" && copyDatabaseSettings);
}

function optInReason(name: string): string {
  if (name === "search_path") return "it changes how every session of the destination resolves names";
  if (name.endsWith("_preload_libraries")) return "it loads a library into every session of the destination";
  if (name === "default_text_search_config") return "it names a text search configuration that sessions use";
  if (name === "session_replication_role") return "it turns off triggers and foreign key checks";
  if (name === "role") return "it changes the role every session of the destination runs as";
  if (name === "row_security") return "it changes what row-level security does in every session";
  if (name.includes(".")) return "it is an extension's or an application's setting, which may drive code";
  return "it is not on the list of settings that cannot run code or change name resolution";
}
