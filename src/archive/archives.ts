import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { errorMessage } from "../errors.js";
import type { ArchiveKey } from "./encryption.js";
import { MANIFEST_NAME, type Manifest, parseManifest } from "./manifest.js";
import { readArchive } from "./open-archive.js";
import { archiveState, IN_PROGRESS, removeStalePartials } from "./partials.js";
import type { ArchiveStore } from "./store.js";

/** How long and how many archives to keep: the same rule as snapshots (src/restore/retention.ts). */
export interface ArchiveRetention {
  /** Archives older than this many days are pruned. */
  readonly days?: number;
  /** At most this many complete archives are kept (the newest). */
  readonly count?: number;
}

export interface ArchiveListing {
  readonly id: string;
  readonly location: string;
  /** complete: its manifest is there and reads; the others have none (or a broken one). */
  readonly state: "complete" | "in progress" | "abandoned" | "unreadable";
  readonly createdAt?: string;
  readonly snapshotAt?: string;
  readonly source?: { readonly database: string; readonly version: string };
  readonly tables?: number;
  readonly rows?: number;
  /** Bytes the archive takes in the store. */
  readonly bytes: number;
  readonly compression?: string;
  readonly encrypted?: boolean;
  /** What the retention does with it: kept, or pruned (and why). */
  readonly retention: string;
  /** Why it is unreadable, or what `--verify` found. */
  readonly problems: readonly string[];
  readonly verified?: boolean;
}

/** Every archive of the store, oldest first, with what its manifest says and its retention status. */
export async function listArchives(
  store: ArchiveStore,
  options: { readonly retention?: ArchiveRetention; readonly now?: Date; readonly key?: ArchiveKey } = {},
): Promise<ArchiveListing[]> {
  const now = options.now ?? new Date();
  const out: ArchiveListing[] = [];
  for (const id of await store.listArchives()) {
    const files = await store.listFiles(id);
    const bytes = files.reduce((n, f) => n + f.bytes, 0);
    const state = await archiveState(store, id, now);
    if (state.kind !== "complete") {
      out.push({
        id,
        location: store.where(id),
        state: state.kind,
        bytes,
        retention:
          state.kind === "abandoned" ? "removed by the next dump or prune" : "kept (a dump is writing it)",
        problems: [],
      });
      continue;
    }
    let manifest: Manifest;
    try {
      manifest = parseManifest(
        ((await store.get(id, MANIFEST_NAME)) as Buffer).toString("utf8"),
        store.where(id, MANIFEST_NAME),
        options.key,
      );
    } catch (error) {
      out.push({
        id,
        location: store.where(id),
        state: "unreadable",
        bytes,
        retention: "kept",
        problems: [errorMessage(error)],
      });
      continue;
    }
    out.push({
      id,
      location: store.where(id),
      state: "complete",
      createdAt: manifest.createdAt,
      snapshotAt: manifest.snapshotAt,
      source: { database: manifest.source.database, version: manifest.source.version },
      tables: manifest.summary.tables,
      rows: manifest.summary.rows,
      bytes,
      compression: manifest.compression,
      encrypted: manifest.encryption !== null,
      retention: "kept",
      problems: [],
    });
  }
  return withRetention(out, options.retention, now);
}

/** Marks the complete archives the retention would prune (older than `days`, past the newest `count`). */
function withRetention(
  list: ArchiveListing[],
  retention: ArchiveRetention | undefined,
  now: Date,
): ArchiveListing[] {
  if (!retention || (retention.days === undefined && retention.count === undefined)) return list;
  const doomed = archivesToPrune(list, retention, now);
  return list.map((a) => (doomed.has(a.id) ? { ...a, retention: doomed.get(a.id) as string } : a));
}

export function archivesToPrune(
  list: readonly ArchiveListing[],
  retention: ArchiveRetention,
  now: Date,
): Map<string, string> {
  const cutoff = retention.days === undefined ? undefined : now.getTime() - retention.days * 86_400_000;
  const complete = list
    .filter((a) => a.state === "complete" && a.createdAt)
    .sort((a, b) => Date.parse(b.createdAt as string) - Date.parse(a.createdAt as string));
  const out = new Map<string, string>();
  complete.forEach((a, i) => {
    if (cutoff !== undefined && Date.parse(a.createdAt as string) < cutoff)
      out.set(a.id, `pruned: older than ${retention.days} day(s)`);
    else if (retention.count !== undefined && i >= retention.count)
      out.set(a.id, `pruned: past the newest ${retention.count}`);
  });
  return out;
}

export interface PruneOutcome {
  readonly pruned: readonly string[];
  /** Incomplete archives of dumps that stopped, removed with their unfinished uploads. */
  readonly abandoned: readonly string[];
}

/** Applies the retention: removes the archives it no longer keeps, and those dead dumps left. */
export async function pruneArchives(
  store: ArchiveStore,
  retention: ArchiveRetention,
  now = new Date(),
): Promise<PruneOutcome> {
  const abandoned = await removeStalePartials(store, now);
  const doomed = archivesToPrune(await listArchives(store, { now }), retention, now);
  for (const id of doomed.keys()) await store.remove(id);
  return { pruned: [...doomed.keys()], abandoned };
}

/**
 * The full check of one archive, made before a restore is started: the manifest reads (and with
 * the key, is authenticated and decrypts), every file it lists is there, and every file's bytes
 * are read again and match their size and sha256. No file outside the list is expected, but the
 * in-progress marker. Returns every problem found (none: the archive is sound).
 */
export async function verifyArchive(store: ArchiveStore, id: string, key?: ArchiveKey): Promise<string[]> {
  let manifest: Manifest;
  try {
    manifest = key
      ? (await readArchive(store, id, key)).manifest
      : parseManifest(
          ((await store.get(id, MANIFEST_NAME)) ?? Buffer.from("")).toString("utf8"),
          store.where(id, MANIFEST_NAME),
        );
  } catch (error) {
    return [errorMessage(error)];
  }
  const problems: string[] = [];
  const stored = new Map((await store.listFiles(id)).map((f) => [f.path, f.bytes]));
  for (const f of manifest.files) {
    const where = store.where(id, f.path);
    if (!stored.has(f.path)) {
      problems.push(`${where} is missing`);
      continue;
    }
    try {
      const hash = createHash("sha256");
      let bytes = 0;
      await pipeline(
        await store.open(id, f.path),
        new Writable({
          write(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            bytes += chunk.length;
            done();
          },
        }),
      );
      if (bytes !== f.bytes) problems.push(`${where} has ${bytes} bytes, the manifest says ${f.bytes}`);
      else if (hash.digest("hex") !== f.sha256)
        problems.push(`${where} does not match its sha256 in the manifest`);
    } catch (error) {
      problems.push(`${where} cannot be read: ${errorMessage(error)}`);
    }
  }
  const listed = new Set([...manifest.files.map((f) => f.path), MANIFEST_NAME, IN_PROGRESS]);
  for (const path of stored.keys())
    if (!listed.has(path)) problems.push(`${store.where(id, path)} is not listed in the manifest`);
  return problems;
}
