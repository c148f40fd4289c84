import { copyTable } from "../copy/copy-table.js";
import { baseSettings, inTransaction } from "../db/session.js";
import type { TablePlan } from "../ddl/plan.js";
import { qualify } from "../sql/quote.js";
import {
  countStagedRows,
  explained,
  type LoadContext,
  type LoadWorker,
  type PartReport,
  STAGING_COMMIT,
  sourceOf,
} from "./load-context.js";
import { COST } from "./load-costs.js";
import { rejectedByReceive, retryWarning } from "./load-text-retry.js";
import type { TablePart } from "./split-table.js";
import type { GraphTask, TableLock } from "./task-graph.js";

export interface PartLoad<W> {
  /** `"schema"."table"`, as reported. */
  readonly table: string;
  readonly idOf: (part: TablePart) => string;
  /** The staging table's lock: shared, since concurrent COPYs into one table do not conflict. */
  readonly lock: TableLock;
  readonly weight: number;
  /** Copies one part's rows in a destination transaction of its own; `onBytes` after each chunk. */
  readonly copy: (
    worker: W,
    part: TablePart,
    onBytes: (bytes: number) => void,
  ) => Promise<{ rows: number; bytes: number }>;
  /** After the last part has committed, on its worker: counts the table and reports it. */
  readonly finish: (worker: W, parts: readonly PartReport[], seconds: () => number) => Promise<void>;
  /** The table's bytes so far, all parts together. */
  readonly onProgress?: (bytes: number) => void;
}

/**
 * The load tasks of a split table: one per part, each free to run on any worker beside the others
 * (all in the same exported snapshot on the source). Whichever part ends last also counts the table
 * (so the tasks that wait for the table's load wait for every part), and the table is reported once,
 * with its parts. A part that fails fails the run, and the staging schemas go with it.
 */
export function partTasks<W>(parts: readonly TablePart[], load: PartLoad<W>): GraphTask<W>[] {
  const reports: PartReport[] = [];
  const sent = new Map<number, number>();
  let left = parts.length;
  let firstStart: number | undefined;
  return parts.map(
    (part): GraphTask<W> => ({
      id: load.idOf(part),
      kind: "load",
      table: load.table,
      object: `part ${part.index} of ${part.of} (${part.range})`,
      after: [],
      locks: [load.lock],
      weight: load.weight,
      run: async (worker) => {
        const started = performance.now();
        firstStart ??= started;
        const { rows, bytes } = await load.copy(worker, part, (b) => {
          sent.set(part.index, b);
          let total = 0;
          for (const n of sent.values()) total += n;
          load.onProgress?.(total);
        });
        reports.push({ range: part.range, rows, bytes, seconds: elapsed(started) });
        if (--left > 0) return;
        const ordered = parts.map((p) => reports.find((r) => r.range === p.range) as PartReport);
        await load.finish(worker, ordered, () => elapsed(firstStart ?? started));
      },
    }),
  );
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since) / 1000;
}

/**
 * A part of a split table: its rows copied in a destination transaction of its own (no FREEZE: the
 * staging table was created by another transaction), then, after the last part, the table counted
 * and reported with its parts. An empty part is reported: the key's values are not spread evenly.
 */
export function partLoad(
  t: TablePlan,
  name: string,
  key: string,
  weight: number,
  ctx: LoadContext,
): PartLoad<LoadWorker> {
  const staged = qualify(t.staging.schema, t.staging.name);
  let retried = false;
  return {
    table: name,
    idOf: (p) => `load ${key} part ${p.index}`,
    lock: { key, mode: "shared" },
    weight: weight * COST.load,
    ...(ctx.onProgress ? { onProgress: (b: number) => ctx.onProgress?.(name, b) } : {}),
    copy: async (worker, part, onBytes) => {
      const shaped = ctx.rows?.(t.table.oid);
      const attempt = (forceText: boolean) =>
        inTransaction(worker.destination.client, { ...baseSettings(0), ...STAGING_COMMIT }, () =>
          copyTable(sourceOf(worker, `table ${name}`).client, worker.destination.client, t, {
            stallSeconds: ctx.timeouts.stallSeconds,
            ...(ctx.onChunk ? { onChunk: ctx.onChunk } : {}),
            onProgress: onBytes,
            range: part.filter,
            ...(shaped ? { rows: shaped } : {}),
            ...(forceText || retried ? { forceText: true } : {}),
          }),
        );
      const copied = await explained(ctx, t, async () => {
        try {
          return await attempt(false);
        } catch (error) {
          // A part rolls back on its own: once one part's binary COPY is rejected, all go in text.
          if (retried || !rejectedByReceive(t, error)) throw error;
          retried = true;
          ctx.warn?.(retryWarning(name, error));
          return attempt(true);
        }
      });
      await ctx.fault("copy:table-loaded");
      return copied;
    },
    finish: async (worker, parts, seconds) => {
      const dst = worker.destination.client;
      // statement_timeout = 0: the table may be big, and the parts' transactions are over.
      const counted = await inTransaction(dst, baseSettings(0), () => countStagedRows(dst, staged, name));
      const empty = parts.filter((p) => p.rows === 0);
      if (empty.length > 0)
        ctx.warn?.(
          `${name}: ${empty.length} of its ${parts.length} parts held no rows (${empty.map((p) => p.range).join("; ")}); the others were copied side by side`,
        );
      ctx.onTable({
        table: name,
        format: t.format,
        rows: parts.reduce((n, p) => n + p.rows, 0),
        bytes: parts.reduce((n, p) => n + p.bytes, 0),
        destinationRows: counted,
        seconds: seconds(),
        parts,
        ...(retried ? { format: "text" as const, retriedInText: true as const } : {}),
      });
    },
  };
}
