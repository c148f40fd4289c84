/**
 * The names of the schemas pgsync-ts itself creates, recognised exactly: a source or destination
 * schema that merely starts with `_pgsync` (say `_pgsyncx`) is a user's, and is synced like any other.
 */

/** The metadata schema (snapshot records, the managed marker, run history). */
export const META_SCHEMA_NAME = "_pgsync";

/**
 * A run's staging schemas: `_pgsync_stage_<run id>_<n>`, the run id being 8 hex digits, and the
 * run's stage of large objects, `_pgsync_stage_<run id>_lo`. As a POSIX regular expression (`~`).
 */
export const STAGING_SCHEMA_PATTERN = "^_pgsync_stage_[0-9a-f]{8}_([1-9][0-9]*|lo)$";

/** Snapshot schemas start so; only those a `_pgsync.snapshots` row records are the tool's. */
export const SNAPSHOT_SCHEMA_PREFIX = "_pgsync_snap_";

export function isStagingSchema(name: string): boolean {
  return new RegExp(STAGING_SCHEMA_PATTERN).test(name);
}
