/**
 * The comparable form of a catalog: every object by a readable name, each with its properties as
 * JSON text under a path (`columns["y"].type`), so that a difference names the object, the property
 * and both values, rather than two whole objects.
 */

export interface Properties {
  /** Property path -> the value as JSON text. */
  readonly values: ReadonlyMap<string, string>;
  /**
   * Nested parts (an object, a named element of a list) -> the whole part as JSON text: one line
   * when a side lacks the part, instead of one per property inside it.
   */
  readonly parts: ReadonlyMap<string, string>;
}

/** Object name (e.g. `table "public"."t"`) -> its properties. */
export type ObjectProperties = ReadonlyMap<string, Properties>;

export interface PropertyDifference {
  readonly object: string;
  /** The property that differs; empty when the object exists on one side only. */
  readonly property: string;
  /**
   * The value as JSON text; null when the side lacks the object (or the property). For an object
   * one side lacks, the other side's value is all its properties as one JSON object.
   */
  readonly source: string | null;
  readonly destination: string | null;
}

/**
 * Flattens a value into properties. A list whose elements have names (and more than a schema) is
 * keyed by name: one changed column is one difference, and the list of names (their order) is a
 * property of its own. Any other list is one value.
 */
export function flatten(value: unknown): Properties {
  const values = new Map<string, string>();
  const parts = new Map<string, string>();
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      const keys = keyedNames(v);
      values.set(path, JSON.stringify(keys ?? v));
      if (!keys) return;
      v.forEach((element, i) => {
        const { name: _name, ...rest } = element as Record<string, unknown>;
        const at = `${path}[${JSON.stringify(keys[i])}]`;
        walk(rest, at);
        // The element whole, its name included (walk recorded it without).
        parts.set(at, JSON.stringify(element));
      });
      return;
    }
    if (v && typeof v === "object") {
      if (path) parts.set(path, JSON.stringify(v));
      for (const [key, inner] of Object.entries(v)) {
        if (inner !== undefined) walk(inner, path ? `${path}.${key}` : key);
      }
      return;
    }
    values.set(path, JSON.stringify(v ?? null));
  };
  walk(value, "");
  return { values, parts };
}

/** The element names when every element is an object with a distinct name and more than a schema. */
function keyedNames(list: readonly unknown[]): string[] | undefined {
  const names: string[] = [];
  for (const element of list) {
    if (!element || typeof element !== "object" || Array.isArray(element)) return undefined;
    const { name, schema: _schema, ...rest } = element as Record<string, unknown>;
    if (typeof name !== "string" || Object.keys(rest).length === 0) return undefined;
    names.push(name);
  }
  return names.length > 0 && new Set(names).size === names.length ? names : undefined;
}

/** Plain values (no nested parts), e.g. rows of a catalog query of verify's own. */
export function plainProperties(values: ReadonlyMap<string, string>): Properties {
  return { values, parts: new Map() };
}

/** Every difference between two catalogs: objects on one side only, then each property that differs. */
export function compareObjects(
  source: ObjectProperties,
  destination: ObjectProperties,
): PropertyDifference[] {
  const out: PropertyDifference[] = [];
  for (const [object, a] of source) {
    const b = destination.get(object);
    if (b) out.push(...compareProperties(object, a, b));
    else out.push({ object, property: "", source: whole(a), destination: null });
  }
  for (const [object, b] of destination)
    if (!source.has(object)) out.push({ object, property: "", source: null, destination: whole(b) });
  return out;
}

/** An object's properties as one JSON object (the value of an object one side lacks). */
function whole(p: Properties): string {
  return JSON.stringify(Object.fromEntries([...p.values].map(([k, v]) => [k, JSON.parse(v)])));
}

function compareProperties(object: string, a: Properties, b: Properties): PropertyDifference[] {
  const out: PropertyDifference[] = [];
  // A part one side lacks is one line, with the whole part; what is inside it is not repeated.
  const lacking: string[] = [];
  const inLacking = (path: string) =>
    lacking.some((p) => path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
  for (const [path, value] of a.parts) {
    if (b.parts.has(path)) continue;
    if (!inLacking(path)) out.push({ object, property: path, source: value, destination: null });
    lacking.push(path);
  }
  for (const [path, value] of b.parts) {
    if (a.parts.has(path)) continue;
    if (!inLacking(path)) out.push({ object, property: path, source: null, destination: value });
    lacking.push(path);
  }
  for (const path of new Set([...a.values.keys(), ...b.values.keys()])) {
    const [x, y] = [a.values.get(path) ?? null, b.values.get(path) ?? null];
    if (x !== y && !inLacking(path)) out.push({ object, property: path, source: x, destination: y });
  }
  return out;
}

/** Values longer than this are shown around their first difference, with explicit markers. */
const SHOWN = 240;
/** An object one side lacks is shown whole up to this length. */
const SHORT_OBJECT = 120;

/**
 * `<object>: <property> differs: source <value>; destination <value>`, or that the object exists on
 * one side only. A long value is shortened to a window around where the two values first differ,
 * saying how many characters it leaves out on each side; never cut silently.
 */
export function formatDifference(d: PropertyDifference): string {
  if (!d.property) {
    // A short object is shown whole; a long one (a table) is named only (--json has it whole).
    const value = d.destination ?? d.source ?? "";
    const shown = value.length <= SHORT_OBJECT && value !== "{}" ? `: ${value}` : "";
    return `${d.object}: ${d.destination === null ? "missing on the destination" : "exists only on the destination"}${shown}`;
  }
  const [a, b] = shortened(d.source ?? "(none)", d.destination ?? "(none)");
  return `${d.object}: ${d.property} differs: source ${a}; destination ${b}`;
}

function shortened(a: string, b: string): [string, string] {
  if (a.length <= SHOWN && b.length <= SHOWN) return [a, b];
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first++;
  const start = Math.max(0, first - 60);
  return [window(a, start), window(b, start)];
}

function window(text: string, start: number): string {
  if (text.length <= SHOWN && start === 0) return text;
  const end = Math.min(text.length, start + SHOWN);
  const before = start > 0 ? `…(${start} characters before)` : "";
  const after = end < text.length ? `…(${text.length - end} more characters)` : "";
  return `${before}${text.slice(start, end)}${after}`;
}
