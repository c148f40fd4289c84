import { describe, expect, it } from "vitest";
import type { ForeignKeyPlan } from "../../src/ddl/plan.js";
import { InlineForeignKeys } from "../../src/pipeline/load-inline-keys.js";

/** A foreign key from table `from` to table `to` (oids). */
function fk(from: number, to: number): ForeignKeyPlan {
  return { tableOid: from, referencedTableOid: to, object: `fk ${from}->${to}`, sql: `-- ${from}->${to}` };
}

const names = (keys: readonly ForeignKeyPlan[]) => keys.map((k) => k.object);

describe("foreign keys a small table's load takes", () => {
  it("takes its own key once the other table has committed, and a self-reference at once", () => {
    const keys = [fk(2, 1), fk(3, 3)];
    const inline = new InlineForeignKeys(keys, new Set([1, 2, 3]));
    expect(names(inline.take(2, 4))).toEqual([]);
    inline.committedLoad(1);
    expect(names(inline.take(3, 0))).toEqual(["fk 3->3"]);
    expect(names(inline.take(2, 0))).toEqual(["fk 2->1"]);
    // Taken: not offered again, and its own task has nothing to do.
    expect(names(inline.take(2, 4))).toEqual([]);
    expect(inline.claim(keys[0] as ForeignKeyPlan)).toBe(false);
  });

  it("takes a key that references it from a table that committed first", () => {
    const keys = [fk(2, 1)];
    const inline = new InlineForeignKeys(keys, new Set([1, 2]));
    inline.committedLoad(2);
    expect(names(inline.take(1, 0))).toEqual(["fk 2->1"]);
  });

  it("queues a key whose two tables finished side by side, for the next loads, a few each", () => {
    const keys = [fk(2, 1), fk(4, 3), fk(6, 5)];
    const inline = new InlineForeignKeys(keys, new Set([1, 2, 3, 4, 5, 6, 7, 8]));
    for (const oid of [1, 2, 3, 4, 5, 6]) {
      expect(names(inline.take(oid, 0))).toEqual([]);
    }
    for (const oid of [1, 2, 3, 4, 5, 6]) inline.committedLoad(oid);
    expect(names(inline.take(7, 2))).toEqual(["fk 2->1", "fk 4->3"]);
    expect(names(inline.take(8, 2))).toEqual(["fk 6->5"]);
  });

  it("never offers a key that its own task claimed first (both tables loaded, the task started)", () => {
    const keys = [fk(2, 1), fk(4, 3)];
    const inline = new InlineForeignKeys(keys, new Set([1, 2, 3, 4, 5]));
    for (const oid of [1, 2, 3, 4]) inline.committedLoad(oid);
    expect(inline.claim(keys[0] as ForeignKeyPlan)).toBe(true);
    expect(names(inline.take(5, 4))).toEqual(["fk 4->3"]);
    expect(inline.claim(keys[1] as ForeignKeyPlan)).toBe(false);
  });

  it("leaves keys to or from a table that is not loaded in one task to their own tasks", () => {
    const keys = [fk(2, 1), fk(1, 3)];
    const inline = new InlineForeignKeys(keys, new Set([1, 2]));
    inline.committedLoad(1);
    expect(names(inline.take(2, 4))).toEqual(["fk 2->1"]);
    inline.committedLoad(2);
    expect(inline.mayTake(1)).toBe(true);
    expect(names(inline.take(1, 4))).toEqual([]);
    expect(inline.claim(keys[1] as ForeignKeyPlan)).toBe(true);
  });
});
