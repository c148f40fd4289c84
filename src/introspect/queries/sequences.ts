import type pg from "pg";
import { z } from "zod";
import { sequencePersistence } from "../../sql/catalog-variants.js";
import type { Sequence, SequenceOptions } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";

// pg_sequence_last_value() is NULL when nextval() was never called (is_called = false). Sequences are
// not transactional: the value read here is at least the value at the snapshot, which is what a copy
// needs so that new rows never collide with copied ones.
const sql = (major: number) => `
SELECT c.oid, n.nspname AS schema, c.relname AS name,
       pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min,
       s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
       ${sequencePersistence(major, "c")} AS persistence,
       -- Without the privilege the value cannot be read; the privilege check then refuses the run.
       CASE WHEN pg_catalog.has_sequence_privilege(c.oid, 'SELECT') OR pg_catalog.has_sequence_privilege(c.oid, 'USAGE')
            THEN pg_catalog.pg_sequence_last_value(c.oid)::text END AS last_value,
       d.deptype::text AS owner_dep, tn.nspname AS owner_schema, tc.relname AS owner_table, a.attname AS owner_column
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
      AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE c.relkind = 'S' AND c.relnamespace = ANY($1::oid[])
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")}
ORDER BY n.nspname, c.relname`;

export const SequenceRow = z.object({
  oid,
  schema: text,
  name: text,
  data_type: z.enum(["smallint", "integer", "bigint"]),
  start: text,
  increment: text,
  min: text,
  max: text,
  cache: text,
  cycle: z.boolean(),
  persistence: z.enum(["p", "u"]).default("p"),
  last_value: textOrNull,
  owner_dep: z.enum(["a", "i"]).nullable(),
  owner_schema: textOrNull,
  owner_table: textOrNull,
  owner_column: textOrNull,
});
export type SequenceRow = z.infer<typeof SequenceRow>;

export async function readSequences(
  client: pg.Client,
  schemaOids: readonly number[],
  major: number,
): Promise<SequenceRow[]> {
  return queryRows(client, "sequences", sql(major), [schemaOids], SequenceRow);
}

export function parseSequence(r: SequenceRow): Sequence {
  const options: SequenceOptions = {
    dataType: r.data_type,
    start: r.start,
    increment: r.increment,
    min: r.min,
    max: r.max,
    cache: r.cache,
    cycle: r.cycle,
  };
  const owned =
    r.owner_schema !== null && r.owner_table !== null && r.owner_column !== null
      ? { table: { schema: r.owner_schema, name: r.owner_table }, column: r.owner_column }
      : undefined;
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    options,
    persistence: r.persistence === "u" ? "unlogged" : "permanent",
    lastValue: r.last_value,
    isIdentity: r.owner_dep === "i",
    ...(owned ? { ownedBy: owned } : {}),
  };
}
