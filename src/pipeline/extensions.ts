import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../db/rows.js";
import { PgsyncError, wrapError } from "../errors.js";
import type { Extension } from "../introspect/model.js";
import { describeObject } from "../sql/describe.js";
import { quoteIdent, quoteLiteral } from "../sql/quote.js";

/**
 * Makes sure the destination has every extension the source uses, in the same schema, before the
 * staging build: the extension creates its own objects, and the copied tables refer to them by
 * schema. A missing one is created (at the source's version when the destination offers it, else at
 * its default version, with a warning). This is the one change made outside the atomic swap: it only
 * adds, and a later run or rollback keeps working with it.
 */
export async function ensureExtensions(
  client: pg.Client,
  extensions: readonly Extension[],
  warn: (message: string) => void,
): Promise<void> {
  for (const ext of extensions) {
    const object = describeObject("extension", ext.name);
    const [current] = await queryRows(
      client,
      "installed extension",
      `SELECT n.nspname AS schema, e.extversion AS version FROM pg_catalog.pg_extension e
       JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1`,
      [ext.name],
      z.object({ schema: text, version: text }),
      "destination",
    );
    if (current) {
      if (current.schema !== ext.schema) {
        throw new PgsyncError(
          "unportable",
          `${object} is installed in ${describeObject("schema", current.schema)} on the destination but in ${describeObject("schema", ext.schema)} on the source; objects that use it would not resolve`,
          { object, side: "destination" },
        );
      }
      if (current.version !== ext.version) {
        warn(`${object} is at version ${current.version} on the destination, ${ext.version} on the source`);
      }
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
    if (available.length === 0) {
      throw new PgsyncError(
        "unportable",
        `${object} (used by the source) is not available on the destination server`,
        { object, side: "destination" },
      );
    }
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
