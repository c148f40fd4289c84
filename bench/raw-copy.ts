/**
 * The raw limit: what moving the same rows and building the same keys costs with nothing else in
 * the way. Each table goes from `COPY ... TO STDOUT (FORMAT binary)` on the source straight into
 * `COPY ... FROM STDIN (FORMAT binary)` on the destination, over `parallel` connection pairs, largest
 * table first, its keys and indexes built as soon as its rows are in; then the foreign keys. No
 * snapshot, no staging, no verification, no catalog reading: a floor, not a usable tool.
 */
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { quoteIdent } from "../src/sql/quote.js";
import { BENCH_FOREIGN_KEYS, BENCH_TABLES } from "./dataset.js";
import { BENCH_DB, type Endpoint } from "./pair.js";
import type { RawTable } from "./shape-types.js";

export interface RawCopyParts {
  readonly "copy and build": number;
  readonly "foreign keys": number;
}

export async function rawCopy(
  source: Endpoint,
  destination: Endpoint,
  password: string,
  parallel: number,
  /** Source table sizes in bytes, to start the largest first (as pgsync-ts and pg_restore do). */
  tableBytes: Record<string, number>,
  databases: { readonly source: string; readonly destination: string } = {
    source: BENCH_DB,
    destination: BENCH_DB,
  },
  /** The shape's tables and foreign keys (default: the standard dataset's). */
  shape: { readonly tables: readonly RawTable[]; readonly foreignKeys: readonly string[] } = {
    tables: BENCH_TABLES,
    foreignKeys: BENCH_FOREIGN_KEYS,
  },
): Promise<RawCopyParts> {
  const open = async (side: "source" | "destination") => {
    const e = side === "source" ? source : destination;
    const c = new pg.Client({
      host: e.host,
      port: e.port,
      user: e.user,
      password,
      database: databases[side],
    });
    await c.connect();
    return c;
  };
  const clients: pg.Client[] = [];
  try {
    const started = performance.now();
    const control = await open("destination");
    clients.push(control);
    for (const t of shape.tables) await control.query(t.create);
    const queue = [...shape.tables].sort((a, b) => (tableBytes[b.name] ?? 0) - (tableBytes[a.name] ?? 0));
    const worker = async () => {
      const [src, dst] = await Promise.all([open("source"), open("destination")]);
      clients.push(src, dst);
      for (let t = queue.shift(); t; t = queue.shift()) {
        const name = quoteIdent(t.name);
        await pipeline(
          src.query(copyTo(`COPY ${name} TO STDOUT (FORMAT binary)`)),
          dst.query(copyFrom(`COPY ${name} FROM STDIN (FORMAT binary)`)),
        );
        for (const sql of t.build) await dst.query(sql);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
    const loaded = performance.now();
    // Adding a foreign key locks the referenced table against other additions: one at a time.
    for (const sql of shape.foreignKeys) await control.query(sql);
    return {
      "copy and build": (loaded - started) / 1000,
      "foreign keys": (performance.now() - loaded) / 1000,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}
