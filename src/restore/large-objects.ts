import type pg from "pg";
import { z } from "zod";
import { num, oid, text, validRows } from "../db/rows.js";
import { execute } from "../db/session.js";
import { wrapError } from "../errors.js";
import type { LargeObject } from "../introspect/model.js";
import {
  GRANTS_JSON,
  Grants,
  LARGE_OBJECT_CHUNK,
  LARGE_OBJECT_SIZES,
} from "../introspect/queries/large-objects.js";
import { describeObject } from "../sql/describe.js";
import { quoteIdent } from "../sql/quote.js";
import { META_SCHEMA, metaTableExists, readDestination } from "./meta.js";

/**
 * Large objects in a cut-over or a rollback. They belong to no schema, so the schema swap cannot
 * carry them: inside the same transaction, the live ones are copied into the tool's metadata under
 * the snapshot id, unlinked, and the incoming ones are created with their own OIDs (user tables
 * store them). Large object operations are transactional, so a failure before COMMIT leaves the
 * live ones untouched. Everything runs in the server: no content travels to the tool.
 */

export interface LargeObjectSource {
  /** SELECT returning (loid) of every incoming large object. */
  readonly objects: string;
  /** SELECT returning (loid, off, data): their content, in chunks. */
  readonly chunks: string;
  readonly params: readonly unknown[];
}

export interface SavedLargeObjects {
  readonly objects: number;
  readonly bytes: number;
}

/**
 * Copies the live large objects (content, owner, grants) into the metadata under `snapshotId` and
 * unlinks them. Exactly the saved ones are unlinked, so an object created meanwhile by another
 * session is never lost unsaved.
 */
export async function saveAndUnlinkLargeObjects(
  client: pg.Client,
  snapshot: { readonly snapshotId: string; readonly runId: string; readonly reason: "run" | "rollback" },
): Promise<SavedLargeObjects> {
  const id = snapshot.snapshotId;
  await query(
    client,
    `INSERT INTO ${META_SCHEMA}.large_object_snapshots (snapshot_id, run_id, reason, objects, bytes)
     VALUES ($1, $2, $3, 0, 0)`,
    [id, snapshot.runId, snapshot.reason],
    "saving the large objects' snapshot record",
  );
  // One pass over the metadata: sizes come from opening each object (see LARGE_OBJECT_SIZES).
  await query(
    client,
    `INSERT INTO ${META_SCHEMA}.large_objects (snapshot_id, loid, owner, grants, size)
     SELECT $1, s.oid, pg_catalog.pg_get_userbyid(s.lomowner), ${GRANTS_JSON("s.lomacl")}, s.size
     FROM ${LARGE_OBJECT_SIZES} s`,
    [id],
    "saving the destination's large objects",
  );
  await query(
    client,
    `INSERT INTO ${META_SCHEMA}.large_object_chunks (snapshot_id, loid, off, data)
     SELECT $1, o.loid, c.off, pg_catalog.lo_get(o.loid, c.off, ${LARGE_OBJECT_CHUNK})
     FROM ${META_SCHEMA}.large_objects o
     CROSS JOIN LATERAL pg_catalog.generate_series(0::bigint, o.size - 1, ${LARGE_OBJECT_CHUNK}) c(off)
     WHERE o.snapshot_id = $1`,
    [id],
    "saving the destination's large objects' content",
  );
  const totals = await query(
    client,
    `UPDATE ${META_SCHEMA}.large_object_snapshots l
     SET objects = t.objects, bytes = t.bytes
     FROM (SELECT count(*) AS objects, coalesce(sum(size), 0) AS bytes
           FROM ${META_SCHEMA}.large_objects WHERE snapshot_id = $1) t
     WHERE l.snapshot_id = $1
     RETURNING l.objects::text, l.bytes::text`,
    [id],
    "saving the large objects' snapshot record",
  );
  await query(
    client,
    `SELECT count(*) FROM (SELECT pg_catalog.lo_unlink(loid) FROM ${META_SCHEMA}.large_objects
                           WHERE snapshot_id = $1 OFFSET 0) u`,
    [id],
    "unlinking the destination's large objects",
  );
  const [row] = validated(
    totals,
    z.object({ objects: num, bytes: num }),
    "the large objects' snapshot record",
  );
  return { objects: row?.objects ?? 0, bytes: row?.bytes ?? 0 };
}

/**
 * Creates the incoming large objects with their OIDs, owned by the session's role with the default
 * ACL, and writes their content. Returns how many were created.
 */
export async function createLargeObjects(client: pg.Client, source: LargeObjectSource): Promise<number> {
  // OFFSET 0: the calls stay in the subquery, one per row, and only the count comes back.
  const created = await query(
    client,
    `SELECT count(*)::text AS n FROM (SELECT pg_catalog.lo_create(i.loid) FROM (${source.objects}) i OFFSET 0) c`,
    source.params,
    "creating the large objects",
  );
  await query(
    client,
    `SELECT count(*) FROM (SELECT pg_catalog.lo_put(i.loid, i.off, i.data) FROM (${source.chunks}) i OFFSET 0) w`,
    source.params,
    "writing the large objects' content",
  );
  const [row] = validated(created, z.object({ n: num }), "the large objects created");
  return row?.n ?? 0;
}

/**
 * The statements that give large objects their owner and grants, as the project treats tables: a
 * role that does not exist on the destination is skipped and reported. A NULL ACL (the default)
 * needs no statement; otherwise everything is revoked and the grants are made again, after the
 * owner is set (so the owner grants them).
 */
export function largeObjectPrivilegeStatements(
  objects: readonly LargeObject[],
  roles: ReadonlySet<string>,
  currentRole: string,
): { statements: { object: string; sql: string }[]; skipped: string[] } {
  const statements: { object: string; sql: string }[] = [];
  const skipped: string[] = [];
  const who = (role: string | null) => (role === null ? "PUBLIC" : quoteIdent(role));
  for (const lo of objects) {
    const object = `large object ${lo.oid}`;
    const ownerExists = roles.has(lo.owner);
    if (lo.owner !== currentRole) {
      if (ownerExists)
        statements.push({ object, sql: `ALTER LARGE OBJECT ${lo.oid} OWNER TO ${who(lo.owner)}` });
      else
        skipped.push(
          `owner of ${object}: ${describeObject("role", lo.owner)} does not exist on the destination`,
        );
    }
    if (lo.grants === null) continue;
    const owner = ownerExists ? lo.owner : currentRole;
    statements.push({ object, sql: `REVOKE ALL ON LARGE OBJECT ${lo.oid} FROM PUBLIC, ${who(owner)}` });
    for (const g of lo.grants) {
      // The owner's own grants follow it to whoever owns the object here.
      const grantee = g.grantee === lo.owner ? owner : g.grantee;
      if (grantee !== null && !roles.has(grantee)) {
        skipped.push(
          `${g.privilege} on ${object} for ${describeObject("role", grantee)}: the role does not exist on the destination`,
        );
        continue;
      }
      statements.push({
        object,
        sql: `GRANT ${g.privilege} ON LARGE OBJECT ${lo.oid} TO ${who(grantee)}${g.grantable ? " WITH GRANT OPTION" : ""}`,
      });
    }
  }
  return { statements, skipped };
}

const BATCH = 500;

/**
 * Runs many small statements in batches (one round trip each), inside the caller's transaction. A
 * failing batch is rolled back to its savepoint and replayed one statement at a time, so that the
 * error names the large object it is about.
 */
export async function executeBatched(
  client: pg.Client,
  statements: readonly { object: string; sql: string }[],
): Promise<void> {
  for (let i = 0; i < statements.length; i += BATCH) {
    const batch = statements.slice(i, i + BATCH);
    await client.query("SAVEPOINT pgsync_large_objects");
    try {
      await client.query(batch.map((s) => s.sql).join(";\n"));
      await client.query("RELEASE SAVEPOINT pgsync_large_objects");
    } catch (error) {
      await client.query("ROLLBACK TO SAVEPOINT pgsync_large_objects");
      for (const s of batch) await execute(client, s.sql, s.object, "cutover");
      throw wrapError("cutover", "setting the owners and grants of large objects", error, {
        side: "destination",
      });
    }
  }
}

/** The roles of the destination and the session's own role. */
export async function destinationRoles(client: pg.Client): Promise<{ roles: Set<string>; me: string }> {
  const rows = await readDestination(
    client,
    "destination roles",
    "SELECT rolname AS name, rolname = current_user AS me FROM pg_catalog.pg_roles",
    [],
    z.object({ name: text, me: z.boolean() }),
  );
  return { roles: new Set(rows.map((r) => r.name)), me: rows.find((r) => r.me)?.name ?? "" };
}

/** The large objects a snapshot keeps, or undefined when it keeps none (a run of selected schemas). */
export async function savedLargeObjects(
  client: pg.Client,
  snapshotId: string,
): Promise<LargeObject[] | undefined> {
  const marker = await readDestination(
    client,
    "large object snapshot record",
    `SELECT 1 AS present FROM ${META_SCHEMA}.large_object_snapshots WHERE snapshot_id = $1`,
    [snapshotId],
    z.object({ present: num }),
  );
  if (marker.length === 0) return undefined;
  const rows = await readDestination(
    client,
    "saved large objects",
    `SELECT loid, owner, grants FROM ${META_SCHEMA}.large_objects WHERE snapshot_id = $1 ORDER BY loid`,
    [snapshotId],
    z.object({ loid: oid, owner: text, grants: Grants }),
  );
  return rows.map((r) => ({ oid: r.loid, owner: r.owner, grants: r.grants }));
}

/**
 * Rollback: the live large objects are saved under `keptAs` and replaced by the ones `snapshotId`
 * kept, with their owners and grants; that snapshot's copies are then removed (they are live again).
 * Does nothing when the snapshot keeps no large objects. Returns warnings (roles that are gone).
 */
export async function restoreLargeObjects(
  client: pg.Client,
  options: { readonly snapshotId: string; readonly keptAs: string; readonly runId: string },
): Promise<{ restored: number; replaced: number; warnings: string[] } | undefined> {
  const objects = await savedLargeObjects(client, options.snapshotId);
  if (!objects) return undefined;
  const replaced = await saveAndUnlinkLargeObjects(client, {
    snapshotId: options.keptAs,
    runId: options.runId,
    reason: "rollback",
  });
  const restored = await createLargeObjects(client, {
    objects: `SELECT loid FROM ${META_SCHEMA}.large_objects WHERE snapshot_id = $1`,
    chunks: `SELECT loid, off, data FROM ${META_SCHEMA}.large_object_chunks WHERE snapshot_id = $1`,
    params: [options.snapshotId],
  });
  const { roles, me } = await destinationRoles(client);
  const privileges = largeObjectPrivilegeStatements(objects, roles, me);
  await executeBatched(client, privileges.statements);
  await dropSavedLargeObjects(client, options.snapshotId);
  return { restored, replaced: replaced.objects, warnings: privileges.skipped };
}

/** Removes what a snapshot keeps of the large objects (its chunks and records go with it). */
export async function dropSavedLargeObjects(client: pg.Client, snapshotId: string): Promise<void> {
  if (!(await metaTableExists(client, "large_object_snapshots"))) return;
  await query(
    client,
    `DELETE FROM ${META_SCHEMA}.large_object_snapshots WHERE snapshot_id = $1`,
    [snapshotId],
    `the large objects of snapshot ${snapshotId}`,
  );
}

async function query(
  client: pg.Client,
  sql: string,
  params: readonly unknown[],
  what: string,
): Promise<pg.QueryResult> {
  try {
    return await client.query(sql, params as unknown[]);
  } catch (error) {
    const oid = /large object (\d+)/.exec(String((error as Error)?.message))?.[1];
    throw wrapError("cutover", `${what} failed on the destination`, error, {
      side: "destination",
      sql,
      ...(oid ? { object: `large object ${oid}` } : {}),
    });
  }
}

/** The rows a statement of the swap returned, validated (its failure is the cut-over's, as the statement's). */
function validated<S extends z.ZodType>(result: pg.QueryResult, schema: S, what: string): z.infer<S>[] {
  return validRows(result, schema, { name: what, side: "destination", kind: "cutover" });
}
