/**
 * "Did you mean ...?" for names a user typed: the candidates closest to a word by edit distance
 * (insertions, deletions, substitutions, and two neighbouring letters swapped, each costing 1),
 * compared without regard to case, since a typo in case is a typo too.
 */

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`pubilc` → `public` is 1). */
export function editDistance(a: string, b: string): number {
  const x = [...a.toLowerCase()];
  const y = [...b.toLowerCase()];
  // Three rows are enough: a transposition looks two rows back.
  let before: number[] = [];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        best = Math.min(best, (before[j - 2] as number) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[y.length] as number;
}

/**
 * The candidates close enough to `word` to be what was meant, closest first (ties in the order
 * given), at most `limit`. Close enough: within a third of the word's length (at least one edit), so
 * that `pubic` finds `public` and `custmers` finds `customers`, but `x` does not find every short name.
 */
export function closestNames(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const within = Math.max(1, Math.floor([...word].length / 3));
  const scored: { name: string; distance: number; order: number }[] = [];
  let order = 0;
  for (const name of new Set(candidates)) {
    const distance = editDistance(word, name);
    if (distance <= within) scored.push({ name, distance, order: order++ });
  }
  scored.sort((p, q) => p.distance - q.distance || p.order - q.order);
  return scored.slice(0, limit).map((s) => s.name);
}
