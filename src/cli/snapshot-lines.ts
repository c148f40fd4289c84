import type { SnapshotRecord } from "../restore/meta.js";
import { formatBytes } from "../util/format-bytes.js";

const n = (value: number) => value.toLocaleString("en-US");

/** `2026-12-01 09:40:36 UTC` */
export function utc(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Who took a snapshot: `run d89b0729`, or `rollback (run 1a2b3c4d)`: a rollback keeps the state it replaced. */
export function takenBy(s: SnapshotRecord): string {
  return s.reason === "rollback" ? `rollback ${s.runId}` : `run ${s.runId}`;
}

/** What a snapshot holds: `schemas audit, public; 3 large objects`. */
export function holds(s: SnapshotRecord): string {
  const parts: string[] = [];
  const kept = s.schemas.filter((x) => x.existed).map((x) => x.original);
  const absent = s.schemas.filter((x) => !x.existed).map((x) => x.original);
  if (kept.length > 0) parts.push(`schema${kept.length === 1 ? "" : "s"} ${kept.join(", ")}`);
  if (s.largeObjects && s.largeObjects.objects > 0)
    parts.push(`${n(s.largeObjects.objects)} large object(s)`);
  // A rollback to it drops these schemas again: they did not exist before that run.
  if (absent.length > 0) parts.push(`${absent.join(", ")}: did not exist yet`);
  return parts.join("; ") || "nothing";
}

/** The `snapshots` listing: a header, then one row per snapshot, newest first. */
export function snapshotTable(snapshots: readonly SnapshotRecord[]): string[] {
  const rows = [
    ["SNAPSHOT", "TAKEN", "SIZE", "TAKEN BY", "HOLDS"],
    ...snapshots.map((s) => [s.snapshotId, utc(s.takenAt), formatBytes(s.bytes), takenBy(s), holds(s)]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) =>
        i === 2 ? cell.padStart(widths[i] ?? 0) : i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0),
      )
      .join("  "),
  );
}
