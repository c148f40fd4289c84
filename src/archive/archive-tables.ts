import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import {
  createLargeObjectStage,
  largeObjectStageCopy,
  type StagedLargeObjects,
  stagedTotals,
} from "../copy/large-objects.js";
import type { TableRead, TableSource } from "../copy/table-source.js";
import { baseSettings, inTransaction } from "../db/session.js";
import type { TablePlan } from "../ddl/plan.js";
import { PgsyncError, wrapError } from "../errors.js";
import { qualify, quoteIdent } from "../sql/quote.js";
import type { OpenedArchive } from "./open-archive.js";

type TableEntry = OpenedArchive["contents"]["tables"][number];

/** A restore's table reader: each table's parts, read from the archive's files (COPY text). */
export function archiveTables(archive: OpenedArchive): TableSource {
  const byName = new Map<string, TableEntry>(
    archive.contents.tables.map((t) => [`${t.schema}\u0000${t.name}`, t]),
  );
  return {
    reads(plan: TablePlan) {
      const entry = byName.get(`${plan.table.schema}\u0000${plan.table.name}`);
      if (!entry)
        throw new PgsyncError(
          "archive",
          `the archive ${archive.location} has no data for table ${qualify(plan.table.schema, plan.table.name)}`,
        );
      return entry.parts.map(
        (part) => async (): Promise<TableRead> => ({
          stream: await archive.openFile(part.file),
          format: "text",
          columns: entry.columns,
          rows: part.rows,
          object: `file ${archive.store.where(archive.id, part.file)}`,
        }),
      );
    },
  };
}

/** The structure-only tables of an archive ("schema.name"): created without rows on restore. */
export function structureOnlyTables(archive: OpenedArchive): string[] {
  return archive.contents.tables.filter((t) => t.structureOnly).map((t) => `${t.schema}.${t.name}`);
}

/**
 * Stages the archive's large objects as a run stages the source's (src/copy/large-objects.ts):
 * the same two tables, loaded with COPY binary from the archive's two files, in one transaction.
 */
export async function stageArchivedLargeObjects(
  archive: OpenedArchive,
  destination: pg.Client,
  stage: string,
): Promise<StagedLargeObjects> {
  const entry = archive.contents.largeObjects;
  if (!entry) throw new PgsyncError("archive", `the archive ${archive.location} holds no large objects`);
  const copies = largeObjectStageCopy(stage);
  return inTransaction(destination, baseSettings(0), async () => {
    await createLargeObjectStage(destination, stage);
    for (const [file, sql] of [
      [entry.objects, copies.objects],
      [entry.chunks, copies.chunks],
    ] as const) {
      const stream = await archive.openFile(file);
      try {
        await pipeline(stream, destination.query(copyFrom(sql)));
      } catch (error) {
        if (error instanceof PgsyncError) throw error;
        throw wrapError("copy", "loading the large objects from the archive", error, {
          object: "large objects",
          side: "destination",
          sql,
        });
      }
    }
    return stagedTotals(destination, quoteIdent(stage));
  });
}
