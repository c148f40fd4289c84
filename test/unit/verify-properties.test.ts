import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareObjects, flatten, formatDifference } from "../../src/verify/properties.js";

const one = (value: unknown) => new Map([["table t", flatten(value)]]);

describe("verify's property comparison", () => {
  it("names the property and both values, one line per changed property", () => {
    const a = {
      columns: [
        { name: "id", type: "integer" },
        { name: "y", type: "integer" },
      ],
      options: [],
    };
    const b = {
      columns: [
        { name: "id", type: "integer" },
        { name: "y", type: "bigint" },
      ],
      options: ["fillfactor=70"],
    };
    expect(compareObjects(one(a), one(b)).map(formatDifference)).toEqual([
      'table t: columns["y"].type differs: source "integer"; destination "bigint"',
      'table t: options differs: source []; destination ["fillfactor=70"]',
    ]);
  });

  it("says once that a part is missing, with the whole part, and the names' order apart", () => {
    const a = { columns: [{ name: "id", type: "integer" }], partitionOf: { parent: "p", bound: "DEFAULT" } };
    const b = {
      columns: [
        { name: "id", type: "integer" },
        { name: "x", type: "text" },
      ],
    };
    expect(compareObjects(one(a), one(b)).map(formatDifference)).toEqual([
      'table t: partitionOf differs: source {"parent":"p","bound":"DEFAULT"}; destination (none)',
      'table t: columns["x"] differs: source (none); destination {"name":"x","type":"text"}',
      'table t: columns differs: source ["id"]; destination ["id","x"]',
    ]);
  });

  it("names objects on one side only, a short one with its properties", () => {
    const source = new Map([["index i", flatten({ definition: "CREATE INDEX i ON t (a)" })]]);
    const destination = new Map([["role setting r", flatten({ TimeZone: "UTC" })]]);
    expect(compareObjects(source, destination).map(formatDifference)).toEqual([
      'index i: missing on the destination: {"definition":"CREATE INDEX i ON t (a)"}',
      'role setting r: exists only on the destination: {"TimeZone":"UTC"}',
    ]);
  });

  it("shortens long values around their first difference, saying what it leaves out", () => {
    // The values are JSON text: the quote and "SELECT " come first, 608 characters before the digit.
    const body = (n: number) => `SELECT ${"x, ".repeat(200)}${n}`;
    const [line] = compareObjects(one({ definition: body(1) }), one({ definition: body(2) })).map(
      formatDifference,
    );
    expect(line).toMatch(
      /^table t: definition differs: source …\(548 characters before\)x, x, .*x, 1"; destination …\(548 characters before\)x, x, .*x, 2"$/,
    );
  });

  it("finds no difference between equal values, and one for any change of a leaf", () => {
    const value = fc.dictionary(
      fc.string({ minLength: 1 }),
      fc.oneof(fc.integer(), fc.string(), fc.boolean()),
    );
    fc.assert(
      fc.property(value, fc.string({ minLength: 1 }), (v, key) => {
        expect(compareObjects(one(v), one(structuredClone(v)))).toEqual([]);
        const changed = { ...v, [key]: `${String(v[key])}!` };
        const diff = compareObjects(one(v), one(changed));
        expect(diff.map((d) => d.property)).toEqual([key]);
      }),
    );
  });
});
