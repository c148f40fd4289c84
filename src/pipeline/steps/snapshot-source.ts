import { exportSnapshot } from "../../copy/source-snapshot.js";
import type { Endpoints } from "./connect.js";

export interface SourceSnapshot {
  /** The exported snapshot's name, which every worker imports. */
  readonly name: string;
  /** When it was taken (its age is reported while rows are copied: it holds back VACUUM). */
  readonly takenAt: number;
}

/** Step "snapshot-source": a REPEATABLE READ transaction on the source, its snapshot exported. */
export async function snapshotSourceStep(ends: Endpoints): Promise<SourceSnapshot> {
  const name = await exportSnapshot(ends.source.client);
  return { name, takenAt: Date.now() };
}
