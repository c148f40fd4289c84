import { describe, expect, it } from "vitest";
import { databaseSettings } from "../../src/ddl/render/database-settings.js";
import {
  copiesDatabaseSetting,
  databaseSettingVerdict,
  SAFE_DATABASE_SETTINGS,
} from "../../src/sql/settings-policy.js";

/** Settings a hostile source could use to run code or change name resolution on the destination. */
const OPT_IN = [
  "search_path",
  "default_text_search_config",
  "session_preload_libraries",
  "local_preload_libraries",
  "session_replication_role",
  "role",
  "check_function_bodies",
  "row_security",
  "temp_tablespaces",
  "track_functions",
  "plpgsql.variable_conflict",
  "app.mode",
];

describe("the database settings policy", () => {
  it.each(SAFE_DATABASE_SETTINGS)("copies %s by default, whatever its case", (name) => {
    expect(copiesDatabaseSetting(name)).toBe(true);
    expect(copiesDatabaseSetting(name.toUpperCase())).toBe(true);
  });

  it.each(OPT_IN)("withholds %s unless every setting is asked for", (name) => {
    expect(copiesDatabaseSetting(name)).toBe(false);
    expect(copiesDatabaseSetting(name, true)).toBe(true);
    expect(databaseSettingVerdict(name).copy).toBe("opt-in");
  });

  it.each(["default_transaction_read_only", "pgsync.role", "PGSYNC.Role"])("never copies %s", (name) => {
    expect(copiesDatabaseSetting(name, true)).toBe(false);
  });

  it("renders only what the policy copies, and lists what it withheld", () => {
    const settings = [
      { name: "search_path", value: "public, pg_catalog" },
      { name: "TimeZone", value: "Europe/Berlin" },
      { name: "session_preload_libraries", value: "auto_explain" },
      { name: "work_mem", value: "12MB" },
    ];
    const plan = databaseSettings(settings, 17);
    expect(plan.statements.map((s) => s.object)).toEqual([
      "database setting TimeZone",
      "database setting work_mem",
    ]);
    expect(plan.withheld).toEqual(["search_path", "session_preload_libraries"]);
    expect(plan.skipped).toEqual([
      'database setting search_path was withheld: it changes how every session of the destination resolves names; copy it with --with-database-settings (profile "copyDatabaseSettings": true) if the source is trusted',
      'database setting session_preload_libraries was withheld: it loads a library into every session of the destination; copy it with --with-database-settings (profile "copyDatabaseSettings": true) if the source is trusted',
    ]);
    expect(databaseSettings(settings, 17, undefined, true).statements).toHaveLength(4);
  });
});
