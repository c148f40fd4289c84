import type pg from "pg";
import { lockSourceTables } from "../../copy/source-snapshot.js";
import { CATALOG_LOCKS_PER_SESSION, lockTableShortfall, readLockTable } from "../../db/capacity.js";
import { pinned } from "../../db/session.js";
import { checkSelection, type SelectionNames } from "../../ddl/select.js";
import { PgsyncError } from "../../errors.js";
import { introspect } from "../../introspect/index.js";
import type { CatalogModel } from "../../introspect/model.js";
import { type EffectiveGrant, readEffectiveGrants } from "../../introspect/queries/privileges.js";
import { readRelationNames } from "../../introspect/queries/relation-names.js";
import { readSchemas } from "../../introspect/queries/schemas.js";
import type { RunContext } from "../context.js";
import { LargeObjectSync } from "../large-objects.js";
import { describeMissing, missingPrivileges } from "../privileges.js";
import { selectedSchemas } from "../selection.js";
import type { Endpoints } from "./connect.js";

export interface SourceCatalog {
  readonly model: CatalogModel;
  /** Set when the run carries the database's large objects (a run of the whole database). */
  readonly largeObjects: LargeObjectSync | undefined;
  /**
   * The source's effective grants on the synced schemas, at the snapshot: the cut-over revokes what
   * the destination's defaults grant beyond them. Read here, so that the run needs no source
   * connection once the rows are copied.
   */
  readonly sourceGrants: readonly EffectiveGrant[];
}

/**
 * Step "introspect": the selection's names checked against the source (a typo fails the run, naming
 * it); the source catalog at the snapshot; every privilege both sides need, checked before anything
 * is locked or written (all missing ones in one error); then the copied tables are locked ACCESS
 * SHARE, so no DDL changes them during the copy. `readers` are more source connections inside the
 * snapshot (the run's workers): the catalog's per-kind queries run on all of them at once.
 */
export async function introspectStep(
  ctx: RunContext,
  ends: Endpoints,
  readers: readonly pg.Client[] = [],
): Promise<SourceCatalog> {
  const { options } = ctx;
  await checkSourceNames(ends.source.client, options);
  const schemas = selectedSchemas(options);
  const model = await introspect(
    ends.source.client,
    {
      ...(schemas ? { schemas } : {}),
      ...(options.excludeSchemas ? { excludeSchemas: options.excludeSchemas } : {}),
      withPrivileges: options.includePrivileges === true,
      readers,
    },
    ends.sourceInfo,
  );
  const src = ends.source.client;
  const dst = ends.destination.client;
  // The source's reads run in its snapshot transaction; the destination's are pinned on their own.
  const problems = await pinned(dst, () =>
    missingPrivileges(
      src,
      dst,
      model,
      model.schemas.map((s) => s.name),
    ),
  );
  const largeObjects = LargeObjectSync.forRun(model, ctx.stagingPrefix, options.includePrivileges === true);
  problems.push(...((await pinned(dst, async () => largeObjects?.problems(src, dst))) ?? []));
  if (problems.length > 0) throw new PgsyncError("guard", describeMissing(problems));
  await refuseSmallSourceLockTable(src, model.tables.length, readers.length + 1);
  await lockSourceTables(src, model.tables, ctx.timeouts.lockSeconds);
  const sourceGrants = await readEffectiveGrants(
    src,
    model.schemas.map((s) => s.name),
  );
  return { model, largeObjects, sourceGrants };
}

/**
 * Every schema and table the selection names must exist on the source, at the snapshot: checked in
 * this one place (`plan` runs this step too), before the catalog is read.
 */
export async function checkSourceNames(source: pg.Client, selection: SelectionNames): Promise<void> {
  const named = [
    selection.schemas,
    selection.excludeSchemas,
    selection.includeTables,
    selection.excludeTables,
    selection.structureOnly,
  ].some((list) => list && list.length > 0);
  if (!named) return;
  const schemas = await readSchemas(source);
  const relations = await readRelationNames(
    source,
    schemas.map((s) => s.oid),
  );
  checkSelection(selection, { schemas: schemas.map((s) => s.name), relations });
}

/**
 * Refuses a run whose source sessions would not fit the source's lock table together: the snapshot
 * transaction locks every table, and each other worker's transaction keeps a lock on every table it
 * reads until the run ends, so each table is locked by up to two sessions at once. Checked before
 * the tables are locked: the LOCK TABLE itself would otherwise fail with "out of shared memory".
 */
async function refuseSmallSourceLockTable(
  source: pg.Client,
  tables: number,
  sessions: number,
): Promise<void> {
  const table = await readLockTable(source, "source");
  const read = sessions > 1 ? tables : 0;
  const problem = lockTableShortfall(table, {
    locks: tables + read + CATALOG_LOCKS_PER_SESSION * sessions,
    what: `its snapshot transaction locks ${tables} tables and its ${sessions} worker sessions keep a lock on each table they read`,
  });
  if (problem) throw new PgsyncError("guard", `${problem}; nothing was written`, { side: "source" });
}
