import type pg from "pg";
import { baseSettings, inTransaction } from "../db/session.js";
import { PgsyncError } from "../errors.js";
import { quoteIdent } from "../sql/quote.js";
import { describeDependent, findOutsideDependents } from "./hazards.js";
import { lockSchemaRelations } from "./lock-relations.js";
import { SNAPSHOT_PREFIX, STAGING_PREFIX } from "./meta.js";

const DEFAULT_STATEMENT_SECONDS = 300;

/**
 * Drops schemas the tool created (staging or snapshot schemas), as one set: objects inside the set
 * may reference each other (a foreign key between two schemas of one snapshot), but nothing outside
 * may depend on anything inside, because DROP ... CASCADE would then remove a live object. In that
 * case nothing is dropped and the error names every such object. A name that is not a tool schema
 * is refused outright.
 */
export async function dropToolSchemas(
  client: pg.Client,
  names: readonly string[],
  statementSeconds = DEFAULT_STATEMENT_SECONDS,
  /** More work for the same transaction, after the drop (removing the records of a snapshot). */
  after?: () => Promise<void>,
): Promise<void> {
  if (names.length === 0) return;
  const foreign = names.filter((n) => !n.startsWith(STAGING_PREFIX) && !n.startsWith(SNAPSHOT_PREFIX));
  if (foreign.length > 0) {
    throw new PgsyncError(
      "internal",
      `refusing to drop ${foreign.map(quoteIdent).join(", ")}: not a schema pgsync-ts created`,
      { object: `schema ${quoteIdent(foreign[0] as string)}`, side: "destination" },
    );
  }
  const list = names.map(quoteIdent).join(", ");
  // Check and drop in one transaction, with the schemas' tables and views locked first, so that no
  // new view or foreign key can start depending on them in between.
  await inTransaction(client, baseSettings(statementSeconds), async () => {
    await lockSchemaRelations(client, names, `locking the tables of schema ${list}`, "ddl");
    const outside = await findOutsideDependents(client, names, "drop");
    if (outside.length > 0) {
      const shown = outside.slice(0, 10).map(describeDependent);
      const more = outside.length > shown.length ? ` and ${outside.length - shown.length} more` : "";
      throw new PgsyncError(
        "guard",
        `schema ${list} was not dropped, because dropping it would also drop ${outside.length} object(s) outside it: ${shown.join("; ")}${more}. Drop or re-point them first`,
        { object: `schema ${list}`, side: "destination" },
      );
    }
    await client.query(`DROP SCHEMA IF EXISTS ${list} CASCADE`);
    await after?.();
  });
}

/** Drops one tool schema; see dropToolSchemas. */
export async function dropToolSchema(
  client: pg.Client,
  name: string,
  statementSeconds?: number,
): Promise<void> {
  await dropToolSchemas(client, [name], statementSeconds);
}
