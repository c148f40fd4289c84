import type pg from "pg";
import { z } from "zod";
import { AD_HOC_RETENTION_DAYS } from "../config/builtins.js";
import { int, num, text } from "../db/rows.js";
import { quoteLiteral } from "../sql/quote.js";
import { formatBytes } from "../util/format-bytes.js";
import { destinationFreeBytes, freeSpaceWarning } from "./disk-space.js";
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

export interface SnapshotStorage {
  /** Disk space all snapshots take together. */
  readonly snapshotBytes: number;
  /** Disk space the live schemas that snapshots were taken of take now. */
  readonly liveBytes: number;
  readonly snapshots: number;
  /** How many snapshots the retention is expected to keep (see expectedSnapshots). */
  readonly expectedSnapshots?: number;
  /**
   * Free space of the destination's data directory, where this process can read it (the server on
   * this machine, a role that may see data_directory: src/restore/disk-space.ts).
   */
  readonly freeBytes?: number;
  /**
   * Set when the snapshots take more than (expectedSnapshots + 1) times the live size, or when the
   * destination's free disk (where it can be read) is below the live size.
   */
  readonly warning?: string;
}

/** What the retention keeps, for the storage warning: the policy and how often the profile runs. */
export interface StorageExpectation {
  /** The retention policy (retention.ts's Retention). */
  readonly retention: { readonly days: number; readonly count?: number };
  /** Runs a day, from the profile's schedule; DEFAULT_RUNS_PER_DAY when it has none. */
  readonly runsPerDay?: number;
}

/** The built-in profiles run twice a day; a profile without a schedule is taken to run as often. */
export const DEFAULT_RUNS_PER_DAY = 2;

/**
 * How many snapshots a retention keeps at most in steady state: one per run for `days` days
 * (`dev`: 3 days at two runs a day, 6), capped by `count`. Every snapshot is a full copy, so this many
 * copies of the live size is what the retention asks for, and is no reason to warn.
 */
export function expectedSnapshots(expectation: StorageExpectation): number {
  const { retention } = expectation;
  const perDay = expectation.runsPerDay ?? DEFAULT_RUNS_PER_DAY;
  const byAge = Math.ceil(retention.days * perDay);
  return Math.max(1, retention.count === undefined ? byAge : Math.min(retention.count, byAge));
}

/**
 * How much space the snapshots take, compared with the live state they are copies of. Without an
 * expectation (a caller that knows no retention), two snapshots are expected.
 *
 * The destination's free disk is read only where this process can see the server's data directory
 * (src/restore/disk-space.ts): no SQL function reports it, and the only ways to read it from a
 * session (`COPY ... FROM PROGRAM 'df'`, an untrusted language) run a program on the server, which
 * the tool never does.
 */
export async function snapshotStorage(
  client: pg.Client,
  snapshots?: readonly SnapshotRecord[],
  expectation?: StorageExpectation,
): Promise<SnapshotStorage> {
  const list = snapshots ?? (await listSnapshots(client));
  const snapshotBytes = list.reduce((n, s) => n + s.bytes, 0);
  const originals = [...new Set(list.flatMap((s) => s.schemas.map((x) => x.original)))];
  const Bytes = z.object({ bytes: num });
  const [live] = await readDestination(
    client,
    "live schemas' size",
    `SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::text AS bytes
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'm', 'S')`,
    [originals],
    Bytes,
  );
  // Snapshots that keep large objects are compared with the live ones too (pg_largeobject's size).
  const [liveLargeObjects] = list.some((s) => s.largeObjects)
    ? await readDestination(
        client,
        "live large objects' size",
        "SELECT pg_catalog.pg_total_relation_size('pg_catalog.pg_largeobject')::text AS bytes",
        [],
        Bytes,
      )
    : [];
  const liveBytes = (live?.bytes ?? 0) + (liveLargeObjects?.bytes ?? 0);
  const expected = expectation ? expectedSnapshots(expectation) : 2;
  const over = list.length > 0 && snapshotBytes > (expected + 1) * liveBytes;
  const freeBytes = await destinationFreeBytes(client);
  const warnings = [
    ...(over ? [storageWarning(list.length, snapshotBytes, liveBytes, expected, expectation)] : []),
    ...[freeSpaceWarning(freeBytes, liveBytes)].filter((w): w is string => w !== undefined),
  ];
  return {
    snapshotBytes,
    liveBytes,
    snapshots: list.length,
    expectedSnapshots: expected,
    ...(freeBytes !== undefined ? { freeBytes } : {}),
    ...(warnings.length > 0 ? { warning: warnings.join("; ") } : {}),
  };
}

/** The warning says how far over it is, what the retention keeps, and what to change. */
function storageWarning(
  count: number,
  snapshotBytes: number,
  liveBytes: number,
  expected: number,
  expectation: StorageExpectation | undefined,
): string {
  const r = expectation?.retention;
  const keeps = r
    ? `retention keeps ${r.count === undefined ? "" : `at most ${r.count}, `}${r.days < AD_HOC_RETENTION_DAYS ? `${r.days} day(s)` : "with no age limit"}: about ${expected} snapshot(s)`
    : `about ${expected} snapshot(s) are expected`;
  return `the ${count} snapshot(s) take ${formatBytes(snapshotBytes)}, more than ${expected + 1} times the live size (${formatBytes(liveBytes)}; the ${keeps}, each a full copy). The snapshots hold larger states than the live one, or more runs than the retention expects: lower retention.count or retention.days (--keep for an ad hoc run), or drop them now with \`pgsync-ts snapshots --prune\``;
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
