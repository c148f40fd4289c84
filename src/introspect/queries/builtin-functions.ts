import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../rows.js";

// Built-in functions (OID below 16384) that user objects call: a default calling uuidv7() cannot be
// created on a server that does not have it. The catalog records no dependency on built-in (pinned)
// objects, so the stored expression trees themselves are searched for function ids.
const SQL = `
WITH trees(used_by, tree) AS (
  SELECT pg_catalog.pg_describe_object('pg_catalog.pg_attrdef'::regclass, d.oid, 0), d.adbin::text
  FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_class c ON c.oid = d.adrelid WHERE c.relnamespace = ANY($1::oid[])
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_catalog.pg_constraint'::regclass, co.oid, 0), co.conbin::text
  FROM pg_catalog.pg_constraint co WHERE co.connamespace = ANY($1::oid[]) AND co.conbin IS NOT NULL
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, i.indexrelid, 0),
         coalesce(i.indexprs::text, '') || coalesce(i.indpred::text, '')
  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = ANY($1::oid[])
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, r.ev_class, 0), r.ev_action::text
  FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class WHERE c.relnamespace = ANY($1::oid[])
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_catalog.pg_trigger'::regclass, t.oid, 0), t.tgqual::text
  FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
  WHERE c.relnamespace = ANY($1::oid[]) AND t.tgqual IS NOT NULL
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_catalog.pg_policy'::regclass, p.oid, 0),
         coalesce(p.polqual::text, '') || coalesce(p.polwithcheck::text, '')
  FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = ANY($1::oid[])
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_catalog.pg_type'::regclass, t.oid, 0), t.typdefaultbin::text
  FROM pg_catalog.pg_type t WHERE t.typnamespace = ANY($1::oid[]) AND t.typdefaultbin IS NOT NULL
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_catalog.pg_proc'::regclass, p.oid, 0), p.prosqlbody::text
  FROM pg_catalog.pg_proc p WHERE p.pronamespace = ANY($1::oid[]) AND p.prosqlbody IS NOT NULL
)
SELECT DISTINCT m[1]::oid::pg_catalog.regprocedure::text AS signature, t.used_by
FROM trees t CROSS JOIN LATERAL regexp_matches(t.tree, ':(?:funcid|opfuncid) (\\d+)', 'g') AS m
WHERE m[1]::oid < 16384
ORDER BY 1, 2`;

const Row = z.object({ signature: text, used_by: text });
export type BuiltinFunctionUse = z.infer<typeof Row>;

export function readBuiltinFunctionUses(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<BuiltinFunctionUse[]> {
  return queryRows(client, "built-in functions used", SQL, [schemaOids], Row);
}

/** The signatures that do not exist on a server (asked of that server). */
export async function missingFunctions(
  client: pg.Client,
  signatures: readonly string[],
): Promise<Set<string>> {
  if (signatures.length === 0) return new Set();
  const rows = await queryRows(
    client,
    "missing built-in functions",
    "SELECT s AS signature FROM pg_catalog.unnest($1::text[]) AS s WHERE pg_catalog.to_regprocedure(s) IS NULL",
    [signatures],
    z.object({ signature: text }),
  );
  return new Set(rows.map((r) => r.signature));
}
