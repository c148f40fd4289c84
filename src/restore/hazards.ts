import type pg from "pg";
import { z } from "zod";
import { queryRows, text, textArray } from "../db/rows.js";
import { describeAddress, objectAddressSql } from "../sql/describe.js";

/**
 * Which schema each catalog object lives in. Objects without a schema of their own (rules,
 * triggers, policies, column defaults, operator family members) belong to their table's or family's
 * schema; a schema "contains" itself. Objects missing here (extensions, casts, event triggers,
 * publications, ...) have no schema and always count as outside.
 */
const OBJECT_SCHEMA = `
owner(classid, objid, nsp) AS (
  SELECT 'pg_catalog.pg_class'::regclass, oid, relnamespace FROM pg_catalog.pg_class
  UNION ALL SELECT 'pg_catalog.pg_type'::regclass, oid, typnamespace FROM pg_catalog.pg_type
  UNION ALL SELECT 'pg_catalog.pg_proc'::regclass, oid, pronamespace FROM pg_catalog.pg_proc
  UNION ALL SELECT 'pg_catalog.pg_constraint'::regclass, oid, connamespace FROM pg_catalog.pg_constraint
  UNION ALL SELECT 'pg_catalog.pg_operator'::regclass, oid, oprnamespace FROM pg_catalog.pg_operator
  UNION ALL SELECT 'pg_catalog.pg_opclass'::regclass, oid, opcnamespace FROM pg_catalog.pg_opclass
  UNION ALL SELECT 'pg_catalog.pg_opfamily'::regclass, oid, opfnamespace FROM pg_catalog.pg_opfamily
  UNION ALL SELECT 'pg_catalog.pg_collation'::regclass, oid, collnamespace FROM pg_catalog.pg_collation
  UNION ALL SELECT 'pg_catalog.pg_conversion'::regclass, oid, connamespace FROM pg_catalog.pg_conversion
  UNION ALL SELECT 'pg_catalog.pg_ts_config'::regclass, oid, cfgnamespace FROM pg_catalog.pg_ts_config
  UNION ALL SELECT 'pg_catalog.pg_ts_dict'::regclass, oid, dictnamespace FROM pg_catalog.pg_ts_dict
  UNION ALL SELECT 'pg_catalog.pg_ts_parser'::regclass, oid, prsnamespace FROM pg_catalog.pg_ts_parser
  UNION ALL SELECT 'pg_catalog.pg_ts_template'::regclass, oid, tmplnamespace FROM pg_catalog.pg_ts_template
  UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::regclass, oid, stxnamespace FROM pg_catalog.pg_statistic_ext
  UNION ALL SELECT 'pg_catalog.pg_namespace'::regclass, oid, oid FROM pg_catalog.pg_namespace
  UNION ALL SELECT 'pg_catalog.pg_rewrite'::regclass, r.oid, c.relnamespace
            FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
  UNION ALL SELECT 'pg_catalog.pg_trigger'::regclass, t.oid, c.relnamespace
            FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
  UNION ALL SELECT 'pg_catalog.pg_policy'::regclass, p.oid, c.relnamespace
            FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
  UNION ALL SELECT 'pg_catalog.pg_attrdef'::regclass, a.oid, c.relnamespace
            FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_class c ON c.oid = a.adrelid
  UNION ALL SELECT 'pg_catalog.pg_amop'::regclass, a.oid, f.opfnamespace
            FROM pg_catalog.pg_amop a JOIN pg_catalog.pg_opfamily f ON f.oid = a.amopfamily
  UNION ALL SELECT 'pg_catalog.pg_amproc'::regclass, a.oid, f.opfnamespace
            FROM pg_catalog.pg_amproc a JOIN pg_catalog.pg_opfamily f ON f.oid = a.amprocfamily
)`;

/**
 * Objects outside a set of schemas that depend on an object inside it (normal and automatic
 * dependencies: exactly what DROP ... CASCADE would follow out of the set), and objects inside the
 * set that belong to an extension (dropping one drops the whole extension, wherever its other
 * members are). With $2 = true ("move" mode) only dependencies on objects that a schema swap moves
 * count: extension members and the schemas themselves stay where they are, and older snapshots
 * (which only the tool reads) do not count as outside. Each side comes back as its catalog address
 * (type, name parts, argument types), which describeAddress() words; a view is its own object, not
 * its "_RETURN" rule.
 */
const SQL = `
WITH inside AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ANY($1::text[])),
${OBJECT_SCHEMA},
found(classid, objid, objsubid, refclassid, refobjid, relation) AS (
  SELECT DISTINCT
         CASE WHEN rw.rulename = '_RETURN' THEN 'pg_catalog.pg_class'::regclass ELSE d.classid END,
         CASE WHEN rw.rulename = '_RETURN' THEN rw.ev_class ELSE d.objid END,
         CASE WHEN rw.rulename = '_RETURN' THEN 0 ELSE d.objsubid END,
         d.refclassid, d.refobjid, 'depends'
  FROM pg_catalog.pg_depend d
  JOIN owner r ON r.classid = d.refclassid AND r.objid = d.refobjid AND r.nsp IN (SELECT oid FROM inside)
  LEFT JOIN owner o ON o.classid = d.classid AND o.objid = d.objid
  LEFT JOIN pg_catalog.pg_rewrite rw ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND rw.oid = d.objid
  WHERE d.deptype IN ('n', 'a')
    AND (o.nsp IS NULL OR o.nsp NOT IN (SELECT oid FROM inside))
    AND NOT ($2 AND o.nsp IN (SELECT oid FROM pg_catalog.pg_namespace WHERE pg_catalog.starts_with(nspname, '_pgsync_snap_')))
    AND NOT ($2 AND (d.refclassid = 'pg_catalog.pg_namespace'::regclass OR EXISTS (
          SELECT 1 FROM pg_catalog.pg_depend e
          WHERE e.classid = d.refclassid AND e.objid = d.refobjid AND e.deptype = 'e')))
  UNION
  SELECT d.classid, d.objid, 0, d.refclassid, d.refobjid, 'member'
  FROM pg_catalog.pg_depend d
  JOIN owner o ON o.classid = d.classid AND o.objid = d.objid AND o.nsp IN (SELECT oid FROM inside)
  WHERE d.deptype = 'e' AND NOT $2
)
SELECT a.type, a.names, a.args, ra.type AS ref_type, ra.names AS ref_names, ra.args AS ref_args, f.relation
FROM found f
CROSS JOIN LATERAL ${objectAddressSql("f.classid", "f.objid", "f.objsubid")} a
CROSS JOIN LATERAL ${objectAddressSql("f.refclassid", "f.refobjid", "0")} ra
ORDER BY f.classid, f.objid, f.objsubid, f.refclassid, f.refobjid`;

const Row = z.object({
  type: text,
  names: textArray,
  args: textArray,
  ref_type: text,
  ref_names: textArray,
  ref_args: textArray,
  relation: z.enum(["depends", "member"]),
});

export interface OutsideDependent {
  /** The object outside the schemas, e.g. `view "reports"."active_users"`. */
  readonly object: string;
  /** What it depends on inside them, e.g. `table "public"."users"` (several, for a view over a join). */
  readonly dependsOn: readonly string[];
  /** "depends": object is outside and depends on something inside; "member": object is inside and belongs to an extension. */
  readonly relation: "depends" | "member";
}

/**
 * Lists what ties a set of schemas to the rest of the database. `mode: "drop"` answers "would DROP
 * SCHEMA ... CASCADE of these schemas reach anything else?"; `mode: "move"` answers "which objects
 * outside would stay bound to the moved contents of these schemas?". The client must be in a
 * transaction with search_path = pg_catalog, so that argument types come out schema-qualified.
 * `rename` maps schema names in the descriptions (staging schemas shown as their live names).
 */
export async function findOutsideDependents(
  client: pg.Client,
  schemas: readonly string[],
  mode: "drop" | "move",
  rename?: (schema: string) => string,
): Promise<OutsideDependent[]> {
  if (schemas.length === 0) return [];
  const rows = await queryRows(client, "outside dependents", SQL, [schemas, mode === "move"], Row);
  const byObject = new Map<string, { dependsOn: string[]; relation: "depends" | "member" }>();
  for (const r of rows) {
    const object = describeAddress(r, rename);
    const entry = byObject.get(object) ?? { dependsOn: [], relation: r.relation };
    const dependsOn = describeAddress({ type: r.ref_type, names: r.ref_names, args: r.ref_args }, rename);
    if (!entry.dependsOn.includes(dependsOn)) entry.dependsOn.push(dependsOn);
    byObject.set(object, entry);
  }
  return [...byObject]
    .map(([object, e]) => ({ object, dependsOn: e.dependsOn, relation: e.relation }))
    .sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
}

/** `view "reports"."v" (depends on table "public"."users")`, for error messages and warnings. */
export function describeDependent(d: OutsideDependent): string {
  return d.relation === "member"
    ? `${d.object} (a member of ${d.dependsOn.join(", ")})`
    : `${d.object} (depends on ${d.dependsOn.join(", ")})`;
}

/**
 * The warnings a cut-over gives before it runs: each destination object outside the swapped
 * schemas that depends on an object the swap moves into the snapshot. PostgreSQL binds such
 * dependencies by object id, so after the swap the object keeps using the snapshot's copy (old data,
 * and the snapshot cannot be pruned while it exists). Staging names are shown as their live names.
 */
export async function cutoverHazards(
  client: pg.Client,
  schemas: readonly { readonly live: string; readonly incoming: string }[],
): Promise<string[]> {
  const live = new Map(schemas.map((s) => [s.incoming, s.live]));
  const dependents = await findOutsideDependents(
    client,
    schemas.map((s) => s.live),
    "move",
    (schema) => live.get(schema) ?? schema,
  );
  return dependents.map(
    (d) =>
      `${d.object} is not part of the sync but depends on ${d.dependsOn.join(", ")}; ` +
      "the cut-over moves that into the snapshot, so it will keep using the previous copy " +
      "(recreate it after the run; the snapshot cannot be pruned while it exists)",
  );
}
