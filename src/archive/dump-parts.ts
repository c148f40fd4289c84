import { readFileSync } from "node:fs";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { readTableSize, blockRanges as tableBlockRanges } from "../copy/table-ranges.js";
import { wrapError } from "../errors.js";
import type { Table } from "../introspect/model.js";
import { buildCopySource, type RowFilter } from "../sql/copy-statements.js";
import { qualify } from "../sql/quote.js";
import { type WrittenFile, writeArchiveFile } from "./file-writer.js";
import type { ArchiveStore } from "./store.js";

/** The pieces of a dump (src/archive/dump.ts): its tasks, the COPY of one file, the worker pool. */

/** A big table is split into parts of about this much heap, each a file of its own, dumped in parallel. */
export const PART_BYTES = 256 * 1024 * 1024;

export interface PartTask {
  readonly kind: "part";
  readonly table: Table;
  readonly index: number;
  readonly part: number;
  readonly filter?: RowFilter;
  readonly weight: number;
}
export type Task =
  | PartTask
  | { readonly kind: "digest"; readonly table: Table; readonly index: number; readonly weight: number }
  | { readonly kind: "large-objects"; readonly weight: number };

/**
 * The parts a table is dumped in: the same heap block ranges a sync splits a big table into
 * (src/copy/table-ranges.ts), one part of about PART_BYTES (heap and TOAST) each, or one open part.
 */
export async function blockRanges(client: pg.Client, t: Table): Promise<(RowFilter | undefined)[]> {
  if (t.bytes <= PART_BYTES) return [undefined];
  const size = await readTableSize(client, t.oid);
  const count = Math.min(Math.ceil(size.bytes / PART_BYTES), Math.max(1, size.blocks));
  return count <= 1 ? [undefined] : tableBlockRanges(size.blocks, count);
}

export async function copyToFile(
  client: pg.Client,
  store: ArchiveStore,
  id: string,
  path: string,
  task: PartTask,
  options: Parameters<typeof writeArchiveFile>[4] extends infer O ? Omit<O, "describeSource"> : never,
): Promise<{ file: WrittenFile; rows: number }> {
  const { table } = task;
  const read = buildCopySource({
    table,
    columns: table.allColumns.filter((c) => !c.generated).map((c) => ({ name: c.name, binarySafe: false })),
    forceText: true,
    ...(task.filter ? { filters: [task.filter] } : {}),
  });
  return copyOut(client, store, id, path, read.sql, `table ${qualify(table.schema, table.name)}`, options);
}

export async function copyOut(
  client: pg.Client,
  store: ArchiveStore,
  id: string,
  path: string,
  sql: string,
  object: string,
  options: Omit<Parameters<typeof writeArchiveFile>[4], "describeSource">,
): Promise<{ file: WrittenFile; rows: number }> {
  const reader = client.query(copyTo(sql));
  const file = await writeArchiveFile(store, id, path, reader, {
    ...options,
    describeSource: (error) =>
      wrapError("copy", `reading ${object} for the archive`, error, { object, side: "source", sql }),
  });
  return { file, rows: reader.rowCount };
}

/** Runs the tasks on the exporter and up to `parallelism - 1` joined connections, biggest first. */
export async function runPool(
  exporter: pg.Client,
  join: () => Promise<pg.Client | undefined>,
  parallelism: number,
  tasks: readonly Task[],
  run: (client: pg.Client, task: Task) => Promise<void>,
): Promise<void> {
  const queue = [...tasks];
  const wanted = Math.max(1, Math.min(parallelism, queue.length));
  const clients: pg.Client[] = [exporter];
  for (let i = 1; i < wanted; i++) {
    const c = await join();
    if (!c) break;
    clients.push(c);
  }
  let failure: unknown;
  await Promise.all(
    clients.map(async (client) => {
      while (failure === undefined) {
        const task = queue.shift();
        if (!task) return;
        try {
          await run(client, task);
        } catch (error) {
          failure ??= error;
        }
      }
    }),
  );
  if (failure !== undefined) throw failure;
}

export function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

export function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}
