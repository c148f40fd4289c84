import type pg from "pg";
import { z } from "zod";
import type { AccessMethod } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text } from "../rows.js";

// Access methods made with CREATE ACCESS METHOD (an extension's come with the extension). Like
// foreign servers they belong to the database: the plan creates a missing one before the tables
// (and indexes) that use it. amtype: t table, i index.
const SQL = `
SELECT am.oid, am.amname AS name, am.amtype::text AS type, am.amhandler::pg_catalog.regproc::text AS handler
FROM pg_catalog.pg_am am
WHERE am.oid >= 16384 AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_am", "am.oid")}
ORDER BY am.amname`;

export const AccessMethodRow = z.object({ oid, name: text, type: z.enum(["t", "i"]), handler: text });
export type AccessMethodRow = z.infer<typeof AccessMethodRow>;

export function readAccessMethods(client: pg.Client): Promise<AccessMethodRow[]> {
  return queryRows(client, "access methods", SQL, [], AccessMethodRow);
}

export function parseAccessMethod(r: AccessMethodRow): AccessMethod {
  return { oid: r.oid, name: r.name, type: r.type === "t" ? "table" : "index", handler: r.handler };
}
