import type pg from "pg";
import { z } from "zod";
import { int, oid, queryOne, queryRows, text, textOrNull } from "../db/rows.js";
import { PgsyncError } from "../errors.js";
import type { ServerInfo } from "../introspect/model.js";
import { readSchemas } from "../introspect/queries/schemas.js";
import { describeObject } from "../sql/describe.js";
import { destinationOnlyObjects } from "./destination-only.js";
import { readManaged } from "./meta.js";
import { listMovable } from "./movable.js";

/**
 * The production marker. A destination is refused, unless the profile sets `allowProduction: true`,
 * when either is set:
 *
 *   ALTER DATABASE mydb SET pgsync.role = 'production';   -- a superuser (or a 14 owner) can set it
 *   COMMENT ON DATABASE mydb IS '... pgsync:production ...'; -- the database owner can, on any version
 *
 * (PostgreSQL 15 and later let only a superuser set a custom parameter on a database, hence the
 * comment.) Both live outside the tool's schema, so they can be set before pgsync-ts ever touched
 * the database, and nothing a run does changes them: neither is copied from the source.
 */
export const PRODUCTION_SETTING = "pgsync.role";
export const PRODUCTION_VALUE = "production";
export const PRODUCTION_COMMENT = /(^|[^\w])pgsync:production($|[^\w])/i;

export interface GuardOptions {
  /** Only these source schemas are synced (all when absent). */
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  /** Allows a destination marked as production. */
  readonly allowProduction?: boolean;
  /** Adopts a non-empty destination that pgsync-ts did not create. */
  readonly force?: boolean;
  /** The run replaces the destination's large objects (it syncs the whole database). */
  readonly replacesLargeObjects?: boolean;
}

export interface GuardResult {
  /**
   * How the cut-over marks the destination as managed: "empty" for a first run onto empty schemas,
   * "forced" for a non-empty destination adopted with --force, undefined when it already is.
   */
  readonly adopt?: "empty" | "forced";
  /** The destination schemas the run will replace (the source schemas the run copies). */
  readonly replaced: readonly string[];
  /**
   * With "forced": the destination's objects that the source does not have, which the run moves into
   * its snapshot and so out of the live schemas (`table public.dev_notes`).
   */
  readonly destinationOnly?: readonly string[];
}

/** A source known only by what an archive's manifest recorded of it: its identity and its schemas. */
export interface RecordedSource {
  readonly info: ServerInfo;
  readonly schemas: readonly string[];
}

/**
 * The guards of a restore from an archive: the same refusals, the source being the server and
 * database the manifest recorded (so an archive is never restored into the database it came from).
 */
export function guardDestinationAgainst(
  source: RecordedSource,
  destination: pg.Client,
  destinationInfo: ServerInfo,
  options: GuardOptions,
): Promise<GuardResult> {
  return guardDestination(source, destination, source.info, destinationInfo, options);
}

/**
 * Everything that must hold before a run writes anything to the destination. Each refusal names
 * the database, the cause and the way out.
 */
export async function guardDestination(
  source: pg.Client | RecordedSource,
  destination: pg.Client,
  sourceInfo: ServerInfo,
  destinationInfo: ServerInfo,
  options: GuardOptions,
): Promise<GuardResult> {
  const db = `destination ${describeObject("database", destinationInfo.database)}`;
  // Server identity (system identifier, or start time and port) and database oid: two spellings of
  // one URL (localhost / 127.0.0.1, a DNS alias) are still the same database.
  if (sourceInfo.identity === destinationInfo.identity) {
    throw new PgsyncError(
      "guard",
      `the destination is the source database itself ("${sourceInfo.database}" on the same server); refusing to write into the source`,
      { side: "destination" },
    );
  }
  if (destinationInfo.inRecovery) {
    throw new PgsyncError("guard", `the ${db} is a read-only standby (in recovery); it cannot be written`, {
      side: "destination",
    });
  }
  const s = await queryOne(
    destination,
    "destination markers",
    `SELECT pg_catalog.current_setting('default_transaction_read_only') AS read_only,
            pg_catalog.current_setting($1, true) AS marker,
            (SELECT pg_catalog.shobj_description(d.oid, 'pg_database') FROM pg_catalog.pg_database d
              WHERE d.datname = pg_catalog.current_database()) AS comment`,
    [PRODUCTION_SETTING],
    z.object({ read_only: text, marker: textOrNull, comment: textOrNull }),
    "destination",
  );
  if (s.read_only === "on") {
    throw new PgsyncError(
      "guard",
      `the ${db} is read-only (default_transaction_read_only = on for this database or role); nothing was changed`,
      { side: "destination" },
    );
  }
  const marked =
    s.marker?.trim().toLowerCase() === PRODUCTION_VALUE
      ? `${PRODUCTION_SETTING} = '${PRODUCTION_VALUE}'`
      : s.comment && PRODUCTION_COMMENT.test(s.comment)
        ? "its comment says pgsync:production"
        : undefined;
  if (marked && !options.allowProduction) {
    throw new PgsyncError(
      "guard",
      `the ${db} is marked as production (${marked}); refusing to replace it. Set "allowProduction": true in the profile if this is intended`,
      { side: "destination" },
    );
  }
  const replaced = (
    "schemas" in source ? source.schemas : (await readSchemas(source)).map((x) => x.name)
  ).filter(
    (name) => (!options.schemas || options.schemas.includes(name)) && !options.excludeSchemas?.includes(name),
  );
  const present = await queryRows(
    destination,
    "replaced schemas",
    "SELECT oid, nspname AS name FROM pg_catalog.pg_namespace WHERE nspname = ANY($1::text[]) ORDER BY nspname",
    [replaced],
    z.object({ oid, name: text }),
    "destination",
  );
  // Missing privileges (CREATE, ownership of what moves) are checked with everything else the run
  // needs, in one list, before anything is written (src/pipeline/privileges.ts).
  if (await readManaged(destination)) return { replaced };
  const existing: string[] = [];
  for (const r of present) existing.push(...(await listMovable(destination, r.oid)).map((m) => m.object));
  const movable = [...existing];
  if (options.replacesLargeObjects) {
    // Database-wide, in no schema: a run of the whole database replaces them too.
    const { n } = await queryOne(
      destination,
      "large objects",
      "SELECT count(*) AS n FROM pg_catalog.pg_largeobject_metadata",
      [],
      z.object({ n: int }),
      "destination",
    );
    if (n > 0) existing.push(`${n} large object(s)`);
  }
  if (existing.length === 0) return { adopt: "empty", replaced };
  if (options.force) {
    // An archive's source is not at hand: its objects are not compared with the destination's.
    if ("schemas" in source) return { adopt: "forced", replaced };
    const destinationOnly = await destinationOnlyObjects(source, movable, replaced);
    return { adopt: "forced", replaced, destinationOnly };
  }
  throw new PgsyncError(
    "guard",
    `the ${db} already holds ${existing.length} object(s) that pgsync-ts did not create, which a run would replace: ${existing.slice(0, 5).join(", ")}${existing.length > 5 ? ", ..." : ""}. Pass --force (or set "force": true in the profile) to adopt this destination once; later runs then need no flag`,
    { side: "destination" },
  );
}
