import type pg from "pg";
import { z } from "zod";
import { int, queryRows, text } from "../db/rows.js";
import { baseSettings, inTransaction } from "../db/session.js";
import { PgsyncError, serverFields, sqlState, wrapError } from "../errors.js";
import { maskConnectionString } from "../util/redact.js";

/**
 * The tool's own metadata schema on the destination (never swapped, snapshotted or verified), and
 * the one path that creates and upgrades it. Its shape has a version, recorded in
 * `_pgsync.schema_version` (one row per step applied). Each step is idempotent (IF NOT EXISTS, or
 * a rewrite that changes nothing the second time), so a schema an older release made, which has
 * no version yet, is brought up by running every step from the first.
 *
 * Serialised by a transaction-level advisory lock of its own, which every writer of the shape
 * takes: a run migrates in its create-staging step, after its lock step (the run lock, held on a
 * connection of its own, keeps other runs and rollbacks out); the history writer migrates before
 * it writes a row, which may be before the run's lock (a `running` row), so the two never race on
 * the same DDL. Nobody waits for the run lock while holding this one, so they cannot deadlock.
 */
export const META_SCHEMA = "_pgsync";

/**
 * One query on the destination (the tool's own tables are there, and everything the restore layer
 * reads), every row validated at the boundary with `schema`: a table that does not look as this
 * release expects fails there, named, instead of passing an untyped value on.
 */
export function readDestination<S extends z.ZodType>(
  client: pg.Client,
  name: string,
  sql: string,
  params: readonly unknown[],
  schema: S,
): Promise<z.infer<S>[]> {
  return queryRows(client, name, sql, params, schema, "destination");
}

const META_DDL_LOCK = "pg_catalog.hashtext('pgsync-ts:meta-ddl')";

export interface MetaMigration {
  readonly version: number;
  readonly description: string;
  /** SQL (run as one multi-statement query), or a step that needs the tool itself. */
  readonly up: string | ((client: pg.Client) => Promise<void>);
}

/**
 * Version 1: the schema as the releases before versioning created it (restore/meta.ts and the run
 * history), plus the version record. Every statement is a no-op on a schema they already made.
 */
const BASELINE = `
CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.schema_version (
  version integer PRIMARY KEY,
  description text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.snapshots (
  snapshot_schema text PRIMARY KEY,
  original_schema text NOT NULL,
  snapshot_id text NOT NULL,
  run_id text NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL
);
-- false: the live schema did not exist before the swap, so a rollback leaves it empty (and drops it).
ALTER TABLE ${META_SCHEMA}.snapshots ADD COLUMN IF NOT EXISTS existed boolean NOT NULL DEFAULT true;
CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.managed (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  first_run_id text NOT NULL,
  adopted_at timestamptz NOT NULL DEFAULT now(),
  source_identity text
);
-- "empty": the first run found the replaced schemas empty; "forced": --force (or force: true) adopted it.
ALTER TABLE ${META_SCHEMA}.managed ADD COLUMN IF NOT EXISTS how text NOT NULL DEFAULT 'empty';
-- The database's own settings (ALTER DATABASE ... SET) just before a cut-over or a rollback, which
-- a rollback to that snapshot puts back (src/restore/database-settings.ts).
CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.database_settings (
  snapshot_id text PRIMARY KEY,
  settings text[] NOT NULL
);
-- Large objects belong to no schema, so a snapshot keeps the ones a cut-over replaced here, by
-- snapshot id (src/restore/large-objects.ts). A row in large_object_snapshots says the snapshot
-- covers large objects (possibly none); snapshots of runs that synced selected schemas have none.
CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.large_object_snapshots (
  snapshot_id text PRIMARY KEY,
  run_id text NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL,
  objects bigint NOT NULL,
  bytes bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.large_objects (
  snapshot_id text NOT NULL REFERENCES ${META_SCHEMA}.large_object_snapshots ON DELETE CASCADE,
  loid oid NOT NULL,
  owner text NOT NULL,
  -- NULL: the default ACL; otherwise [{grantee, privilege, grantable}] (grantee null: PUBLIC).
  grants json,
  size bigint NOT NULL,
  PRIMARY KEY (snapshot_id, loid)
);
CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.large_object_chunks (
  snapshot_id text NOT NULL,
  loid oid NOT NULL,
  off bigint NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (snapshot_id, loid, off),
  FOREIGN KEY (snapshot_id, loid) REFERENCES ${META_SCHEMA}.large_objects ON DELETE CASCADE
);
-- The run history (src/schedule/history-store.ts): every run, scheduled or manual, is a row.
CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  profile text NOT NULL,
  trigger text NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
  scheduled_for timestamptz,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  status text NOT NULL
    CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted', 'abandoned', 'skipped')),
  run_id text,
  seconds double precision,
  steps jsonb NOT NULL DEFAULT '[]',
  tables integer,
  rows bigint,
  bytes bigint,
  verification jsonb,
  error jsonb,
  source text NOT NULL,
  destination text NOT NULL,
  host text NOT NULL,
  pid integer NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_profile_started_idx ON ${META_SCHEMA}.runs (profile, started_at DESC);`;

const LOCK_WAIT = `
ALTER TABLE ${META_SCHEMA}.runs ADD COLUMN IF NOT EXISTS lock_wait_seconds double precision;
COMMENT ON COLUMN ${META_SCHEMA}.runs.lock_wait_seconds IS
  'Seconds the run waited for another run''s destination lock, apart from its duration; NULL: not measured (rows of older releases)';`;

/** Rows written before the history stored masked URLs only: rewritten masked, once, in the tool. */
async function maskRecordedUrls(client: pg.Client): Promise<void> {
  const rows = await readDestination(
    client,
    "recorded run URLs",
    `SELECT id::text AS id, source, destination FROM ${META_SCHEMA}.runs ORDER BY id`,
    [],
    z.object({ id: text, source: text, destination: text }),
  );
  const changed = rows
    .map((r) => ({
      id: r.id,
      source: maskConnectionString(r.source),
      destination: maskConnectionString(r.destination),
      was: r,
    }))
    .filter((r) => r.source !== r.was.source || r.destination !== r.was.destination);
  if (changed.length === 0) return;
  await client.query(
    `UPDATE ${META_SCHEMA}.runs r SET source = m.source, destination = m.destination
     FROM unnest($1::bigint[], $2::text[], $3::text[]) AS m(id, source, destination)
     WHERE r.id = m.id`,
    [changed.map((r) => r.id), changed.map((r) => r.source), changed.map((r) => r.destination)],
  );
}

const ROLLBACK_ROWS = `
ALTER TABLE ${META_SCHEMA}.runs
  ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'sync' CHECK (kind IN ('sync', 'rollback'));
ALTER TABLE ${META_SCHEMA}.runs ADD COLUMN IF NOT EXISTS restored_snapshot text;
ALTER TABLE ${META_SCHEMA}.runs ADD COLUMN IF NOT EXISTS kept_snapshot text;
COMMENT ON COLUMN ${META_SCHEMA}.runs.kind IS
  'sync: a run copied the source; rollback: a snapshot was swapped back in (restored_snapshot), the replaced state kept as kept_snapshot';`;

// The rules' fingerprint (src/mask/resolve.ts: a hash of the rules and the key's id, never the key)
// of the runs that masked, and of an unmasked run after one: a run under other rules drops the
// older snapshots, which hold data masked otherwise or not at all (src/mask/snapshots.ts).
const MASKING_RUNS = `
CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.masking_runs (
  run_id text PRIMARY KEY,
  fingerprint text,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN ${META_SCHEMA}.masking_runs.fingerprint IS
  'The masking rules and key id the live data was copied under; NULL: copied unmasked';`;

// A profile run that cut over but whose archive failed (docs/archives.md) has a status of its own.
const ARCHIVE_FAILED = `
ALTER TABLE ${META_SCHEMA}.runs DROP CONSTRAINT IF EXISTS runs_status_check;
ALTER TABLE ${META_SCHEMA}.runs ADD CONSTRAINT runs_status_check
  CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted', 'abandoned', 'skipped', 'archive-failed'));`;

/** In order; a released step is never changed, only followed by new ones. */
export const META_MIGRATIONS: readonly MetaMigration[] = [
  { version: 1, description: "the metadata schema of the releases before versioning", up: BASELINE },
  { version: 2, description: "runs.lock_wait_seconds: the wait for another run's lock", up: LOCK_WAIT },
  { version: 3, description: "runs.source and runs.destination rewritten masked", up: maskRecordedUrls },
  { version: 4, description: "runs.kind: rollbacks recorded in the history", up: ROLLBACK_ROWS },
  { version: 5, description: "masking_runs: the masking rules each run copied under", up: MASKING_RUNS },
  {
    version: 6,
    description: "runs.status 'archive-failed': the sync cut over, its archive failed",
    up: ARCHIVE_FAILED,
  },
];

/** The version of the metadata schema this release writes. */
export const META_VERSION = (META_MIGRATIONS.at(-1) as MetaMigration).version;

export interface MigrationReport {
  /** The version found (0: no version record, a schema of the releases before versioning or none). */
  readonly from: number;
  readonly to: number;
  /** The steps applied by this call (empty when the schema was current, or another session migrated it). */
  readonly applied: readonly number[];
}

/**
 * Brings the destination's metadata schema to META_VERSION, creating it if needed: the missing
 * steps in order, in one transaction (all or none). A schema that is already current costs one
 * read and takes no lock. A schema newer than this release is refused before anything is written.
 * The client must not be inside a transaction.
 */
export async function migrateMetaSchema(client: pg.Client, statementSeconds = 300): Promise<MigrationReport> {
  const settings = baseSettings(statementSeconds);
  const seen = await checkMetaSchemaVersion(client, statementSeconds);
  if (seen === META_VERSION) return { from: seen, to: seen, applied: [] };
  const migrate = () =>
    guarded(() =>
      inTransaction(client, settings, async () => {
        await client.query(`SELECT pg_catalog.pg_advisory_xact_lock(${META_DDL_LOCK})`);
        // Read again under the lock: another session may have migrated while this one waited.
        const from = await readVersion(client);
        refuseNewer(from);
        const applied: number[] = [];
        for (const step of META_MIGRATIONS) {
          if (step.version <= from) continue;
          await apply(client, step);
          applied.push(step.version);
        }
        return { from, to: META_VERSION, applied };
      }),
    );
  try {
    return await migrate();
  } catch (error) {
    // A name this session's catalog cache remembered as missing, which the session that held the
    // lock before has since created: a new transaction starts with the cache brought up to date.
    const code = sqlState(error);
    if (code === undefined || !STALE_CATALOG_CODES.has(code)) throw error;
    return await migrate();
  }
}

/**
 * Reads the metadata schema's version (0: none recorded) and refuses one newer than this release,
 * writing nothing and taking no lock: for a step that wants to stop before its first write.
 */
export async function checkMetaSchemaVersion(client: pg.Client, statementSeconds = 300): Promise<number> {
  const settings = baseSettings(statementSeconds);
  const found = await guarded(() => inTransaction(client, settings, () => readVersion(client), "READ ONLY"));
  refuseNewer(found);
  return found;
}

/** unique_violation, duplicate_schema, duplicate_table, duplicate_object, invalid_schema_name, undefined_table. */
const STALE_CATALOG_CODES = new Set(["23505", "42P06", "42P07", "42710", "3F000", "42P01"]);

async function apply(client: pg.Client, step: MetaMigration): Promise<void> {
  const sql = typeof step.up === "string" ? step.up : undefined;
  try {
    if (typeof step.up === "string") await client.query(step.up);
    else await step.up(client);
    await client.query(`INSERT INTO ${META_SCHEMA}.schema_version (version, description) VALUES ($1, $2)`, [
      step.version,
      step.description,
    ]);
  } catch (error) {
    throw wrapError(
      "guard",
      `upgrading the tool's metadata schema ${META_SCHEMA} to version ${step.version} (${step.description}) failed on the destination`,
      error,
      { object: `schema ${META_SCHEMA}`, side: "destination", ...(sql ? { sql } : {}) },
    );
  }
}

/**
 * The recorded version, 0 when there is no record. The presence check scans the catalog tables
 * with the statement's snapshot, taken after the lock was granted, so it sees what the session
 * that held the lock committed; a name lookup (to_regclass) may instead be answered from this
 * session's catalog cache, which can still remember the table as missing.
 */
async function readVersion(client: pg.Client): Promise<number> {
  // A schema this role may not read (another role's runs made it) is not checked here: the
  // privilege check of the introspect step names what is missing, before anything is written.
  const [present] = await readDestination(
    client,
    "metadata schema version table",
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = $1 AND c.relname = 'schema_version'
                      AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
                      AND pg_catalog.has_table_privilege(c.oid, 'SELECT')) AS present`,
    [META_SCHEMA],
    z.object({ present: z.boolean() }),
  );
  if (!present?.present) return 0;
  const [row] = await readDestination(
    client,
    "metadata schema version",
    `SELECT coalesce(max(version), 0) AS version FROM ${META_SCHEMA}.schema_version`,
    [],
    z.object({ version: int }),
  );
  return row?.version ?? 0;
}

function refuseNewer(found: number): void {
  if (found <= META_VERSION) return;
  throw new PgsyncError(
    "guard",
    `the tool's metadata schema ${META_SCHEMA} on the destination is at version ${found}, newer than this release of pgsync-ts knows (version ${META_VERSION}): a newer release wrote it; use that release or a later one (nothing was changed)`,
    { object: `schema ${META_SCHEMA}`, side: "destination" },
  );
}

/** Errors other than this module's own refusals name the schema and say what usually causes them. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof PgsyncError && error.kind === "guard") throw error;
    const inner = error instanceof PgsyncError ? error.context : {};
    const server = inner.server ?? serverFields(error);
    throw new PgsyncError(
      "guard",
      `the tool's metadata schema ${META_SCHEMA} could not be created or updated on the destination (if another role created it, run as that role or make this role a member of it): ${error instanceof Error ? error.message : String(error)}`,
      {
        object: `schema ${META_SCHEMA}`,
        side: "destination",
        ...(inner.sql ? { sql: inner.sql } : {}),
        ...(server ? { server } : {}),
      },
      { cause: error },
    );
  }
}
