import type pg from "pg";
import { z } from "zod";
import { int, num, text } from "../db/rows.js";
import { quoteLiteral } from "../sql/quote.js";
import { META_SCHEMA, migrateMetaSchema, readDestination } from "./migrations.js";

/**
 * The tool's own metadata on the destination, in a schema that is never swapped, snapshotted or
 * verified. It records the snapshots (for rollback and retention) and marks the database as one the
 * tool manages. Its tables are created and upgraded in one place, src/restore/migrations.ts; the
 * readers here also read a schema that an older release left (columns it did not have yet).
 */
export { META_SCHEMA, readDestination };
export const STAGING_PREFIX = "_pgsync_stage_";
export const SNAPSHOT_PREFIX = "_pgsync_snap_";

/** Creates or upgrades the metadata schema (see migrateMetaSchema); run after the run's lock step. */
export async function ensureMetaSchema(client: pg.Client, statementSeconds = 300): Promise<void> {
  await migrateMetaSchema(client, statementSeconds);
}

const Exists = z.object({ ok: z.boolean() });

/** Whether a relation of the metadata schema exists. */
export async function metaTableExists(client: pg.Client, table: string): Promise<boolean> {
  const [row] = await readDestination(
    client,
    `metadata table ${table}`,
    "SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', $1::text, $2::text)) IS NOT NULL AS ok",
    [META_SCHEMA, table],
    Exists,
  );
  return row?.ok === true;
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
  const tables = await readDestination(
    client,
    "metadata tables readable",
    `SELECT c.relname AS name, pg_catalog.has_table_privilege(c.oid, 'SELECT')
              AND pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS readable
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname IN ('managed', 'snapshots')`,
    [META_SCHEMA],
    z.object({ name: text, readable: z.boolean() }),
  );
  const table = (name: string) => tables.find((t) => t.name === name);
  const unreadable: ManagedRecord = { firstRunId: "unknown", adoptedAt: new Date(0), how: "empty" };
  const managed = table("managed");
  if (managed && !managed.readable) return unreadable;
  if (managed) {
    // SELECT *: the oldest schemas have no "how" column (adopted while empty).
    const [m] = await readDestination(
      client,
      "managed record",
      `SELECT * FROM ${META_SCHEMA}.managed`,
      [],
      z.object({
        first_run_id: text,
        adopted_at: z.date(),
        how: z.enum(["empty", "forced"]).default("empty"),
      }),
    );
    if (m) return { firstRunId: m.first_run_id, adoptedAt: m.adopted_at, how: m.how };
  }
  const snapshots = table("snapshots");
  if (snapshots && !snapshots.readable) return unreadable;
  if (snapshots) {
    const [first] = await readDestination(
      client,
      "first snapshot",
      `SELECT run_id, taken_at FROM ${META_SCHEMA}.snapshots ORDER BY taken_at LIMIT 1`,
      [],
      z.object({ run_id: text, taken_at: z.date() }),
    );
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

export type SnapshotReason = "run" | "rollback";
const Reason = z.enum(["run", "rollback"]);

export interface SnapshotRecord {
  readonly snapshotId: string;
  readonly runId: string;
  readonly takenAt: Date;
  /** "run" (the state a run replaced) or "rollback" (the state a rollback replaced). */
  readonly reason: SnapshotReason;
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

const SnapshotRow = z.object({
  snapshot_id: text,
  run_id: text,
  taken_at: z.date(),
  reason: Reason,
  bytes: num,
  schemas: z.array(z.object({ original: text, snapshot: text, existed: z.boolean() })),
});

/** The destination's snapshots, newest first. */
export async function listSnapshots(client: pg.Client): Promise<SnapshotRecord[]> {
  if (!(await metaTableExists(client, "snapshots"))) return [];
  // The oldest schemas have no "existed" column: every live schema existed then.
  const existed = await readDestination(
    client,
    "snapshots.existed column",
    `SELECT 1 AS present FROM pg_catalog.pg_attribute
     WHERE attrelid = '${META_SCHEMA}.snapshots'::regclass AND attname = 'existed' AND NOT attisdropped`,
    [],
    z.object({ present: int }),
  );
  const existedColumn = existed.length > 0 ? "s.existed" : "true";
  const rows = await readDestination(
    client,
    "snapshots",
    `WITH sized AS (
       SELECT s.*, ${existedColumn} AS was_there, ${SCHEMA_BYTES("s.snapshot_schema")} AS bytes
       FROM ${META_SCHEMA}.snapshots s)
     SELECT snapshot_id, run_id, min(taken_at) AS taken_at, min(reason) AS reason, sum(bytes)::text AS bytes,
            json_agg(json_build_object('original', original_schema, 'snapshot', snapshot_schema, 'existed', was_there)
                     ORDER BY original_schema) AS schemas
     FROM sized GROUP BY snapshot_id, run_id ORDER BY min(taken_at) DESC, snapshot_id DESC`,
    [],
    SnapshotRow,
  );
  const saved = await largeObjectSnapshots(client);
  const records: SnapshotRecord[] = rows.map((r) => {
    const lo = saved.get(r.snapshot_id);
    return {
      snapshotId: r.snapshot_id,
      runId: r.run_id,
      takenAt: r.taken_at,
      reason: r.reason,
      schemas: r.schemas,
      bytes: r.bytes + (lo?.bytes ?? 0),
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
  readonly reason: SnapshotReason;
  readonly objects: number;
  readonly bytes: number;
}

const LargeObjectSnapshotRow = z.object({
  snapshot_id: text,
  run_id: text,
  taken_at: z.date(),
  reason: Reason,
  objects: num,
  bytes: num,
});

/** The snapshots that keep large objects, by snapshot id (none before the table existed). */
async function largeObjectSnapshots(client: pg.Client): Promise<Map<string, LargeObjectSnapshot>> {
  if (!(await metaTableExists(client, "large_object_snapshots"))) return new Map();
  const rows = await readDestination(
    client,
    "large object snapshots",
    `SELECT snapshot_id, run_id, taken_at, reason, objects, bytes FROM ${META_SCHEMA}.large_object_snapshots`,
    [],
    LargeObjectSnapshotRow,
  );
  return new Map(
    rows.map((r) => [
      r.snapshot_id,
      { runId: r.run_id, takenAt: r.taken_at, reason: r.reason, objects: r.objects, bytes: r.bytes },
    ]),
  );
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
