import type pg from "pg";
import { z } from "zod";
import { textArray } from "../db/rows.js";
import { execute } from "../db/session.js";
import { alterDatabaseReset, alterDatabaseSet } from "../ddl/render/database-settings.js";
import { META_SCHEMA, readDestination } from "./meta.js";

/**
 * The destination database's own settings (ALTER DATABASE ... SET, for all roles) belong to no
 * schema, and a run sets the source's in its cut-over. So each snapshot keeps the settings the
 * database had just before, and a rollback puts exactly those back. pgsync-ts's own `pgsync.*`
 * markers (the production marker) belong to the database and are never touched.
 */

const CURRENT_SETTINGS = `
SELECT coalesce((SELECT s.setconfig FROM pg_catalog.pg_db_role_setting s
                 JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
                 WHERE d.datname = pg_catalog.current_database() AND s.setrole = 0), '{}') AS settings`;

const Settings = z.object({ settings: textArray });

/** Inside the cut-over (or a rollback's swap), before anything changes them. */
export async function saveDatabaseSettings(client: pg.Client, snapshotId: string): Promise<void> {
  await client.query(
    `INSERT INTO ${META_SCHEMA}.database_settings (snapshot_id, settings) SELECT $1, settings FROM (${CURRENT_SETTINGS}) s`,
    [snapshotId],
  );
}

export interface SettingsRestore {
  /** Names set back to the snapshot's values, and names reset because the snapshot had none. */
  readonly set: readonly string[];
  readonly reset: readonly string[];
  /** Why the differing settings were left as they are (only the database's owner may change them). */
  readonly notRestored?: string;
}

const MAY_ALTER_DATABASE = `
SELECT r.rolsuper OR pg_catalog.pg_has_role(current_user, d.datdba, 'USAGE') AS allowed
FROM pg_catalog.pg_database d, pg_catalog.pg_roles r
WHERE d.datname = pg_catalog.current_database() AND r.rolname = current_user`;

/**
 * Puts back the settings `snapshotId` kept, after keeping the current ones under `keptAs` (so the
 * rollback can be undone). Undefined when the snapshot kept none (taken before settings were kept):
 * the settings are then left as they are.
 */
export async function restoreDatabaseSettings(
  client: pg.Client,
  snapshotId: string,
  keptAs: string,
): Promise<SettingsRestore | undefined> {
  const [saved] = await readDestination(
    client,
    "saved database settings",
    `SELECT settings FROM ${META_SCHEMA}.database_settings WHERE snapshot_id = $1`,
    [snapshotId],
    Settings,
  );
  const wanted = saved?.settings;
  if (!wanted) return undefined;
  const [now] = await readDestination(client, "current database settings", CURRENT_SETTINGS, [], Settings);
  const current = now?.settings ?? [];
  await saveDatabaseSettings(client, keptAs);
  // The restored snapshot becomes the live state: like its schemas, its record goes.
  await dropSavedDatabaseSettings(client, snapshotId);
  const before = toMap(current);
  const after = toMap(wanted);
  const reset = [...before.keys()].filter((name) => !after.has(name)).sort();
  const set = [...after]
    .filter(([name, value]) => before.get(name) !== value)
    .map(([name]) => name)
    .sort();
  if (set.length + reset.length > 0) {
    const [may] = await readDestination(
      client,
      "may alter the database",
      MAY_ALTER_DATABASE,
      [],
      z.object({ allowed: z.boolean() }),
    );
    const allowed = may?.allowed;
    if (!allowed) {
      // The rollback of the data matters more than these settings: it goes on, and says so.
      return {
        set: [],
        reset: [],
        notRestored: `database settings not restored (${[...set, ...reset].join(", ")} differ): only the database's owner may change them`,
      };
    }
  }
  for (const name of reset) {
    await execute(client, alterDatabaseReset(name), `database setting ${name}`, "cutover");
  }
  for (const name of set) {
    const value = after.get(name) as string;
    await execute(client, alterDatabaseSet({ name, value }), `database setting ${name}`, "cutover");
  }
  return { set, reset };
}

export async function dropSavedDatabaseSettings(client: pg.Client, snapshotId: string): Promise<void> {
  await client.query(`DELETE FROM ${META_SCHEMA}.database_settings WHERE snapshot_id = $1`, [snapshotId]);
}

/** `name=value` entries, without pgsync-ts's own markers. */
function toMap(config: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of config) {
    const at = entry.indexOf("=");
    const name = entry.slice(0, at);
    if (!name.toLowerCase().startsWith("pgsync.")) map.set(name, entry.slice(at + 1));
  }
  return map;
}
