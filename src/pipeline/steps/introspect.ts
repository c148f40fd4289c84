import { lockSourceTables } from "../../copy/source-snapshot.js";
import { PgsyncError } from "../../errors.js";
import { introspect } from "../../introspect/index.js";
import type { CatalogModel } from "../../introspect/model.js";
import type { RunContext } from "../context.js";
import { LargeObjectSync } from "../large-objects.js";
import { describeMissing, missingPrivileges } from "../privileges.js";
import { selectedSchemas } from "../selection.js";
import type { Endpoints } from "./connect.js";

export interface SourceCatalog {
  readonly model: CatalogModel;
  /** Set when the run carries the database's large objects (a run of the whole database). */
  readonly largeObjects: LargeObjectSync | undefined;
}

/**
 * Step "introspect": the source catalog at the snapshot; every privilege both sides need, checked
 * before anything is locked or written (all missing ones in one error); then the copied tables are
 * locked ACCESS SHARE, so no DDL changes them during the copy.
 */
export async function introspectStep(ctx: RunContext, ends: Endpoints): Promise<SourceCatalog> {
  const { options } = ctx;
  const schemas = selectedSchemas(options);
  const model = await introspect(
    ends.source.client,
    {
      ...(schemas ? { schemas } : {}),
      ...(options.excludeSchemas ? { excludeSchemas: options.excludeSchemas } : {}),
      withPrivileges: options.includePrivileges === true,
    },
    ends.sourceInfo,
  );
  const src = ends.source.client;
  const dst = ends.destination.client;
  const problems = await missingPrivileges(
    src,
    dst,
    model,
    model.schemas.map((s) => s.name),
  );
  const largeObjects = LargeObjectSync.forRun(model, ctx.stagingPrefix, options.includePrivileges === true);
  problems.push(...((await largeObjects?.problems(src, dst)) ?? []));
  if (problems.length > 0) throw new PgsyncError("guard", describeMissing(problems));
  await lockSourceTables(src, model.tables, ctx.timeouts.lockSeconds);
  return { model, largeObjects };
}
