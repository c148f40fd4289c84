import type pg from "pg";
import { z } from "zod";
import { oid, queryRows, text, textOrNull } from "../rows.js";

// Comments on the given objects (and their columns), identified the way COMMENT ON names them.
const SQL = `
SELECT d.classoid::regclass::text AS class, d.objoid AS oid, d.objsubid AS subid,
       i.type AS kind, i.identity, d.description, i.schema
FROM pg_catalog.pg_description d
JOIN (SELECT unnest($1::regclass[]) AS classid, unnest($2::oid[]) AS objid) o
  ON o.classid = d.classoid AND o.objid = d.objoid
CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid) i
ORDER BY 1, 2, 3`;

export const CommentRow = z.object({
  class: text,
  oid,
  subid: z.coerce.number(),
  kind: text,
  identity: text,
  description: text,
  schema: textOrNull,
});
export type CommentRow = z.infer<typeof CommentRow>;

export function readComments(
  client: pg.Client,
  targets: readonly { readonly classid: string; readonly oid: number }[],
): Promise<CommentRow[]> {
  return queryRows(
    client,
    "comments",
    SQL,
    [targets.map((t) => t.classid), targets.map((t) => t.oid)],
    CommentRow,
  );
}
