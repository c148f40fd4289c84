import type { SourceRows } from "../copy/source-rows.js";
import type { SubsetPlan } from "../copy/subset-plan.js";
import type { SyncPlan } from "../ddl/plan.js";
import { explainMaskedFailure } from "../mask/failures.js";
import { qualify } from "../sql/quote.js";
import type { LoadContext, TableReport } from "./load-tasks.js";
import type { SubsetReport } from "./options.js";
import type { MaskStepResult } from "./steps/mask.js";

/**
 * What the source sends of each table in a masked or subsetted run: the masked columns' expressions
 * with the key's bound blocks, and the subset's reads. The load (COPY) and the verify step's source
 * digest both take it from here, so a checksum compares exactly what was copied.
 */
export interface RowShaping {
  readonly mask: MaskStepResult;
  readonly subset: SubsetPlan | undefined;
  /** Undefined: the table's every row, as it is. */
  rowsFor(tableOid: number): SourceRows | undefined;
}

export function rowShaping(mask: MaskStepResult, subset: SubsetPlan | undefined): RowShaping {
  return {
    mask,
    subset,
    rowsFor(tableOid) {
      const masked = mask.resolution?.byTable.get(tableOid);
      const reads = subset?.reads.get(tableOid);
      if (!masked && !reads) return undefined;
      return {
        ...(masked
          ? {
              expressions: new Map([...masked].map(([name, c]) => [name, { sql: c.sql, type: c.type }])),
              settings: mask.settings,
            }
          : {}),
        ...(reads ? { reads } : {}),
      };
    },
  };
}

/** What the load takes: each table's rows, and failures explained in terms of the masked columns. */
export function loadShaping(shaping: RowShaping): Pick<LoadContext, "rows" | "explainFailure"> {
  const { resolution, catalog } = shaping.mask;
  return {
    rows: shaping.rowsFor,
    ...(resolution && catalog
      ? {
          explainFailure: (tableOid: number, error: unknown) =>
            explainMaskedFailure(error, tableOid, resolution, catalog),
        }
      : {}),
  };
}

/** Each subsetted table's copied rows against the source's (tables copied whole are not listed). */
export function subsetReport(
  plan: SyncPlan,
  subset: SubsetPlan,
  tables: readonly TableReport[],
  rules: { readonly follow: "references" | "both"; readonly others: "whole" | "empty" },
): SubsetReport {
  const copiedRows = new Map(tables.map((t) => [t.table, t.rows]));
  return {
    ...rules,
    heldIds: subset.heldIds,
    tables: plan.tables
      .flatMap((t) => {
        const decided = subset.tables.get(t.table.oid);
        if (!decided) return [];
        const name = qualify(t.table.schema, t.table.name);
        return [{ table: name, mode: decided.mode, kept: copiedRows.get(name) ?? 0, total: decided.total }];
      })
      .sort((a, b) => a.table.localeCompare(b.table)),
  };
}
