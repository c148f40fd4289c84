import type pg from "pg";
import { baseSettings, inTransaction } from "../db/session.js";
import { wrapError } from "../errors.js";
import { quoteLiteral } from "../sql/quote.js";

/**
 * The tool's own metadata on the destination, in a schema that is never swapped, snapshotted or
 * verified. It records the snapshots (for rollback and retention) and marks the database as one the
 * tool manages.
 */
export const META_SCHEMA = "_pgsync";
export const STAGING_PREFIX = "_pgsync_stage_";
export const SNAPSHOT_PREFIX = "_pgsync_snap_";

const CREATE_META = `
CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
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
);`;

export async function ensureMetaSchema(client: pg.Client, statementSeconds = 300): Promise<void> {
  try {
    await inTransaction(client, baseSettings(statementSeconds), async () => {
      await client.query(CREATE_META);
    });
  } catch (error) {
    throw wrapError(
      "guard",
      `the tool's metadata schema ${META_SCHEMA} could not be created or updated on the destination (if another role created it, run as that role or make this role a member of it)`,
      error,
      { object: `schema ${META_SCHEMA}`, side: "destination" },
    );
  }
}

export interface ManagedRecord {
  readonly firstRunId: string;
  readonly adoptedAt: Date;
  readonly how: "empty" | "forced";
}

/**
 * Whether pgsync-ts created (or was told to adopt) this destination. A database that already holds
 * snapshots was written by the tool before the `managed` record existed, and counts too. Metadata
 * the role may not read (another role's runs created it) also counts: pgsync-ts wrote here.
 */
export async function readManaged(client: pg.Client): Promise<ManagedRecord | undefined> {
  const tables = await client.query<{ name: string; readable: boolean }>(
    `SELECT c.relname AS name, pg_catalog.has_table_privilege(c.oid, 'SELECT')
              AND pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS readable
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname IN ('managed', 'snapshots')`,
    [META_SCHEMA],
  );
  const table = (name: string) => tables.rows.find((t) => t.name === name);
  const unreadable: ManagedRecord = { firstRunId: "unknown", adoptedAt: new Date(0), how: "empty" };
  const managed = table("managed");
  if (managed && !managed.readable) return unreadable;
  if (managed) {
    const rows = await client.query<{ first_run_id: string; adopted_at: Date; how?: string }>(
      `SELECT * FROM ${META_SCHEMA}.managed`,
    );
    const m = rows.rows[0];
    if (m)
      return {
        firstRunId: m.first_run_id,
        adoptedAt: m.adopted_at,
        how: m.how === "forced" ? "forced" : "empty",
      };
  }
  const snapshots = table("snapshots");
  if (snapshots && !snapshots.readable) return unreadable;
  if (snapshots) {
    const any = await client.query<{ run_id: string; taken_at: Date }>(
      `SELECT run_id, taken_at FROM ${META_SCHEMA}.snapshots ORDER BY taken_at LIMIT 1`,
    );
    const first = any.rows[0];
    if (first) return { firstRunId: first.run_id, adoptedAt: first.taken_at, how: "empty" };
  }
  return undefined;
}

/** SQL that marks the destination as managed (inside the cut-over transaction); a no-op when it already is. */
export function recordManagedSql(runId: string, sourceIdentity: string, how: "empty" | "forced"): string {
  const values = [runId, sourceIdentity, how].map(quoteLiteral).join(", ");
  return `INSERT INTO ${META_SCHEMA}.managed (first_run_id, source_identity, how) VALUES (${values}) ON CONFLICT (singleton) DO NOTHING`;
}

export interface SnapshotSchema {
  /** The live schema the contents came from. */
  readonly original: string;
  readonly snapshot: string;
  /** False when the live schema did not exist at the time (the snapshot schema is empty). */
  readonly existed: boolean;
}

export interface SnapshotRecord {
  readonly snapshotId: string;
  readonly runId: string;
  readonly takenAt: Date;
  /** "run" (the state a run replaced) or "rollback" (the state a rollback replaced). */
  readonly reason: string;
  readonly schemas: readonly SnapshotSchema[];
  /** Disk space the snapshot's tables, indexes and TOAST take, plus the bytes of its large objects. */
  readonly bytes: number;
  /** Present when the snapshot keeps the destination's large objects (a run of the whole database). */
  readonly largeObjects?: { readonly objects: number; readonly bytes: number };
}

/** Disk space of a schema's tables, materialized views and sequences, with their indexes and TOAST. */
const SCHEMA_BYTES = (schemaExpr: string) => `(
  SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ${schemaExpr} AND c.relkind IN ('r', 'm', 'S'))`;

/** The destination's snapshots, newest first. */
export async function listSnapshots(client: pg.Client): Promise<SnapshotRecord[]> {
  const exists = await client.query(`SELECT to_regclass('${META_SCHEMA}.snapshots') IS NOT NULL AS ok`);
  if (!exists.rows[0]?.ok) return [];
  const existed = await client.query(
    `SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = '${META_SCHEMA}.snapshots'::regclass AND attname = 'existed' AND NOT attisdropped`,
  );
  const existedColumn = existed.rows.length > 0 ? "s.existed" : "true";
  const result = await client.query<{
    snapshot_id: string;
    run_id: string;
    taken_at: Date;
    reason: string;
    schemas: SnapshotSchema[];
    bytes: string;
  }>(
    `WITH sized AS (
       SELECT s.*, ${existedColumn} AS was_there, ${SCHEMA_BYTES("s.snapshot_schema")} AS bytes
       FROM ${META_SCHEMA}.snapshots s)
     SELECT snapshot_id, run_id, min(taken_at) AS taken_at, min(reason) AS reason, sum(bytes)::text AS bytes,
            json_agg(json_build_object('original', original_schema, 'snapshot', snapshot_schema, 'existed', was_there)
                     ORDER BY original_schema) AS schemas
     FROM sized GROUP BY snapshot_id, run_id ORDER BY min(taken_at) DESC, snapshot_id DESC`,
  );
  const saved = await largeObjectSnapshots(client);
  const records: SnapshotRecord[] = result.rows.map((r) => {
    const lo = saved.get(r.snapshot_id);
    return {
      snapshotId: r.snapshot_id,
      runId: r.run_id,
      takenAt: r.taken_at,
      reason: r.reason,
      schemas: r.schemas,
      bytes: Number(r.bytes) + (lo?.bytes ?? 0),
      ...(lo ? { largeObjects: { objects: lo.objects, bytes: lo.bytes } } : {}),
    };
  });
  // A snapshot with large objects but no schema (a source without schemas) is a snapshot too.
  const listed = new Set(records.map((r) => r.snapshotId));
  for (const [id, lo] of saved) {
    if (listed.has(id)) continue;
    records.push({
      snapshotId: id,
      runId: lo.runId,
      takenAt: lo.takenAt,
      reason: lo.reason,
      schemas: [],
      bytes: lo.bytes,
      largeObjects: { objects: lo.objects, bytes: lo.bytes },
    });
  }
  return records.sort(
    (a, b) => b.takenAt.getTime() - a.takenAt.getTime() || b.snapshotId.localeCompare(a.snapshotId),
  );
}

interface LargeObjectSnapshot {
  readonly runId: string;
  readonly takenAt: Date;
  readonly reason: string;
  readonly objects: number;
  readonly bytes: number;
}

/** The snapshots that keep large objects, by snapshot id (none before the table existed). */
async function largeObjectSnapshots(client: pg.Client): Promise<Map<string, LargeObjectSnapshot>> {
  const exists = await client.query(
    `SELECT to_regclass('${META_SCHEMA}.large_object_snapshots') IS NOT NULL AS ok`,
  );
  if (!exists.rows[0]?.ok) return new Map();
  const rows = await client.query<{
    snapshot_id: string;
    run_id: string;
    taken_at: Date;
    reason: string;
    objects: string;
    bytes: string;
  }>(
    `SELECT snapshot_id, run_id, taken_at, reason, objects, bytes FROM ${META_SCHEMA}.large_object_snapshots`,
  );
  return new Map(
    rows.rows.map((r) => [
      r.snapshot_id,
      {
        runId: r.run_id,
        takenAt: r.taken_at,
        reason: r.reason,
        objects: Number(r.objects),
        bytes: Number(r.bytes),
      },
    ]),
  );
}

export interface SnapshotStorage {
  /** Disk space all snapshots take together. */
  readonly snapshotBytes: number;
  /** Disk space the live schemas that snapshots were taken of take now. */
  readonly liveBytes: number;
  readonly snapshots: number;
  /** Set when the snapshots take more than three times the live size (every snapshot is a full copy). */
  readonly warning?: string;
}

/** How much space the snapshots take, compared with the live state they are copies of. */
export async function snapshotStorage(
  client: pg.Client,
  snapshots?: readonly SnapshotRecord[],
): Promise<SnapshotStorage> {
  const list = snapshots ?? (await listSnapshots(client));
  const snapshotBytes = list.reduce((n, s) => n + s.bytes, 0);
  const originals = [...new Set(list.flatMap((s) => s.schemas.map((x) => x.original)))];
  const live = await client.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::text AS bytes
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'm', 'S')`,
    [originals],
  );
  // Snapshots that keep large objects are compared with the live ones too (pg_largeobject's size).
  const liveLargeObjects = list.some((s) => s.largeObjects)
    ? await client.query<{ bytes: string }>(
        "SELECT pg_catalog.pg_total_relation_size('pg_catalog.pg_largeobject')::text AS bytes",
      )
    : undefined;
  const liveBytes = Number(live.rows[0]?.bytes ?? 0) + Number(liveLargeObjects?.rows[0]?.bytes ?? 0);
  const over = list.length > 0 && snapshotBytes > STORAGE_WARNING_FACTOR * liveBytes;
  return {
    snapshotBytes,
    liveBytes,
    snapshots: list.length,
    ...(over
      ? {
          warning: `the ${list.length} snapshot(s) take ${formatSize(snapshotBytes)}, more than ${STORAGE_WARNING_FACTOR} times the live size (${formatSize(liveBytes)}); every snapshot is a full copy: lower the retention (retention.days / retention.count, or --keep) or run \`pgsync-ts snapshots --prune\``,
        }
      : {}),
  };
}

/** Snapshots that take more than this many times the live size are reported. */
export const STORAGE_WARNING_FACTOR = 3;

function formatSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A snapshot id says when it was taken and by which run: `20261126t060000z_ab12cd34`. */
export function snapshotIdFor(runId: string, at: Date = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "z")
    .toLowerCase();
  return `${stamp}_${runId}`;
}
