import type pg from "pg";
import { baseSettings, inTransaction } from "../db/session.js";
import { PgsyncError } from "../errors.js";
import { quoteIdent } from "../sql/quote.js";
import {
  doomedNames,
  dropLockBudget,
  dropLocks,
  dropRelationsInBatches,
  renameSchemas,
  UnfinishedDrop,
} from "./drop-in-batches.js";
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
  const budget = await dropLockBudget(client);
  if ((await dropLocks(client, names)) > budget) {
    await dropLargeSchemas(client, names, budget, statementSeconds, after);
    return;
  }
  const list = names.map(quoteIdent).join(", ");
  // Check and drop in one transaction, with the schemas' tables and views locked first, so that no
  // new view or foreign key can start depending on them in between.
  await inTransaction(client, baseSettings(statementSeconds), async () => {
    await lockSchemaRelations(client, names, `locking the tables of schema ${list}`, "ddl");
    await refuseOutsideDependents(client, names);
    await client.query(`DROP SCHEMA IF EXISTS ${list} CASCADE`);
    await after?.();
  });
}

/**
 * Schemas whose objects take more locks than one transaction may hold (a snapshot of thousands of
 * tables: DROP SCHEMA locks every object it drops, about nine a table) are dropped over several:
 * first checked, renamed to staging names of a run that never existed and their records removed
 * (`after`), in one transaction; then their relations in batches that fit the lock table; then the
 * schemas with what is left. An interruption leaves staging schemas that clean-leftovers drops.
 */
async function dropLargeSchemas(
  client: pg.Client,
  names: readonly string[],
  budget: number,
  statementSeconds: number,
  after: (() => Promise<void>) | undefined,
): Promise<void> {
  const doomed = doomedNames(names);
  await inTransaction(client, baseSettings(statementSeconds), async () => {
    await refuseOutsideDependents(client, names);
    await renameSchemas(client, names, doomed);
    await after?.();
  });
  const checkOutside = () => refuseOutsideDependents(client, doomed);
  try {
    await dropRelationsInBatches(client, doomed, budget, statementSeconds, checkOutside);
    await inTransaction(client, baseSettings(statementSeconds), async () => {
      await checkOutside();
      await client.query(`DROP SCHEMA IF EXISTS ${doomed.map(quoteIdent).join(", ")} CASCADE`);
    });
  } catch (error) {
    throw new UnfinishedDrop(names, doomed, error);
  }
}

/** Nothing outside the schemas may depend on them: DROP ... CASCADE would remove a live object. */
async function refuseOutsideDependents(client: pg.Client, names: readonly string[]): Promise<void> {
  const outside = await findOutsideDependents(client, names, "drop");
  if (outside.length === 0) return;
  const list = names.map(quoteIdent).join(", ");
  const shown = outside.slice(0, 10).map(describeDependent);
  const more = outside.length > shown.length ? ` and ${outside.length - shown.length} more` : "";
  throw new PgsyncError(
    "guard",
    `schema ${list} was not dropped, because dropping it would also drop ${outside.length} object(s) outside it: ${shown.join("; ")}${more}. Drop or re-point them first`,
    { object: `schema ${list}`, side: "destination" },
  );
}

/** Drops one tool schema; see dropToolSchemas. */
export async function dropToolSchema(
  client: pg.Client,
  name: string,
  statementSeconds?: number,
): Promise<void> {
  await dropToolSchemas(client, [name], statementSeconds);
}
