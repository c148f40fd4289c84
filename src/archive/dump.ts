import { hostname } from "node:os";
import type pg from "pg";
import { LARGE_OBJECT_CHUNKS_SQL, LARGE_OBJECT_ROWS_SQL } from "../copy/large-objects.js";
import { PgsyncError } from "../errors.js";
import type { CatalogModel, ServerInfo } from "../introspect/model.js";
import { readEffectiveGrants } from "../introspect/queries/privileges.js";
import { snapshotIdFor } from "../restore/meta.js";
import { qualify } from "../sql/quote.js";
import { DIGEST_VERSION, digestTable } from "../verify/digest.js";
import type { Compression } from "./compression.js";
import { blockRanges, copyOut, copyToFile, pad, runPool, type Task, toolVersion } from "./dump-parts.js";
import { type ArchiveKey, encryptBytes } from "./encryption.js";
import { fileName, type WrittenFile } from "./file-writer.js";
import {
  type ArchiveContents,
  MANIFEST_FORMAT,
  MANIFEST_NAME,
  MANIFEST_VERSION,
  type Manifest,
  sealManifest,
} from "./manifest.js";
import { toCatalogDocument } from "./model-format.js";
import { IN_PROGRESS, removeStalePartials } from "./partials.js";
import type { ArchiveStore } from "./store.js";

/** Where a test can pause a dump (PGSYNC_TEST_PAUSE_AT): a table's file half written, every file written. */
export const ARCHIVE_FAULT_POINTS = ["archive:mid-table", "archive:before-manifest"] as const;
export type ArchiveFaultPoint = (typeof ARCHIVE_FAULT_POINTS)[number];

/** How often a running dump says it is alive (so `archives --prune` never removes it). */
const HEARTBEAT_MS = 60_000;

/** What a dump reads from: source connections at one snapshot. */
export interface DumpSource {
  /** Inside the snapshot already (the exporting transaction). */
  readonly exporter: pg.Client;
  /** Another source connection joined to the snapshot; undefined when none could join. The caller closes it. */
  readonly join: () => Promise<pg.Client | undefined>;
  readonly info: ServerInfo;
  readonly snapshotAt: Date;
}

export interface ArchiveOptions {
  readonly store: ArchiveStore;
  readonly compression: Compression;
  readonly key?: ArchiveKey;
  /** The archive id is `<time>_<runId>`. */
  readonly runId: string;
  readonly parallelism: number;
  readonly stallSeconds: number;
  /** Tables ("schema.name") archived without rows. */
  readonly structureOnly?: readonly string[];
  readonly fault?: (point: ArchiveFaultPoint) => Promise<void>;
  readonly onTable?: (table: {
    readonly table: string;
    readonly rows: number;
    readonly bytes: number;
  }) => void;
  readonly warn?: (message: string) => void;
}

export interface ArchiveResult {
  readonly id: string;
  /** The archive as messages name it: `<store>/<id>`. */
  readonly location: string;
  readonly manifest: Manifest;
  readonly seconds: number;
}

/**
 * Writes one archive of `model` from the source's snapshot: every table's rows as COPY text, a
 * file per part, each table's content digest computed on the source in the same snapshot, the
 * large objects as COPY binary, then the manifest, last. Until the manifest exists the archive is
 * incomplete, and a marker says the dump is alive; a failure removes what it wrote.
 */
export async function writeArchive(
  source: DumpSource,
  model: CatalogModel,
  options: ArchiveOptions,
): Promise<ArchiveResult> {
  const started = performance.now();
  const { store } = options;
  const id = snapshotIdFor(options.runId);
  const warn = options.warn ?? (() => {});
  // Dead dumps' leftovers go first (never one that is still alive).
  await removeStalePartials(store, new Date()).then(
    (removed) => {
      if (removed.length > 0)
        warn(
          `removed ${removed.length} incomplete archive(s) left by dumps that stopped: ${removed.join(", ")}`,
        );
    },
    (error: unknown) => warn(`incomplete archives could not be removed: ${(error as Error).message}`),
  );
  const marker = () =>
    store.put(
      id,
      IN_PROGRESS,
      Buffer.from(
        JSON.stringify({ heartbeatAt: new Date().toISOString(), host: hostname(), pid: process.pid }),
      ),
    );
  await marker();
  const heartbeat = setInterval(() => marker().catch(() => {}), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const manifest = await dump(source, model, { ...options, warn }, id);
    clearInterval(heartbeat);
    await store.delete(id, IN_PROGRESS).catch(() => {});
    return {
      id,
      location: store.where(id),
      manifest,
      seconds: Math.round(performance.now() - started) / 1000,
    };
  } catch (error) {
    clearInterval(heartbeat);
    await store.remove(id).catch(() => {});
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

async function dump(
  source: DumpSource,
  model: CatalogModel,
  options: ArchiveOptions,
  id: string,
): Promise<Manifest> {
  const { store } = options;
  const structureOnly = new Set(options.structureOnly ?? []);
  const archived = model.tables.filter((t) => t.partitionKey === undefined);
  const withRows = archived.filter((t) => !structureOnly.has(`${t.schema}.${t.name}`));
  const tasks: Task[] = [];
  for (const [i, t] of withRows.entries()) {
    const index = archived.indexOf(t) + 1;
    const ranges = await blockRanges(source.exporter, t);
    for (const [part, filter] of ranges.entries())
      tasks.push({
        kind: "part",
        table: t,
        index,
        part,
        ...(filter ? { filter } : {}),
        weight: t.bytes / ranges.length,
      });
    tasks.push({ kind: "digest", table: t, index, weight: t.bytes * 0.3 + i });
  }
  if (model.largeObjects) tasks.push({ kind: "large-objects", weight: model.largeObjects.length * 65536 });
  tasks.sort((a, b) => b.weight - a.weight);

  const parts = new Map<number, { part: number; file: WrittenFile; rows: number }[]>();
  const digests = new Map<number, { rows: number; checksum: string }>();
  let largeObjects: { objects: WrittenFile; chunks: WrittenFile } | undefined;
  const fileOptions = {
    compression: options.compression,
    key: options.key,
    stallSeconds: options.stallSeconds,
  };
  let midTable = true;
  const onChunk = async () => {
    if (!midTable || !options.fault) return;
    midTable = false;
    await options.fault("archive:mid-table");
  };

  const run = async (client: pg.Client, task: Task) => {
    if (task.kind === "part") {
      const path = fileName(`data/${pad(task.index, 6)}.${pad(task.part, 4)}`, options);
      const { file, rows } = await copyToFile(client, store, id, path, task, { ...fileOptions, onChunk });
      const list = parts.get(task.index) ?? [];
      list.push({ part: task.part, file, rows });
      parts.set(task.index, list);
    } else if (task.kind === "digest") {
      const d = await digestTable(
        client,
        task.table,
        task.table.allColumns.map((c) => c.name),
        { checksum: true },
      );
      digests.set(task.index, { rows: d.rows, checksum: d.checksum ?? "0" });
    } else {
      const objects = await copyOut(
        client,
        store,
        id,
        fileName("large-objects/objects", options),
        LARGE_OBJECT_ROWS_SQL,
        "large objects",
        fileOptions,
      );
      const chunks = await copyOut(
        client,
        store,
        id,
        fileName("large-objects/chunks", options),
        LARGE_OBJECT_CHUNKS_SQL,
        "large objects",
        fileOptions,
      );
      largeObjects = { objects: objects.file, chunks: chunks.file };
    }
  };
  await runPool(source.exporter, source.join, options.parallelism, tasks, run);
  await options.fault?.("archive:before-manifest");

  const files: WrittenFile[] = [];
  const tables: ArchiveContents["tables"] = archived.map((t, i) => {
    const index = i + 1;
    const columns = t.allColumns.filter((c) => !c.generated).map((c) => c.name);
    if (structureOnly.has(`${t.schema}.${t.name}`))
      return {
        schema: t.schema,
        name: t.name,
        columns,
        rows: 0,
        digest: { version: DIGEST_VERSION, checksum: "0" },
        parts: [],
        structureOnly: true,
      };
    const written = (parts.get(index) ?? []).sort((a, b) => a.part - b.part);
    const rows = written.reduce((n, p) => n + p.rows, 0);
    const digest = digests.get(index);
    // Both were read in one snapshot: a difference means the snapshot did not hold.
    if (!digest || digest.rows !== rows)
      throw new PgsyncError(
        "archive",
        `table ${qualify(t.schema, t.name)}: COPY sent ${rows} rows but its digest counted ${digest?.rows ?? "none"} at the same snapshot`,
        { side: "source", object: `table ${qualify(t.schema, t.name)}` },
      );
    files.push(...written.map((p) => p.file));
    options.onTable?.({
      table: qualify(t.schema, t.name),
      rows,
      bytes: written.reduce((n, p) => n + p.file.dataBytes, 0),
    });
    return {
      schema: t.schema,
      name: t.name,
      columns,
      rows,
      digest: { version: DIGEST_VERSION, checksum: digest.checksum },
      parts: written.map((p) => ({ file: p.file.path, rows: p.rows })),
    };
  });
  const lo = largeObjects as { objects: WrittenFile; chunks: WrittenFile } | undefined;
  if (lo) files.push(lo.objects, lo.chunks);
  const contents: ArchiveContents = {
    catalog: toCatalogDocument(model),
    tables,
    grants: await readEffectiveGrants(
      source.exporter,
      model.schemas.map((x) => x.name),
    ),
    largeObjects: lo
      ? {
          count: model.largeObjects?.length ?? 0,
          bytes: lo.chunks.dataBytes,
          objects: lo.objects.path,
          chunks: lo.chunks.path,
        }
      : null,
  };
  const key = options.key;
  const sealed = key
    ? Buffer.from(await encryptBytes(key, Buffer.from(JSON.stringify(contents)))).toString("base64")
    : undefined;
  const manifest = sealManifest(
    {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      id,
      tool: `pgsync-ts ${toolVersion()}`,
      snapshotAt: source.snapshotAt.toISOString(),
      createdAt: new Date().toISOString(),
      source: {
        database: source.info.database,
        version: source.info.version,
        versionNum: source.info.versionNum,
        major: source.info.major,
        identity: source.info.identity,
        user: source.info.user,
      },
      compression: options.compression,
      encryption: key ? { method: "age", recipient: key.recipient } : null,
      summary: {
        tables: tables.length,
        rows: tables.reduce((n, t) => n + t.rows, 0),
        dataBytes: files.reduce((n, f) => n + f.dataBytes, 0),
        storedBytes: files.reduce((n, f) => n + f.bytes, 0),
        largeObjects: model.largeObjects?.length ?? 0,
      },
      files: files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })),
      ...(sealed ? { sealed } : { contents }),
    },
    key,
  );
  await store.put(id, MANIFEST_NAME, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  return manifest;
}
