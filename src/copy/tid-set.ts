/**
 * A set of row versions of one table, by tuple id (ctid: block, offset), held compactly in the
 * tool: each ctid is one float64 (block * 65536 + offset, exact below 2^53), kept in sorted runs of
 * Float64Array that are merged as they grow (as a log-structured merge does), so adding n ids costs
 * O(n log n) and 8 bytes each, plus a transient copy while two runs merge. Within one snapshot a
 * row's ctid cannot change (VACUUM keeps what the snapshot sees; VACUUM FULL and CLUSTER wait for
 * the ACCESS SHARE lock the run holds), so ids found by one query name the same rows in the COPY.
 */

const OFFSETS = 65536;

export function packTid(block: number, offset: number): number {
  return block * OFFSETS + offset;
}

/** `(block,offset)`, the text form of a tid. */
export function tidText(packed: number): string {
  return `(${Math.floor(packed / OFFSETS)},${packed % OFFSETS})`;
}

/** A PostgreSQL tid[] literal of the given ids: `{"(0,1)","(0,2)"}`. */
export function tidArrayText(ids: ArrayLike<number>): string {
  const parts: string[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) parts[i] = `"${tidText(ids[i] as number)}"`;
  return `{${parts.join(",")}}`;
}

/** The SQL that packs a row's ctid into the number this module stores (alias `alias`). */
export function packedTidSql(alias: string): string {
  return `((${alias}.ctid::text::point)[0] * ${OFFSETS} + (${alias}.ctid::text::point)[1])::float8`;
}

export class TidSet {
  private runs: Float64Array[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return this.runs.some((run) => indexOf(run, id) >= 0);
  }

  /** Adds the ids; returns those that were not in the set yet, sorted. */
  add(ids: ArrayLike<number>): Float64Array {
    const batch = sortedUnique(Float64Array.from(ids));
    let fresh = 0;
    for (let i = 0; i < batch.length; i++) {
      const id = batch[i] as number;
      if (!this.has(id)) batch[fresh++] = id;
    }
    const added = batch.slice(0, fresh);
    if (added.length === 0) return added;
    this.runs.push(added);
    this.count += added.length;
    // Merge while the newest run is at least half the size of the one before it: O(log n) runs.
    for (;;) {
      const last = this.runs[this.runs.length - 1] as Float64Array;
      const before = this.runs[this.runs.length - 2];
      if (!before || before.length > 2 * last.length) break;
      this.runs.splice(this.runs.length - 2, 2, merge(before, last));
    }
    return added;
  }

  /** Removes the ids (those not present are ignored); returns how many were removed. */
  delete(ids: ArrayLike<number>): number {
    if (ids.length === 0 || this.count === 0) return 0;
    const gone = sortedUnique(Float64Array.from(ids));
    const all = this.sorted();
    let kept = 0;
    for (let i = 0; i < all.length; i++) {
      const id = all[i] as number;
      if (indexOf(gone, id) < 0) all[kept++] = id;
    }
    const removed = all.length - kept;
    this.runs = kept > 0 ? [all.slice(0, kept)] : [];
    this.count = kept;
    return removed;
  }

  /** Every id, sorted (the runs are merged into one first). */
  sorted(): Float64Array {
    if (this.runs.length > 1) this.runs = [this.runs.reduce((a, b) => merge(a, b))];
    return this.runs[0] ?? new Float64Array(0);
  }

  /** The ids in sorted chunks of at most `size`, without copying them. */
  *chunks(size: number): Generator<Float64Array> {
    const all = this.sorted();
    for (let at = 0; at < all.length; at += size) yield all.subarray(at, Math.min(all.length, at + size));
  }
}

function sortedUnique(values: Float64Array): Float64Array {
  values.sort();
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (i === 0 || values[i] !== values[n - 1]) values[n++] = values[i] as number;
  }
  return values.subarray(0, n);
}

function merge(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length)
    out[k++] = (a[i] as number) <= (b[j] as number) ? (a[i++] as number) : (b[j++] as number);
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out;
}

function indexOf(run: Float64Array, id: number): number {
  let lo = 0;
  let hi = run.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = run[mid] as number;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
