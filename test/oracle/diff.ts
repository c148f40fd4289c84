/** Differences between two fingerprints, as lines and grouped by property class. */
import { lineKey, parseLine } from "./line.js";

export interface ChangedProperty {
  readonly cls: string;
  readonly object: string;
  readonly property: string;
  readonly a: string;
  readonly b: string;
}

export interface FingerprintDiff {
  readonly onlyInA: string[];
  readonly onlyInB: string[];
  /** Objects and properties both sides have, each with exactly one value, that differ. */
  readonly changed: ChangedProperty[];
  /** Per class: how many lines are only in A and only in B. */
  readonly byClass: Map<string, { onlyInA: number; onlyInB: number }>;
}

export function diffFingerprints(a: readonly string[], b: readonly string[]): FingerprintDiff {
  const inA = new Set(a);
  const inB = new Set(b);
  const onlyInA = a.filter((line) => !inB.has(line));
  const onlyInB = b.filter((line) => !inA.has(line));

  const byKey = (lines: string[]) => {
    const keyed = new Map<string, string[]>();
    for (const line of lines) {
      const key = lineKey(line);
      keyed.set(key, [...(keyed.get(key) ?? []), line]);
    }
    return keyed;
  };
  const keyedB = byKey(onlyInB);
  const changed: ChangedProperty[] = [];
  for (const [key, linesA] of byKey(onlyInA)) {
    const linesB = keyedB.get(key);
    if (linesA.length !== 1 || linesB?.length !== 1) continue;
    const left = parseLine(linesA[0] as string);
    const right = parseLine(linesB[0] as string);
    changed.push({
      cls: left.cls,
      object: left.object,
      property: left.property,
      a: left.value,
      b: right.value,
    });
  }

  const byClass = new Map<string, { onlyInA: number; onlyInB: number }>();
  const count = (lines: string[], side: "onlyInA" | "onlyInB") => {
    for (const line of lines) {
      const cls = parseLine(line).cls;
      const entry = byClass.get(cls) ?? { onlyInA: 0, onlyInB: 0 };
      entry[side]++;
      byClass.set(cls, entry);
    }
  };
  count(onlyInA, "onlyInA");
  count(onlyInB, "onlyInB");
  return { onlyInA, onlyInB, changed, byClass };
}

/** The classes a diff touches, sorted. */
export function diffClasses(diff: FingerprintDiff): string[] {
  return [...diff.byClass.keys()].sort();
}

/** A readable report: per class, the count, then each difference. */
export function formatDiff(diff: FingerprintDiff, limitPerClass = 20): string {
  const out: string[] = [];
  for (const cls of diffClasses(diff)) {
    const counts = diff.byClass.get(cls) ?? { onlyInA: 0, onlyInB: 0 };
    out.push(`${cls}: ${counts.onlyInA} only in A, ${counts.onlyInB} only in B`);
    const shown = [
      ...diff.onlyInA.filter((l) => parseLine(l).cls === cls).map((l) => `  - ${l}`),
      ...diff.onlyInB.filter((l) => parseLine(l).cls === cls).map((l) => `  + ${l}`),
    ];
    out.push(...shown.slice(0, limitPerClass));
    if (shown.length > limitPerClass) out.push(`  ... ${shown.length - limitPerClass} more`);
  }
  return out.join("\n");
}
