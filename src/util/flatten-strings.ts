/**
 * V8 keeps a string built with `+` or a template literal as a tree of its pieces (a rope) until
 * something reads it by position; reading one character flattens it in place into one block. A
 * plan holds a few statements and object names per table, and they live for the whole run: as
 * ropes, 100,000 statements with their object names took 102 MB of heap, flattened 23 MB
 * (bench/README.md, "Memory at 10,000 tables"). This walks plain data (arrays, plain objects, Maps,
 * Sets; never class instances or functions) and flattens every string in it. The strings' values
 * do not change.
 */
export function flattenStrings<T>(value: T): T {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (v.length > 0) v.charCodeAt(0);
      continue;
    }
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else if (isPlain(v)) for (const k in v) stack.push((v as Record<string, unknown>)[k]);
  }
  return value;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
