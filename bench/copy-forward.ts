/**
 * The tool's own CPU on the COPY path: one table's `COPY ... TO STDOUT` piped into `COPY ... FROM
 * STDIN` between two servers, through node-postgres, two ways, in turns:
 *
 * - `pg-copy-streams`: the source's CopyData payloads are cut out of each socket chunk and joined
 *   into new buffers, and each buffer is written with a new CopyData header (the path pgsync-ts took
 *   before);
 * - `forwarded`: src/copy/copy-stream-query.ts passes the source's CopyData frames on as they came
 *   (views of the socket's chunks), reading only the 5-byte headers.
 *
 * Both go through the same pass-through Transform as streamCopy's meter. Printed: wall seconds and
 * this process's CPU seconds (user + system) per GB of COPY payload, median of the rounds.
 *
 *   npx tsx bench/copy-forward.ts [MB=300] [rounds=3] [format=binary|text]
 */
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { CopyInQuery, CopyOutQuery } from "../src/copy/copy-stream-query.js";
import { BENCH_DB, resetDatabase, startPair, withDb } from "./pair.js";
import { median } from "./report.js";

const scaleMb = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 3);
const format = process.argv[4] === "text" ? "text" : "binary";

const TABLE = `CREATE TABLE events (
  id bigint NOT NULL, account_id bigint NOT NULL, kind text NOT NULL, payload jsonb NOT NULL,
  body text, blob bytea, happened_at timestamptz NOT NULL)`;
// About 300 bytes a row, as the standard dataset's events table.
const FILL = (rows: number) => `INSERT INTO events
SELECT g, g % 1000, (ARRAY['login', 'deposit', 'transfer'])[1 + g % 3],
       jsonb_build_object('amount', g % 1000, 'ref', md5(g::text), 'ok', g % 3 <> 0),
       repeat(md5('b' || g), 2 + g % 3), decode(md5('c' || g), 'hex'), timestamptz '2024-01-01' + g * interval '1 second'
FROM generate_series(1, ${rows}) g`;

type Way = "pg-copy-streams" | "forwarded";

async function copyOnce(way: Way, source: pg.Client, destination: pg.Client): Promise<number> {
  const toSql = `COPY events TO STDOUT (FORMAT ${format})`;
  const fromSql = `COPY events FROM STDIN (FORMAT ${format})`;
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  if (way === "pg-copy-streams") {
    await pipeline(source.query(copyTo(toSql)), meter, destination.query(copyFrom(fromSql)));
    return bytes;
  }
  const reader = source.query(new CopyOutQuery(toSql));
  await pipeline(reader, meter, destination.query(new CopyInQuery(fromSql)));
  return reader.payloadBytes;
}

const pair = await startPair(15);
try {
  await resetDatabase(pair.source, pair.password);
  await withDb(pair.source, pair.password, BENCH_DB, async (c) => {
    await c.query(TABLE);
    await c.query(FILL(Math.round((scaleMb * 1e6) / 300)));
    await c.query("VACUUM (FREEZE, ANALYZE) events");
  });
  await resetDatabase(pair.destination, pair.password);
  const open = async (e: typeof pair.source) => {
    const c = new pg.Client({
      host: e.host,
      port: e.port,
      user: e.user,
      password: pair.password,
      database: BENCH_DB,
    });
    await c.connect();
    return c;
  };
  const [source, destination] = await Promise.all([open(pair.source), open(pair.destination)]);
  await destination.query(TABLE);
  const results = new Map<Way, { seconds: number[]; cpuPerGb: number[] }>();
  for (let round = 0; round <= rounds; round++) {
    for (const way of ["pg-copy-streams", "forwarded"] as const) {
      await destination.query("TRUNCATE events");
      await destination.query("CHECKPOINT");
      const cpu = process.cpuUsage();
      const started = performance.now();
      const payload = await copyOnce(way, source, destination);
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      // Round 0 warms the caches and the JIT; it is not counted.
      if (round === 0) continue;
      const r = results.get(way) ?? { seconds: [], cpuPerGb: [] };
      r.seconds.push(seconds);
      r.cpuPerGb.push(cpuSeconds / (payload / 1e9));
      results.set(way, r);
      console.log(
        `round ${round} ${way}: ${seconds.toFixed(2)} s, ${(payload / 1e6).toFixed(0)} MB, CPU ${cpuSeconds.toFixed(2)} s`,
      );
    }
  }
  for (const [way, r] of results)
    console.log(
      `${way.padEnd(16)} median wall ${median(r.seconds).toFixed(2)} s, CPU ${median(r.cpuPerGb).toFixed(2)} s per GB (${format} COPY)`,
    );
  await Promise.all([source.end(), destination.end()]);
} finally {
  await pair.stop();
}
