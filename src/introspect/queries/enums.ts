import type pg from "pg";
import { z } from "zod";
import type { EnumType } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textArray } from "../rows.js";

const SQL = `
SELECT t.oid, n.nspname AS schema, t.typname AS name,
       ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND t.typnamespace = ANY($1::oid[])
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid")}
ORDER BY n.nspname, t.typname`;

const Row = z.object({ oid, schema: text, name: text, labels: textArray });

export async function readEnums(client: pg.Client, schemaOids: readonly number[]): Promise<EnumType[]> {
  return queryRows(client, "enums", SQL, [schemaOids], Row);
}
