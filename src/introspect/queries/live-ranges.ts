import type pg from "pg";
import { z } from "zod";
import type { RangeType } from "../model.js";
import { oid, queryRows } from "../rows.js";
import { parseRange, readRanges } from "./types.js";

const Role = z.object({ superuser: z.boolean() });
const Schema = z.object({ oid });

/**
 * Whether the destination role is a superuser, and, when it is not, the range types of the
 * destination's live schemas of the sync (read as introspection reads the source's): PostgreSQL
 * makes a range type's constructor functions owned by the bootstrap superuser, so only a superuser
 * can move them between schemas, and the plan keeps an identical live range type in place instead.
 */
export async function destinationRanges(
  client: pg.Client,
  schemaNames: readonly string[],
): Promise<{ superuser: boolean; live: RangeType[] }> {
  const [role] = await queryRows(
    client,
    "destination role",
    "SELECT r.rolsuper AS superuser FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
    [],
    Role,
  );
  if (role?.superuser) return { superuser: true, live: [] };
  const schemas = await queryRows(
    client,
    "live schemas",
    "SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ANY($1::text[])",
    [schemaNames],
    Schema,
  );
  const live = (
    await readRanges(
      client,
      schemas.map((s) => s.oid),
    )
  ).map(parseRange);
  return { superuser: false, live };
}
