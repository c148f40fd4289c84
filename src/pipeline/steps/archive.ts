import { pruneArchives } from "../../archive/archives.js";
import { writeArchive } from "../../archive/dump.js";
import { resolveArchiveKey } from "../../archive/encryption.js";
import type { ArchiveReport, ArchiveRequest } from "../../archive/request.js";
import { openStore } from "../../archive/store.js";
import { importSnapshot } from "../../copy/source-snapshot.js";
import { selectTables } from "../../ddl/select.js";
import { errorMessage } from "../../errors.js";
import type { CatalogModel } from "../../introspect/model.js";
import type { RunContext } from "../context.js";
import type { Endpoints } from "./connect.js";
import type { SourceSnapshot } from "./snapshot-source.js";

/**
 * After the cut-over of a profile run with `archive`: the archive, read from the sync's own source
 * snapshot (the exporting transaction is still open), so the archive and the sync hold the same
 * rows. It reads every table a second time (measured in bench/: see docs/archives.md). The run's
 * table selection applies: the archive holds the tables the sync copied. A failure does not undo
 * the cut-over; the run reports it (status archive-failed).
 */
export async function archiveStep(
  ctx: RunContext,
  ends: Endpoints,
  input: {
    readonly request: ArchiveRequest;
    readonly snapshot: SourceSnapshot;
    readonly model: CatalogModel;
  },
): Promise<ArchiveReport> {
  const started = performance.now();
  const { request } = input;
  const seconds = () => Math.round(performance.now() - started) / 1000;
  const { options } = ctx;
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    const key = request.key
      ? "identity" in request.key
        ? request.key
        : await resolveArchiveKey(request.key, request.env)
      : undefined;
    store = await openStore(request.store);
    const { model } = selectTables(input.model, {
      ...(options.includeTables ? { includeTables: options.includeTables } : {}),
      ...(options.includeTables && options.schemas ? { includeSchemas: options.schemas } : {}),
      ...(options.excludeTables ? { excludeTables: options.excludeTables } : {}),
    });
    const result = await writeArchive(
      {
        exporter: ends.source.client,
        info: ends.sourceInfo,
        snapshotAt: new Date(input.snapshot.takenAt),
        join: async () => {
          const c = await ctx.open("source");
          return (await importSnapshot(c.client, input.snapshot.name)) ? c.client : undefined;
        },
      },
      model,
      {
        store,
        compression: request.compression,
        ...(key ? { key } : {}),
        runId: ctx.runId,
        parallelism: Math.max(1, Math.min(ctx.parallelism, 4)),
        stallSeconds: ctx.timeouts.stallSeconds,
        ...(options.structureOnly ? { structureOnly: options.structureOnly } : {}),
        warn: ctx.warn,
      },
    );
    const pruned = request.retention ? (await pruneArchives(store, request.retention)).pruned : [];
    const m = result.manifest;
    return {
      ok: true,
      id: result.id,
      location: result.location,
      tables: m.summary.tables,
      rows: m.summary.rows,
      storedBytes: m.summary.storedBytes,
      dataBytes: m.summary.dataBytes,
      manifestSha256: m.integrity.sha256,
      seconds: seconds(),
      ...(pruned.length > 0 ? { pruned } : {}),
    };
  } catch (error) {
    return { ok: false, seconds: seconds(), error: errorMessage(error) };
  } finally {
    await store?.close();
  }
}
