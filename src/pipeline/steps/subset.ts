import { planSubset, type SubsetPlan } from "../../copy/subset-plan.js";
import type { SyncPlan } from "../../ddl/plan.js";
import { type MaskCatalog, readForeignKeyColumns } from "../../mask/catalog.js";
import type { RunContext } from "../context.js";
import type { Endpoints } from "./connect.js";

/**
 * A stage of the "plan" step: a subset's closure, computed on the source inside the snapshot
 * (src/copy/subset-plan.ts), before anything is written. Undefined when the run copies every row.
 */
export async function subsetStep(
  ctx: RunContext,
  ends: Endpoints,
  plan: SyncPlan,
  catalog: MaskCatalog | undefined,
): Promise<SubsetPlan | undefined> {
  const options = ctx.options.subset;
  if (!options) return undefined;
  const planned = plan.tables.map((t) => t.table);
  const copied = new Set(plan.tables.filter((t) => t.copyData).map((t) => t.table.oid));
  const src = ends.source.client;
  const foreignKeys =
    catalog?.foreignKeys ??
    (await readForeignKeyColumns(
      src,
      planned.map((t) => t.oid),
    ));
  return planSubset({
    client: src,
    planned,
    copied,
    foreignKeys,
    rules: {
      roots: options.roots,
      follow: options.follow ?? "references",
      others: options.others ?? "whole",
    },
  });
}
