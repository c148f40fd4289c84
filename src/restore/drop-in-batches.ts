import { randomBytes } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { CATALOG_LOCKS_PER_SESSION, readLockTable } from "../db/capacity.js";
import { int, queryRows, text } from "../db/rows.js";
import { baseSettings, execute, inTransaction } from "../db/session.js";
import { errorMessage, PgsyncError, sqlState } from "../errors.js";
import { qualify, quoteIdent } from "../sql/quote.js";
import { lockRelations } from "./lock-relations.js";
import { STAGING_PREFIX } from "./meta.js";

/**
 * Locks a DROP SCHEMA ... CASCADE takes: one per object it drops (PostgreSQL locks each object before
 * deleting it), which is every object in the schemas (each depends on its schema), everything that
 * depends on a relation of theirs (indexes, constraints, defaults, row types, triggers, rules), the
 * array type of each row type, and each TOAST table with its index.
 */
const DROP_LOCKS_SQL = `
WITH s AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ANY($1::text[])),
     r AS (SELECT c.oid, c.reltoastrelid FROM pg_catalog.pg_class c WHERE c.relnamespace IN (SELECT oid FROM s))
SELECT ((SELECT count(*) FROM pg_catalog.pg_depend d
          WHERE d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.refobjid IN (SELECT oid FROM s))
      + (SELECT count(*) FROM pg_catalog.pg_depend d
          WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid IN (SELECT oid FROM r))
      + (SELECT count(*) FROM r) + 2 * (SELECT count(*) FROM r WHERE r.reltoastrelid <> 0))::int AS locks`;

/**
 * The relations a batch may drop: those no other relation of the schemas inherits from (partitions
 * and inheritance children go before their parents, so that no DROP cascades into a whole tree),
 * without the sequences a column owns (they go with their table), views first (a table's DROP would
 * otherwise cascade into them). Each with the locks its drop takes.
 */
const DROPPABLE_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
       (3 + (SELECT count(*) FROM pg_catalog.pg_depend d
              WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = c.oid)
          + CASE WHEN c.reltoastrelid <> 0 THEN 2 ELSE 0 END)::int AS locks
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                     AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i'))
ORDER BY c.relkind NOT IN ('v', 'm'), c.oid`;

const Droppable = z.object({ schema: text, name: text, kind: text, locks: int });
type Droppable = z.infer<typeof Droppable>;

const DROP_COMMAND: Readonly<Record<string, string>> = {
  r: "TABLE",
  p: "TABLE",
  v: "VIEW",
  m: "MATERIALIZED VIEW",
  S: "SEQUENCE",
  f: "FOREIGN TABLE",
};

/** The kinds LOCK TABLE takes (tables and views); the DROP locks the others itself. */
const LOCKABLE = new Set(["r", "p", "v"]);

/** How many locks one of the drop's transactions may take: half the lock table, less its catalog reads. */
export async function dropLockBudget(client: pg.Client): Promise<number> {
  const table = await readLockTable(client, "destination");
  return Math.max(32, Math.floor(table.slots / 2) - CATALOG_LOCKS_PER_SESSION);
}

/** The locks dropping these schemas at once would take (see DROP_LOCKS_SQL). */
export async function dropLocks(client: pg.Client, names: readonly string[]): Promise<number> {
  const [row] = await queryRows(
    client,
    "objects of the schemas",
    DROP_LOCKS_SQL,
    [names],
    z.object({ locks: int }),
    "destination",
  );
  return row?.locks ?? 0;
}

/**
 * Names for schemas that are to be dropped in several transactions: the staging names of a run
 * that never existed. If the drop is interrupted half way, what is left is exactly what the next
 * run's clean-leftovers step drops (a staging schema of a dead run), and never a snapshot that
 * `rollback` would offer with half its tables gone.
 */
export function doomedNames(names: readonly string[]): string[] {
  const run = randomBytes(4).toString("hex");
  return names.map((_, i) => `${STAGING_PREFIX}${run}_${i + 1}`);
}

/**
 * A drop over several transactions that stopped after the schemas were renamed and their records
 * removed: what is left is a dead run's staging, which the next run's clean-leftovers step drops.
 */
export class UnfinishedDrop extends PgsyncError {
  constructor(names: readonly string[], doomed: readonly string[], cause: unknown) {
    const list = (n: readonly string[]) => n.map(quoteIdent).join(", ");
    super(
      "ddl",
      `schema ${list(names)} was renamed to ${list(doomed)} to be dropped in parts, and the drop stopped (the next run's clean-leftovers step finishes it): ${errorMessage(cause)}`,
      { object: `schema ${list(names)}`, side: "destination" },
      { cause },
    );
  }
}

/** ALTER SCHEMA ... RENAME for each pair, in the caller's transaction (it locks no contained object). */
export async function renameSchemas(
  client: pg.Client,
  from: readonly string[],
  to: readonly string[],
): Promise<void> {
  const sql = from.map(
    (name, i) => `ALTER SCHEMA ${quoteIdent(name)} RENAME TO ${quoteIdent(to[i] as string)}`,
  );
  await client.query(sql.join("; "));
}

/**
 * Drops the relations of the schemas in transactions that each fit `budget` locks, leaves first,
 * until none is left; the caller then drops the (now small) schemas. A batch that still runs out
 * of lock space (a CASCADE reached further than counted) is retried at half the size.
 * `checkOutside` runs at the start of each batch's transaction, after its relations are locked.
 */
export async function dropRelationsInBatches(
  client: pg.Client,
  names: readonly string[],
  budget: number,
  statementSeconds: number,
  checkOutside: () => Promise<void>,
): Promise<void> {
  let limit = budget;
  for (;;) {
    const droppable = await queryRows(
      client,
      "relations to drop",
      DROPPABLE_SQL,
      [names],
      Droppable,
      "destination",
    );
    if (droppable.length === 0) return;
    const batch = takeBatch(droppable, limit);
    try {
      await inTransaction(client, baseSettings(statementSeconds), async () => {
        const what = `dropping ${batch.length} relation(s) of schema ${names.map(quoteIdent).join(", ")}`;
        await lockRelations(
          client,
          batch.filter((r) => LOCKABLE.has(r.kind)),
          what,
          "ddl",
        );
        await checkOutside();
        await execute(client, dropStatements(batch), what);
      });
    } catch (error) {
      // 53200: out of shared memory, the lock table is full.
      if (sqlState(error) !== "53200" || batch.length === 1) throw error;
      limit = Math.max(1, Math.floor(limit / 2));
    }
  }
}

function takeBatch(droppable: readonly Droppable[], limit: number): Droppable[] {
  const batch: Droppable[] = [];
  let locks = 0;
  for (const r of droppable) {
    if (batch.length > 0 && locks + r.locks > limit) break;
    batch.push(r);
    locks += r.locks;
  }
  return batch;
}

function dropStatements(batch: readonly Droppable[]): string {
  const byKind = new Map<string, string[]>();
  for (const r of batch) {
    const command = DROP_COMMAND[r.kind];
    if (!command) throw new PgsyncError("internal", `cannot drop relation kind ${r.kind}`);
    byKind.set(command, [...(byKind.get(command) ?? []), qualify(r.schema, r.name)]);
  }
  return [...byKind]
    .map(([command, list]) => `DROP ${command} IF EXISTS ${list.join(", ")} CASCADE`)
    .join("; ");
}
