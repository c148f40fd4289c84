import type pg from "pg";
import { readSchemas } from "../introspect/queries/schemas.js";
import { listMovable } from "./movable.js";

/**
 * Of the destination objects a run moves into its snapshot (`movable`, as listMovable names them:
 * `table public.dev_notes`), those the source does not have in the same schema: after the cut-over
 * they are in the snapshot only, not in the live schemas. Adopting a destination with --force lists
 * them before anything moves. A source object that cannot be listed (a kind the cut-over cannot
 * move) only makes the comparison coarser: every destination object of that schema is listed.
 */
export async function destinationOnlyObjects(
  source: pg.Client,
  movable: readonly string[],
  schemas: readonly string[],
): Promise<string[]> {
  const sourceObjects = new Set<string>();
  for (const schema of (await readSchemas(source)).filter((s) => schemas.includes(s.name))) {
    const objects = await listMovable(source, schema.oid).catch(() => []);
    for (const m of objects) sourceObjects.add(m.object);
  }
  return movable.filter((object) => !sourceObjects.has(object));
}
