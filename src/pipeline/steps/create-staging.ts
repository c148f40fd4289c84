import type pg from "pg";
import type { Connection } from "../../db/connect.js";
import { baseSettings, inTransaction, type LocalSettings, pinned } from "../../db/session.js";
import { executeInMessages } from "../../db/statement-messages.js";
import type { StagingBlock, Statement, SyncPlan } from "../../ddl/plan.js";
import { ensureMetaSchema } from "../../restore/meta.js";
import { settleAll } from "../../util/settle.js";
import type { RunContext } from "../context.js";
import { ensureExtensions } from "../extensions.js";
import type { Endpoints } from "./connect.js";

/**
 * Step "create-staging", the run's first write (every guard and privilege check has passed): the
 * tool's metadata schema, the extensions, then the staging schemas with their types, sequences and
 * tables, block by block (SyncPlan.stagingBlocks), in transactions of at most `batch` statements
 * (see stagingBatch). A concurrent block's tables are spread over the `spread` connections (the
 * load's workers, idle until the next step), each taking its share of the batch.
 */
export async function createStagingStep(
  ctx: RunContext,
  ends: Pick<Endpoints, "destination">,
  plan: SyncPlan,
  batch: number = STAGING_BATCH,
  spread: readonly Connection[] = [],
): Promise<void> {
  const dst = ends.destination.client;
  await ensureMetaSchema(dst, ctx.timeouts.statementSeconds);
  // In one pinned transaction: the lookups and CREATE EXTENSION never run under the database's search_path.
  await pinned(dst, () => ensureExtensions(dst, plan.extensions, ctx.warn));
  ctx.markStagingCreated(true);
  for (const block of plan.stagingBlocks) {
    if (block.concurrent && spread.length > 1) await createConcurrently(ctx, spread, block, batch);
    else await createInBatches(ctx, dst, block.items.flat(), batch);
  }
}

async function createInBatches(
  ctx: RunContext,
  client: pg.Client,
  statements: readonly Statement[],
  batch: number,
  stopped: () => boolean = () => false,
): Promise<void> {
  for (let from = 0; from < statements.length && !stopped(); from += batch) {
    await inTransaction(client, { ...stagingSettings(ctx), synchronous_commit: "off" }, () =>
      executeInMessages(client, statements.slice(from, from + batch), STAGING_SAVEPOINT),
    );
  }
}

/**
 * A concurrent block, its items cut into one run of neighbours per connection, each in
 * transactions of its share of the batch (so that together they hold no more locks than one
 * batch). The first failure stops the others at their next transaction, and the step waits for
 * every one of them to end before it fails: no connection still writes staging when the cleanup
 * drops it.
 */
async function createConcurrently(
  ctx: RunContext,
  spread: readonly Connection[],
  block: StagingBlock,
  batch: number,
): Promise<void> {
  const share = Math.ceil(block.items.length / spread.length);
  const perConnection = Math.max(MIN_BATCH, Math.floor(batch / spread.length));
  let failed = false;
  await settleAll(
    spread.map(async (c, i) => {
      const statements = block.items.slice(i * share, (i + 1) * share).flat();
      try {
        await createInBatches(ctx, c.client, statements.slice(0, perConnection), perConnection);
        await ctx.fault("staging:part-committed");
        await createInBatches(ctx, c.client, statements.slice(perConnection), perConnection, () => failed);
      } catch (error) {
        failed = true;
        throw error;
      }
    }),
  );
}

const STAGING_SAVEPOINT = "pgsync_staging";

/**
 * Statements per staging transaction, at most. Staging is invisible until the cut-over and dropped
 * whole if the run fails, so it need not be one transaction; one would hold a lock on every relation
 * it creates (four for a table with a TOAST table: measured), and 10,000 tables would need 40,000
 * lock slots at once. In batches the cut-over is the run's largest transaction. The commits need not
 * wait for the disk: the cut-over's commit flushes them.
 */
export const STAGING_BATCH = 1000;
/** The smallest staging transaction, however small the lock table. */
const MIN_BATCH = 25;
/** Locks one staging statement takes at most: a table, its TOAST table and index, its row type. */
const LOCKS_PER_STAGING_STATEMENT = 4;

/** A batch whose locks take at most half of a lock table of `slots` (between 25 and STAGING_BATCH statements). */
export function stagingBatch(slots: number, catalogLocks: number): number {
  const fits = Math.floor((slots / 2 - catalogLocks) / LOCKS_PER_STAGING_STATEMENT);
  return Math.max(MIN_BATCH, Math.min(STAGING_BATCH, fits));
}

/** The staging transaction's settings (the plan's trial uses them too). */
export function stagingSettings(ctx: RunContext): LocalSettings {
  // Function bodies refer to live names, which may not exist until the cut-over: do not check them now.
  return { ...baseSettings(ctx.timeouts.statementSeconds), check_function_bodies: "off" };
}
