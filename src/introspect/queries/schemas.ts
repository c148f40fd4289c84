import type pg from "pg";
import { z } from "zod";
import { META_SCHEMA_NAME, SNAPSHOT_SCHEMA_PREFIX, STAGING_SCHEMA_PATTERN } from "../../sql/tool-schemas.js";
import type { NotCarried, SchemaObject } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";

/**
 * The source's own records of the snapshots it keeps (when a run once wrote into it): readable, or
 * not, and the schemas it names. Only those schemas are the tool's snapshots.
 */
const SNAPSHOT_RECORDS = `
SELECT pg_catalog.has_schema_privilege(n.oid, 'USAGE') AND pg_catalog.has_table_privilege(c.oid, 'SELECT') AS readable
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = 'snapshots' AND c.relkind = 'r'
  AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = c.oid AND a.attname = 'snapshot_schema' AND NOT a.attisdropped)`;

// $1 the recorded snapshot schemas, $2 true when the records exist but cannot be read (every
// schema named like a snapshot is then taken for one).
const SQL = `
SELECT n.oid, n.nspname AS name,
       CASE WHEN n.nspname = '${META_SCHEMA_NAME}' THEN 'metadata'
            WHEN n.nspname ~ '${STAGING_SCHEMA_PATTERN}' THEN 'staging'
            WHEN starts_with(n.nspname, '${SNAPSHOT_SCHEMA_PREFIX}') AND (n.nspname = ANY($1::text[]) OR $2) THEN 'snapshot'
       END AS tool
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_namespace", "n.oid")}
ORDER BY n.nspname`;

const Row = z.object({ oid, name: text, tool: z.enum(["metadata", "staging", "snapshot"]).nullable() });

const REASONS: Record<"metadata" | "staging" | "snapshot", string> = {
  metadata: "pgsync-ts's own metadata (this database was the destination of a run); never synced",
  staging: "a staging schema that an interrupted pgsync-ts run left; never synced",
  snapshot: "a pgsync-ts snapshot (recorded in _pgsync.snapshots); never synced",
};

export interface SchemaInventory {
  /** The user schemas, which a run may sync. */
  readonly schemas: SchemaObject[];
  /** The tool's own schemas, left out and reported. */
  readonly leftOut: NotCarried[];
}

export async function readSchemaInventory(client: pg.Client): Promise<SchemaInventory> {
  const [records] = await queryRows(
    client,
    "snapshot records",
    SNAPSHOT_RECORDS,
    [META_SCHEMA_NAME],
    z.object({ readable: z.boolean() }),
  );
  const recorded = records?.readable
    ? await queryRows(
        client,
        "recorded snapshots",
        `SELECT s.snapshot_schema::text AS name FROM "${META_SCHEMA_NAME}".snapshots s`,
        [],
        z.object({ name: textOrNull }),
      )
    : [];
  const names = recorded.flatMap((r) => (r.name === null ? [] : [r.name]));
  const rows = await queryRows(client, "schemas", SQL, [names, records?.readable === false], Row);
  return {
    schemas: rows.filter((r) => r.tool === null).map((r) => ({ oid: r.oid, name: r.name })),
    leftOut: rows.flatMap((r) =>
      r.tool === null
        ? []
        : [{ kind: "schema", identity: quoteName(r.name), holdsRows: false, reason: REASONS[r.tool] }],
    ),
  };
}

/** The user schemas (the tool's own are recognised exactly and left out). */
export async function readSchemas(client: pg.Client): Promise<SchemaObject[]> {
  return (await readSchemaInventory(client)).schemas;
}

/** A schema's name as pg_identify_object prints it: quoted only when it must be. */
function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
