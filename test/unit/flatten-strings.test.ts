import { describe, expect, it } from "vitest";
import { flattenStrings } from "../../src/util/flatten-strings.js";

class Holder {
  constructor(readonly label: string) {}
}

describe("flattenStrings", () => {
  it("returns the same value, every string in it unchanged, past class instances and functions", () => {
    const parts = Array.from({ length: 30 }, (_, i) => `"t_${i}"`);
    const sql = parts.reduce((a, p) => `${a}, ${p}`, "SELECT");
    const value = {
      statements: [{ object: `table ${parts[0]}`, sql }],
      byKey: new Map([[`k${parts[1]}`, { sql: `${sql};` }]]),
      keys: new Set([`${parts[2]}.x`]),
      nested: [[[`deep ${parts[3]}`]]],
      empty: "",
      holder: new Holder(`h${parts[4]}`),
      run: () => sql,
    };
    const copy = structuredClone({ ...value, holder: undefined, run: undefined });
    expect(flattenStrings(value)).toBe(value);
    expect({ ...value, holder: undefined, run: undefined }).toEqual(copy);
  });

  it("walks shared and circular data once, and arrays longer than a call's argument limit", () => {
    const item: { key: string; self?: unknown; deps: string[] } = { key: "a", deps: [] };
    item.self = item;
    const many = Array.from({ length: 300_000 }, (_, i) => `s${i}`);
    expect(() => flattenStrings({ item, again: item, many })).not.toThrow();
    expect(many[299_999]).toBe("s299999");
  });
});
