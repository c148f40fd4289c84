import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../db/rows.js";
import { extensionRefusals } from "../ddl/plan/destination-refusals.js";
import { PgsyncError, wrapError } from "../errors.js";
import type { Extension } from "../introspect/model.js";
import { describeObject } from "../sql/describe.js";
import { quoteIdent, quoteLiteral } from "../sql/quote.js";
import { readDestinationExtensions } from "./destination-capabilities.js";

/**
 * Makes sure the destination has every extension the source uses, in the same schema, before the
 * staging build: the extension creates its own objects, and the copied tables refer to them by
 * schema. A missing one is created (at the source's version when the destination offers it, else at
 * its default version, with a warning). This is the one change made outside the atomic swap: it only
 * adds, and a later run or rollback keeps working with it. The plan step refused what cannot be
 * given (src/ddl/plan/destination-refusals.ts); the same rule is asked again here, under the
 * destination lock, before anything is created.
 */
export async function ensureExtensions(
  client: pg.Client,
  extensions: readonly Extension[],
  warn: (message: string) => void,
): Promise<void> {
  const destination = await readDestinationExtensions(
    client,
    extensions.map((e) => e.name),
  );
  const refused = extensionRefusals(extensions, destination);
  if (refused.length > 0) {
    throw new PgsyncError("unportable", refused.map((r) => `${r.object}: ${r.reason}`).join("; "), {
      object: (refused[0] as { object: string }).object,
      side: "destination",
    });
  }
  for (const ext of extensions) {
    const object = describeObject("extension", ext.name);
    const version = destination.versions.get(ext.name);
    if (version !== undefined) {
      if (version !== ext.version)
        warn(`${object} is at version ${version} on the destination, ${ext.version} on the source`);
      continue;
    }
    const available = await queryRows(
      client,
      "available extension versions",
      "SELECT version FROM pg_catalog.pg_available_extension_versions WHERE name = $1",
      [ext.name],
      z.object({ version: text }),
      "destination",
    );
    const sameVersion = available.some((r) => r.version === ext.version);
    if (!sameVersion) {
      warn(`${object} ${ext.version} is not available on the destination; installing its default version`);
    }
    const sql = `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(ext.schema)}; CREATE EXTENSION IF NOT EXISTS ${quoteIdent(ext.name)} WITH SCHEMA ${quoteIdent(ext.schema)}${sameVersion ? ` VERSION ${quoteLiteral(ext.version)}` : ""}`;
    try {
      await client.query(sql);
    } catch (error) {
      throw wrapError("ddl", `creating ${object} on the destination`, error, {
        object,
        sql,
        side: "destination",
      });
    }
  }
}
