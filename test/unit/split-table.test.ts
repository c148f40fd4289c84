import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { blockRanges, describeRange, keyRanges } from "../../src/copy/table-ranges.js";
import { partTasks } from "../../src/pipeline/load-parts.js";
import { partCount, type TablePart } from "../../src/pipeline/split-table.js";
import { runTaskGraph } from "../../src/pipeline/task-graph.js";
import type { RowFilter } from "../../src/sql/copy-statements.js";

/** Whether a key-range filter holds the value, as the statement's WHERE reads it. */
function holdsKey(f: RowFilter, v: bigint): boolean {
  if (f.kind !== "key-range") throw new Error(f.kind);
  return (f.from === undefined || v >= f.from) && (f.to === undefined || v < f.to);
}

function holdsBlock(f: RowFilter, block: number): boolean {
  if (f.kind !== "block-range") throw new Error(f.kind);
  return block >= f.fromBlock && (f.toBlock === undefined || block < f.toBlock);
}

describe("table ranges", () => {
  it("key ranges put every value of the type in exactly one range, whatever the bounds", () => {
    const int8 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    fc.assert(
      fc.property(
        fc.uniqueArray(int8, { maxLength: 12 }),
        fc.array(int8, { minLength: 1, maxLength: 20 }),
        (raw, values) => {
          const bounds = [...raw].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          const ranges = keyRanges("id", bounds);
          expect(ranges).toHaveLength(bounds.length + 1);
          for (const v of [...values, ...bounds])
            expect(ranges.filter((r) => holdsKey(r, v))).toHaveLength(1);
        },
      ),
    );
  });

  it("the first and the last key range are open: rows beyond the planned bounds are still read", () => {
    const [first, , last] = keyRanges("id", [100n, 200n]);
    expect(first).toEqual({ kind: "key-range", column: "id", to: 100n });
    expect(last).toEqual({ kind: "key-range", column: "id", from: 200n });
    expect(keyRanges("id", [])).toEqual([{ kind: "key-range", column: "id" }]);
  });

  it("block ranges cover every block once, in ranges within one block of each other, the last open", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 32 }), (blocks, parts) => {
        const ranges = blockRanges(blocks, parts);
        expect(ranges).toHaveLength(Math.max(1, Math.min(parts, blocks)));
        const last = ranges[ranges.length - 1];
        expect(last?.kind === "block-range" && last.toBlock).toBe(undefined);
        // Rows added after the size was read land past the end: the open range reads them.
        for (const b of [0, Math.floor(blocks / 2), Math.max(0, blocks - 1), blocks, blocks + 10])
          expect(ranges.filter((r) => holdsBlock(r, b))).toHaveLength(1);
        const widths = ranges
          .slice(0, -1)
          .map((r) => (r.kind === "block-range" ? (r.toBlock ?? 0) - r.fromBlock : 0));
        const lastWidth = blocks - (last?.kind === "block-range" ? last.fromBlock : 0);
        const all = [...widths, lastWidth];
        if (blocks >= ranges.length) {
          expect(Math.min(...all)).toBeGreaterThan(0);
          expect(Math.max(...all) - Math.min(...all)).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it("names ranges for the report", () => {
    expect(keyRanges("id", [10n, 20n]).map(describeRange)).toEqual([
      "id from the lowest below 10",
      "id from 10 below 20",
      "id from 20 to the highest",
    ]);
    expect(blockRanges(10, 2).map(describeRange)).toEqual(["blocks 0 below 5", "blocks 5 to the end"]);
  });
});

describe("how many parts", () => {
  it("ceil(size / threshold), at most one per worker; one at or below the threshold or when splitting is off", () => {
    const mb = 1024 ** 2;
    expect(partCount(256 * mb, 256 * mb, 4)).toBe(1);
    expect(partCount(256 * mb + 1, 256 * mb, 4)).toBe(2);
    expect(partCount(700 * mb, 256 * mb, 4)).toBe(3);
    expect(partCount(10_000 * mb, 256 * mb, 4)).toBe(4);
    expect(partCount(10_000 * mb, 256 * mb, 1)).toBe(1);
    expect(partCount(10_000 * mb, 0, 4)).toBe(1);
  });
});

describe("the load tasks of a split table", () => {
  const parts: TablePart[] = blockRanges(30, 3).map((filter, i) => ({
    index: i + 1,
    of: 3,
    filter,
    range: describeRange(filter),
  }));

  it("runs every part beside the others, counts once after the last, and reports the parts in range order", async () => {
    const log: string[] = [];
    let running = 0;
    let together = 0;
    const progress: number[] = [];
    const tasks = partTasks<string>(parts, {
      table: '"public"."t"',
      idOf: (p) => `load t part ${p.index}`,
      lock: { key: "t", mode: "shared" },
      weight: 10,
      onProgress: (b) => progress.push(b),
      copy: async (worker, part, onBytes) => {
        running++;
        together = Math.max(together, running);
        log.push(`copy ${part.index} on ${worker}`);
        // The first part is the slowest: it ends last, and the count must wait for it.
        await new Promise((r) => setTimeout(r, part.index === 1 ? 30 : 5));
        onBytes(100 * part.index);
        running--;
        return { rows: part.index === 2 ? 0 : part.index * 10, bytes: 100 * part.index };
      },
      finish: async (worker, reports) => {
        log.push(`finish on ${worker}: ${reports.map((r) => `${r.range}=${r.rows}`).join(", ")}`);
      },
    });
    const after = {
      id: "index",
      after: tasks.map((t) => t.id),
      locks: [{ key: "t", mode: "shared" as const }],
      weight: 1,
      run: async () => {
        log.push("index");
      },
    };
    await runTaskGraph([...tasks, after], ["w1", "w2", "w3"]);
    expect(together).toBe(3);
    expect(log.filter((l) => l.startsWith("copy"))).toHaveLength(3);
    expect(log.filter((l) => l.startsWith("finish"))).toEqual([
      expect.stringMatching(
        /^finish on w\d: blocks 0 below 10=10, blocks 10 below 20=0, blocks 20 to the end=30$/,
      ),
    ]);
    expect(log.indexOf("index")).toBe(log.length - 1);
    expect(progress[progress.length - 1]).toBe(600);
    expect(tasks.map((t) => t.object)).toEqual([
      "part 1 of 3 (blocks 0 below 10)",
      "part 2 of 3 (blocks 10 below 20)",
      "part 3 of 3 (blocks 20 to the end)",
    ]);
  });

  it("a failed part fails the load, and the table is never counted", async () => {
    const finished: string[] = [];
    const tasks = partTasks<string>(parts, {
      table: '"public"."t"',
      idOf: (p) => `part ${p.index}`,
      lock: { key: "t", mode: "shared" },
      weight: 1,
      copy: async (_w, part) => {
        if (part.index === 2) throw new Error("the source went away");
        return { rows: 1, bytes: 1 };
      },
      finish: async () => {
        finished.push("counted");
      },
    });
    await expect(runTaskGraph(tasks, ["w1", "w2"])).rejects.toThrow("the source went away");
    expect(finished).toEqual([]);
  });
});

describe("the profile key splitTablesLargerThan", () => {
  const SRC = "postgres://app@src.example.com/app";
  const DST = "postgres://app@dst.example.com/app";
  const split = (value: unknown) =>
    parseConfig({
      profiles: { p: { source: SRC, destination: DST, splitTablesLargerThan: value } },
    }).profiles.get("p")?.splitTablesLargerThan;

  it("reads sizes in PostgreSQL's units (1024-based) and whole numbers of bytes; 0 turns splitting off", () => {
    expect(split("256MB")).toBe(256 * 1024 ** 2);
    expect(split("1GB")).toBe(1024 ** 3);
    expect(split(" 512 kB ")).toBe(512 * 1024);
    expect(split(1_000_000)).toBe(1_000_000);
    expect(split(0)).toBe(0);
    expect(
      parseConfig({ profiles: { p: { source: SRC, destination: DST } } }).profiles.get("p")
        ?.splitTablesLargerThan,
    ).toBe(256 * 1024 ** 2);
  });

  it.each([["256 mb"], ["1.5GB"], [-1], ["lots"], [true]])("refuses %j, naming the key", (value) => {
    expect(() => split(value)).toThrow(/profiles\.p\.splitTablesLargerThan: expected a size such as "256MB"/);
  });
});
