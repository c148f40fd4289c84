import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closestNames, editDistance } from "../../src/util/closest.js";

describe("editDistance", () => {
  it.each([
    ["public", "public", 0],
    ["pubic", "public", 1],
    ["pubilc", "public", 1],
    ["custmers", "customers", 1],
    ["Users", "users", 0],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
    ["audit", "public", 4],
  ])("%j to %j is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });

  it("is symmetric, zero only for equal words (ignoring case), and at most the longer length", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(editDistance(b, a)).toBe(d);
        expect(d === 0).toBe(a.toLowerCase() === b.toLowerCase());
        expect(d).toBeLessThanOrEqual(Math.max([...a].length, [...b].length));
      }),
    );
  });

  it("counts one edit for any single insertion, deletion or substitution", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{1,10}$/),
        fc.nat(),
        fc.constantFrom("insert", "delete", "substitute"),
        (word, at, edit) => {
          const i = at % word.length;
          const changed =
            edit === "insert"
              ? `${word.slice(0, i)}#${word.slice(i)}`
              : edit === "delete"
                ? word.slice(0, i) + word.slice(i + 1)
                : `${word.slice(0, i)}#${word.slice(i + 1)}`;
          expect(editDistance(word, changed)).toBe(1);
        },
      ),
    );
  });
});

describe("closestNames", () => {
  const schemas = ["audit", "public", "sales", "pub"];

  it("offers the closest names, closest first", () => {
    expect(closestNames("pubic", schemas)).toEqual(["public"]);
    expect(closestNames("publics", ["publish", "pub", "public"])).toEqual(["public", "publish"]);
    expect(closestNames("sale", schemas)).toEqual(["sales"]);
  });

  it("offers nothing when no name is close", () => {
    expect(closestNames("inventory", schemas)).toEqual([]);
    expect(closestNames("x", ["ab", "cd"])).toEqual([]);
  });

  it("keeps to the limit and lists each name once", () => {
    expect(closestNames("t1", ["t2", "t3", "t4", "t2"], 2)).toEqual(["t2", "t3"]);
  });
});
