import { z } from "zod";
import { MANIFEST_NAME } from "./manifest.js";
import type { ArchiveStore } from "./store.js";

/**
 * Incomplete archives: a dump writes `dump.inprogress` first and rewrites it every minute with the
 * time, and writes the manifest last. An archive with no manifest whose marker has not been
 * rewritten for PARTIAL_AGE_MS belongs to a dump that stopped (killed, its machine gone): the next
 * dump, or `archives --prune`, removes it, with the multipart uploads it left. One whose marker is
 * fresh is a dump in progress and is never touched.
 */
export const IN_PROGRESS = "dump.inprogress";
export const PARTIAL_AGE_MS = 60 * 60 * 1000;

const Marker = z.object({ heartbeatAt: z.string().datetime({ offset: true }) });

export type ArchiveState =
  | { readonly kind: "complete" }
  | { readonly kind: "in progress"; readonly heartbeatAt: Date }
  | { readonly kind: "abandoned"; readonly heartbeatAt?: Date };

/** Whether an archive is complete, being written, or left by a dump that stopped. */
export async function archiveState(store: ArchiveStore, id: string, now: Date): Promise<ArchiveState> {
  if (await store.get(id, MANIFEST_NAME)) return { kind: "complete" };
  const marker = await store.get(id, IN_PROGRESS);
  const parsed = marker ? Marker.safeParse(safeJson(marker.toString("utf8"))) : undefined;
  if (!parsed?.success) return { kind: "abandoned" };
  const heartbeatAt = new Date(parsed.data.heartbeatAt);
  return now.getTime() - heartbeatAt.getTime() > PARTIAL_AGE_MS
    ? { kind: "abandoned", heartbeatAt }
    : { kind: "in progress", heartbeatAt };
}

/** Removes every abandoned archive; returns their ids. */
export async function removeStalePartials(store: ArchiveStore, now: Date): Promise<string[]> {
  const removed: string[] = [];
  for (const id of await store.listArchives()) {
    if ((await archiveState(store, id, now)).kind !== "abandoned") continue;
    await store.remove(id);
    removed.push(id);
  }
  return removed;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
