import { errorMessage } from "../errors.js";
import type { ArchiveKey } from "./encryption.js";
import { MANIFEST_NAME, type Manifest, parseManifest } from "./manifest.js";
import { archiveState, removeStalePartials } from "./partials.js";
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
  // Oldest first by the time each was written (two ids of one second sort by their run ids).
  const when = (a: ArchiveListing) => (a.createdAt ? Date.parse(a.createdAt) : idTime(a.id));
  out.sort((a, b) => when(a) - when(b) || a.id.localeCompare(b.id));
  return withRetention(out, options.retention, now);
}

/** The time an archive id names (`20260101t120000z_...`), for archives without a manifest. */
function idTime(id: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})z_/.exec(id);
  if (!m) return 0;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se);
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
