/**
 * Issue point 1, the planted setting: the source sets `search_path = public, pg_catalog` on its
 * database and plants operators and functions in public (test/helpers/hostile.ts). By default a run
 * copies the objects but withholds the setting (and every other setting that can run code or change
 * name resolution), and says so in `run` and `plan`; a later superuser session on the destination
 * then calls none of the planted functions. With --with-database-settings the setting is copied, and
 * the same session calls them: the test would see it.
 *
 * Roles: the source is owned by a role that is not a superuser; the destination by another one.
 * One pair, the newest version onto the oldest of the run.
 */
import { describe, expect, it } from "vitest";
import { copiesDatabaseSetting } from "../src/sql/settings-policy.js";
import { runCli } from "./helpers/cli.js";
import { pinnedClient, plantedCalls, plantSql } from "./helpers/hostile.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { createRole, withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const database = databasesForThisFile();

/** What a source that is careless or hostile sets on its database. */
const SOURCE_SETTINGS: Record<string, string> = {
  search_path: "public, pg_catalog",
  default_text_search_config: "pg_catalog.simple",
  session_replication_role: "replica",
  check_function_bodies: "off",
  row_security: "off",
  track_functions: "pl",
  "app.mode": "evil",
  default_transaction_read_only: "on",
  // Copied (they cannot run code), and must not break the tool's own reading of values either.
  TimeZone: "Asia/Tokyo",
  DateStyle: "SQL, DMY",
  IntervalStyle: "sql_standard",
  extra_float_digits: "0",
  bytea_output: "escape",
  work_mem: "12MB",
  statement_timeout: "90s",
};
const SAFE = Object.keys(SOURCE_SETTINGS).filter((name) => copiesDatabaseSetting(name));

async function settingsOf(url: string): Promise<string[]> {
  return pinnedClient(url, async (c) => {
    const r = await c.query<{ setting: string }>(
      `SELECT unnest(s.setconfig) AS setting FROM pg_catalog.pg_db_role_setting s
       JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
       WHERE d.datname = pg_catalog.current_database() AND s.setrole = 0`,
    );
    return r.rows.map((x) => x.setting.split("=")[0] as string).sort();
  });
}

/** A superuser's ordinary query on the destination, as psql would send it (no search_path of its own). */
async function superuserQuery(url: string): Promise<void> {
  await withClient(url, (c) =>
    c.query(
      "SELECT count(*) FROM pg_namespace WHERE nspname = 'public'::text AND current_database() = current_database()",
    ),
  );
}

async function hostileSource() {
  const owner = await createRole(from, "hs_settings_source", { password: "hs-settings-src-Pw1" });
  const db = await database(from, { owner: owner.name });
  const url = owner.url(db.name);
  await pinnedClient(url, (c) =>
    c.query(`${plantSql("public")};
             CREATE TABLE public.items (id int PRIMARY KEY, label text);
             INSERT INTO public.items SELECT g, 'x' || g FROM generate_series(1, 20) g;`),
  );
  // As the superuser: some of these need it (session_replication_role, track_functions on 15+).
  await withClient(db.url, async (c) => {
    const name = c.escapeIdentifier(db.name);
    for (const [setting, value] of Object.entries(SOURCE_SETTINGS)) {
      if (setting === "default_transaction_read_only") continue; // the source would refuse the run's reads' setup
      // A list (search_path) as elements, each other value as one literal.
      const quoted = setting === "search_path" ? value : c.escapeLiteral(value);
      await c.query(
        `ALTER DATABASE ${name} SET ${setting
          .split(".")
          .map((p) => c.escapeIdentifier(p))
          .join(".")} = ${quoted}`,
      );
    }
  });
  return { db, url };
}

async function destination(name: string) {
  const owner = await createRole(to, name, { password: `${name}-Pw1` });
  const db = await database(to, { owner: owner.name });
  // The superuser's later session counts calls of the (copied) planted functions.
  await withClient(db.url, (c) =>
    c.query(`ALTER DATABASE ${c.escapeIdentifier(db.name)} SET track_functions = 'pl'`),
  );
  return { db, url: owner.url(db.name) };
}

describe(`database settings of a hostile source (PostgreSQL ${from} -> ${to})`, () => {
  it("are withheld by default, listed by run and plan; a later superuser session runs no planted code", async () => {
    const source = await hostileSource();
    const target = await destination("hs_settings_destination");
    const plan = await runCli(["plan", "--from", source.url, "--to", target.url, "--no-trial"]);
    const run = await runCli(["run", "--from", source.url, "--to", target.url]);
    expect(run.code, run.stderr).toBe(0);
    for (const out of [plan.stdout, run.stdout]) {
      expect(out).toContain("database setting search_path was withheld: it changes how every session");
      for (const name of [
        "default_text_search_config",
        "session_replication_role",
        "check_function_bodies",
        "row_security",
        "track_functions",
        "app.mode",
      ])
        expect(out).toContain(`database setting ${name} was withheld`);
    }
    expect(await settingsOf(target.db.url)).toEqual([...SAFE, "track_functions"].sort());
    // A second run's sessions start with the copied DateStyle, IntervalStyle, bytea_output, ...
    const again = await runCli(["run", "--from", source.url, "--to", target.url, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).totals).toMatchObject({ tables: 1, rows: 20 });
    await superuserQuery(target.db.url);
    expect(await plantedCalls(target.db.url, "public")).toEqual({});
  });

  it("are all copied with --with-database-settings, and the planted operator then runs in a superuser's session", async () => {
    const source = await hostileSource();
    const target = await destination("hs_settings_destination");
    // The destination role may not set every one of them (session_replication_role needs a superuser).
    await withClient(source.db.url, (c) =>
      c.query(`ALTER DATABASE ${c.escapeIdentifier(source.db.name)} RESET session_replication_role`),
    );
    const run = await runCli([
      "run",
      "--from",
      source.url,
      "--to",
      target.db.url,
      "--with-database-settings",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain("was withheld");
    expect(await settingsOf(target.db.url)).toContain("search_path");
    await superuserQuery(target.db.url);
    const calls = await plantedCalls(target.db.url, "public");
    expect(calls["public.hostile_name_eq_text"]).toBeGreaterThan(0);
    expect(calls["public.current_database"]).toBeGreaterThan(0);
  });
});
