import type pg from "pg";

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
CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.managed (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  first_run_id text NOT NULL,
  adopted_at timestamptz NOT NULL DEFAULT now(),
  source_identity text
);`;

export async function ensureMetaSchema(client: pg.Client): Promise<void> {
  await client.query(CREATE_META);
}

export interface SnapshotRecord {
  readonly snapshotId: string;
  readonly runId: string;
  readonly takenAt: Date;
  readonly reason: string;
  readonly schemas: readonly { readonly original: string; readonly snapshot: string }[];
  /** Disk space the snapshot's tables, indexes and TOAST take. */
  readonly bytes: number;
}

export async function listSnapshots(client: pg.Client): Promise<SnapshotRecord[]> {
  const exists = await client.query(`SELECT to_regclass('${META_SCHEMA}.snapshots') IS NOT NULL AS ok`);
  if (!exists.rows[0]?.ok) return [];
  const result = await client.query<{
    snapshot_id: string;
    run_id: string;
    taken_at: Date;
    reason: string;
    schemas: { original: string; snapshot: string }[];
    bytes: string;
  }>(
    `WITH sized AS (
       SELECT s.*, (SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = s.snapshot_schema AND c.relkind IN ('r', 'm', 'S')) AS bytes
       FROM ${META_SCHEMA}.snapshots s)
     SELECT snapshot_id, run_id, min(taken_at) AS taken_at, min(reason) AS reason, sum(bytes)::text AS bytes,
            json_agg(json_build_object('original', original_schema, 'snapshot', snapshot_schema) ORDER BY original_schema) AS schemas
     FROM sized GROUP BY snapshot_id, run_id ORDER BY min(taken_at) DESC`,
  );
  return result.rows.map((r) => ({
    snapshotId: r.snapshot_id,
    runId: r.run_id,
    takenAt: r.taken_at,
    reason: r.reason,
    schemas: r.schemas,
    bytes: Number(r.bytes),
  }));
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
