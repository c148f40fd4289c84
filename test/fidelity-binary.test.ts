/**
 * Binary COPY (the fidelity issue, point 30): whether PostgreSQL's receive function takes back what
 * its send function wrote depends on the value, not only the type (an empty tsquery is rejected).
 * Every core type's edge values go through a run and must read back exactly; the types whose
 * binary form fails on one of them travel as text. A binary COPY that a receive function rejects
 * anyway is retried once in text and reported.
 */
import { describe, expect, it } from "vitest";
import { connect } from "../src/db/connect.js";
import { baseSettings, begin, inTransaction } from "../src/db/session.js";
import { planSync, type SyncPlan } from "../src/ddl/plan.js";
import { introspect } from "../src/introspect/index.js";
import { loadTasks, type TableReport } from "../src/pipeline/load-tasks.js";
import { fixturePairs, newest, oldest, type Pair, sync } from "./helpers/fidelity.js";
import { type PgMajor, withClient } from "./helpers/pg-servers.js";

const pair = fixturePairs();

/** Edge values of each core type, as SQL literals (the types every supported major has). */
const EDGES: readonly (readonly [string, readonly string[]])[] = [
  ["bool", ["true", "false"]],
  ["bytea", ["''", "'\\x00ff'"]],
  ['"char"', ["''", "'a'"]],
  ["int2", ["-32768", "32767"]],
  ["int4", ["-2147483648", "2147483647"]],
  ["int8", ["-9223372036854775808", "9223372036854775807"]],
  ["oid", ["0", "4294967295"]],
  ["float4", ["'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "'1.4e-45'", "'3.4028235e38'"]],
  ["float8", ["'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "'5e-324'", "'1.7976931348623157e308'"]],
  ["numeric", ["'NaN'", "'Infinity'", "'-Infinity'", "'-0.000'", "'1e-1000'", "'9e131071'"]],
  ["numeric(5,2)", ["'999.99'", "'-0.01'", "'NaN'"]],
  ["money", ["'-92233720368547758.08'", "'92233720368547758.07'"]],
  ["text", ["''", "E'a\\tb\\nc\\\\d'", "repeat('x', 100000)"]],
  ["varchar(2)", ["''", "'ab'"]],
  ["char(3)", ["''", "'a'", "'abc'"]],
  ["name", ["''", "repeat('n', 63)"]],
  ["json", ["'{}'", `'{"": 1, "a": [], "a": null}'`, "'  [1, 2]  '"]],
  ["jsonb", ["'{}'", `'{"": ""}'`, "'[]'", `'""'`, "'null'", "'1e1000'"]],
  ["jsonpath", ["'$'", "'$.a[*] ? (@ > 1)'", `'strict $.""'`]],
  ["xml", ["''", "'<a/>'", "'text<b>x</b>'"]],
  ["uuid", ["'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'"]],
  ["date", ["'infinity'", "'-infinity'", "'4713-01-01 BC'", "'5874897-12-31'"]],
  ["time", ["'00:00'", "'24:00'", "'23:59:59.999999'"]],
  ["timetz", ["'00:00+15:59'", "'24:00-15:59'"]],
  ["timestamp", ["'infinity'", "'-infinity'", "'4713-01-01 00:00 BC'", "'294276-12-31 23:59:59.999999'"]],
  ["timestamptz", ["'infinity'", "'-infinity'", "'4713-01-01 00:00+00 BC'"]],
  ["interval", ["'0'", "'-178000000 years'", "'178000000 years'", "'1 mon -1 day 1 us'"]],
  ["bit(3)", ["B'101'"]],
  ["varbit", ["B''", "B'10101'"]],
  ["inet", ["'0.0.0.0/0'", "'::1/128'", "'192.168.1.1/24'"]],
  ["cidr", ["'0.0.0.0/0'", "'::/0'"]],
  ["macaddr", ["'00:00:00:00:00:00'"]],
  ["macaddr8", ["'ff:ff:ff:ff:ff:ff:ff:ff'"]],
  ["point", ["'(NaN,-0)'", "'(Infinity,-Infinity)'"]],
  ["line", ["'{1,0,0}'", "'{0,-1,NaN}'"]],
  ["lseg", ["'[(0,0),(0,0)]'"]],
  ["box", ["'(0,0),(0,0)'", "'(NaN,NaN),(1,1)'"]],
  ["path", ["'[(0,0)]'", "'((0,0),(1,1))'", "'[(NaN,Infinity),(-Infinity,-0)]'"]],
  ["polygon", ["'((0,0))'", "'((NaN,1),(2,-0))'"]],
  ["circle", ["'<(0,0),0>'", "'<(NaN,Infinity),NaN>'"]],
  ["tsvector", ["''", "'a:1A b:2,3 c'"]],
  ["tsquery", ["''", "'a & b'", "'!a'", "'a <-> b'", "'a:*'"]],
  ["int4range", ["'empty'", "'(,)'", "'[1,1]'"]],
  ["numrange", ["'empty'", "'(NaN,)'", "'[-Infinity,Infinity]'"]],
  ["tstzrange", ["'empty'", "'(,infinity]'"]],
  ["daterange", ["'[-infinity,infinity)'"]],
  ["int4multirange", ["'{}'", "'{empty}'", "'{[1,2),[3,4)}'"]],
  ["nummultirange", ["'{(,)}'"]],
  ["xid", ["'0'", "'4294967295'"]],
  ["xid8", ["'0'", "'18446744073709551615'"]],
  ["cid", ["'0'", "'4294967295'"]],
  ["tid", ["'(0,0)'", "'(4294967295,65535)'"]],
  ["pg_lsn", ["'0/0'", "'FFFFFFFF/FFFFFFFF'"]],
  ["pg_snapshot", ["'10:20:'", "'10:20:10,14,15'"]],
  ["txid_snapshot", ["'10:20:10,14,15'"]],
  ["int2vector", ["''", "'1 2 3'"]],
  ["oidvector", ["''", "'1 2'"]],
  ["refcursor", ["''"]],
];

/** Types whose binary round trip fails on one of these values: they travel as text. */
const TEXT_ONLY = new Set(["tsquery", "int2vector", "oidvector"]);

const tableName = (i: number) => `t${String(i).padStart(2, "0")}`;

/** One table per type: each edge value alone, in an array with a NULL and non-default bounds, and NULL. */
function edgeFixture(from: PgMajor, to: PgMajor): string {
  const statements = ["CREATE SCHEMA fp;"];
  EDGES.forEach(([type, values], i) => {
    const all = [
      ...values,
      ...(type === "interval" && from >= 17 && to >= 17 ? ["'infinity'", "'-infinity'"] : []),
    ];
    statements.push(`CREATE TABLE fp.${tableName(i)} (id int, v ${type}, vs ${type}[]);`);
    const rows = all.map((v, n) => `(${n}, ${v}, ARRAY[${v}, NULL]::${type}[])`);
    rows.push(
      `(${all.length}, NULL, '{}')`,
      `(${all.length + 1}, NULL, ('[0:0]=' || (ARRAY[${all[0]}]::${type}[])::text)::${type}[])`,
    );
    statements.push(`INSERT INTO fp.${tableName(i)} VALUES ${rows.join(", ")};`);
  });
  return statements.join("\n");
}

/** Every table's rows as text, with the same output settings on both sides. */
async function contents(url: string): Promise<Record<string, string>> {
  return withClient(url, async (c) => {
    await c.query(`SET search_path = pg_catalog; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD';
                   SET IntervalStyle = postgres; SET extra_float_digits = 3; SET bytea_output = hex`);
    const out: Record<string, string> = {};
    for (const [i, [type]] of EDGES.entries()) {
      const r = await c.query<{ x: string | null }>(
        `SELECT string_agg(concat_ws(' ', id, coalesce(v::text, '<null>'), md5(v::text), vs::text), E'\\n' ORDER BY id) AS x FROM fp.${tableName(i)}`,
      );
      out[type] = r.rows[0]?.x ?? "";
    }
    return out;
  });
}

function pairs(): Pair[] {
  const all: Pair[] = [
    [newest(), newest()],
    [newest(), oldest()],
    [oldest(), newest()],
  ];
  return all.filter(([a, b], i) => all.findIndex(([c, d]) => c === a && d === b) === i);
}

describe.each(pairs())("%i -> %i", (from, to) => {
  it("12.30 edge values of every core type come through exactly, binary only where its round trip holds", async () => {
    const { src, dst } = await pair(from, to, edgeFixture(from, to));
    const report = await sync(src, dst);
    const expected = await contents(src);
    expect(await contents(dst)).toEqual(expected);
    expect(expected.tsquery).toContain("0  ");
    for (const [i, [type]] of EDGES.entries()) {
      const format = report.tables.find((t) => t.table === `"fp"."${tableName(i)}"`)?.format;
      expect({ type, format }).toEqual({ type, format: TEXT_ONLY.has(type) ? "text" : "binary" });
    }
  });
});

describe.each(pairs().slice(0, 2))("%i -> %i", (from, to) => {
  it("12.30 a binary COPY that a receive function rejects is retried once in text, and reported", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.queries (id int, q tsquery, n int);
       INSERT INTO fp.queries VALUES (1, 'a & b', 1), (2, '', 2), (3, NULL, 3), (4, '!c', 4);`,
    );
    const source = await connect({ url: src, side: "source", connectSeconds: 30 });
    const destination = await connect({ url: dst, side: "destination", connectSeconds: 30 });
    try {
      await begin(source.client, baseSettings(0), "ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const model = await introspect(source.client, { schemas: ["fp"] });
      const plan = planSync(model, { targetMajor: to, stagingPrefix: "_pgsync_stage_0a1b2c3d" });
      // The plan as it would be if the binary list admitted tsquery (as it did before 12.30): the
      // retry is what catches a type that a round-trip test has not caught yet.
      const admitted: SyncPlan = {
        ...plan,
        tables: plan.tables.map((t) => ({
          ...t,
          format: "binary",
          table: { ...t.table, allColumns: t.table.allColumns.map((c) => ({ ...c, binarySafe: true })) },
        })),
      };
      await inTransaction(destination.client, baseSettings(0), async () => {
        for (const s of plan.preData) await destination.client.query(s.sql);
      });
      const reports: TableReport[] = [];
      const warnings: string[] = [];
      const tasks = loadTasks(admitted, {
        timeouts: { connectSeconds: 30, statementSeconds: 60, lockSeconds: 30, stallSeconds: 60 },
        onChunk: async () => {},
        fault: async () => {},
        onTable: (r) => reports.push(r),
        warn: (w) => warnings.push(w),
      });
      const load = tasks.find((t) => t.kind === "load");
      await load?.run({ source, destination });
      expect(reports).toEqual([
        expect.objectContaining({ table: '"fp"."queries"', format: "text", retriedInText: true, rows: 4 }),
      ]);
      expect(reports[0]?.destinationRows).toBe(4);
      expect(warnings).toEqual([expect.stringMatching(/"fp"\."queries".*binary.*text/)]);
      // The source connection is usable again, inside its snapshot, and the staged rows are exact.
      const staged = await destination.client.query<{ x: string }>(
        `SELECT string_agg(concat_ws(' ', id, q, n), ',' ORDER BY id) AS x FROM "_pgsync_stage_0a1b2c3d_1".queries`,
      );
      const original = await source.client.query<{ x: string }>(
        "SELECT string_agg(concat_ws(' ', id, q, n), ',' ORDER BY id) AS x FROM fp.queries",
      );
      expect(staged.rows[0]?.x).toBe(original.rows[0]?.x);
      expect(original.rows[0]?.x).toContain("2  2");
    } finally {
      await Promise.allSettled([source.close(), destination.close()]);
    }
  });
});
