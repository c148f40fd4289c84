/**
 * Version rules of the fidelity issue (section 3, point 28): what a destination of another major
 * cannot hold is refused in the plan step, before anything is written, naming every object; what it
 * can hold is carried. Judged by the run's report and plain pg_catalog queries on both sides.
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { expectRefused, expectSame, fixturePairs, IN_FP, pairsWhere, sync } from "./helpers/fidelity.js";

const pair = fixturePairs();

const refuse = async (src: string, dst: string) =>
  runSync({ sourceUrl: src, destinationUrl: dst, parallelism: 2 });

describe.each(pairsWhere((from, to) => from >= 16 && to <= 15))("%i -> %i", (from, to) => {
  it("12.28 an inheritance child's own generation expression (16 and later) is refused for 14 and 15", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.gparent (a int, b int GENERATED ALWAYS AS (a * 2) STORED);
       CREATE TABLE fp.gkid (b int GENERATED ALWAYS AS (a * 3) STORED) INHERITS (fp.gparent);
       CREATE TABLE fp.gsame (b int GENERATED ALWAYS AS (a * 2) STORED) INHERITS (fp.gparent);`,
    );
    const report = await refuse(src, dst);
    await expectRefused(report, dst, [/column "fp"\."gkid"\."b": .*PostgreSQL 16/]);
    expect(String(report.error?.message)).not.toContain('"gsame"');
  });

  it("12.28 a view that XMLSERIALIZE prints with NO INDENT (16 and later) is carried to 14 and 15", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE VIEW fp.plain_xml AS SELECT xmlserialize(CONTENT '<a><b/></a>'::xml AS text) AS x, 'NO INDENT'::text AS label;`,
    );
    await sync(src, dst);
    // The one difference: 14 and 15 print the view without NO INDENT (docs/schema.md, "Rewrites").
    await expectSame(
      src,
      dst,
      ["SELECT x || ' ' || label AS x FROM fp.plain_xml"],
      ["<a><b/></a> NO INDENT"],
      (line) => line.replace(" AS text NO INDENT)", " AS text)"),
    );
  });

  it("12.28 a view with XMLSERIALIZE ... INDENT is refused for 14 and 15", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE VIEW fp.pretty_xml AS SELECT xmlserialize(CONTENT '<a><b/></a>'::xml AS text INDENT) AS x;
       CREATE MATERIALIZED VIEW fp.pretty_m AS SELECT xmlserialize(DOCUMENT '<a><b/></a>'::xml AS text INDENT) AS x;`,
    );
    const report = await refuse(src, dst);
    await expectRefused(report, dst, [
      /view "fp"\."pretty_xml": .*INDENT/,
      /materialized view "fp"\."pretty_m": .*INDENT/,
    ]);
  });
});

describe.each(pairsWhere((from, to) => from <= 15 && to >= 16))("%i -> %i", (from, to) => {
  it("12.28 a generated child column under a plain parent column (14, 15) is refused for 16 and later", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.pparent (a int, b int);
       CREATE TABLE fp.pkid (b int GENERATED ALWAYS AS (a * 2) STORED) INHERITS (fp.pparent);`,
    );
    const report = await refuse(src, dst);
    await expectRefused(report, dst, [/column "fp"\."pkid"\."b": .*PostgreSQL 16/]);
  });
});

describe.each(pairsWhere((from, to) => from >= 15 && to === 14))("%i -> %i", (from, to) => {
  it("12.28 numeric with a negative scale is refused for 14", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.rounded (id int, n numeric(5,-2), ns numeric(3,-1)[]);
       CREATE DOMAIN fp.hundreds AS numeric(4,-2);
       CREATE TYPE fp.money_pair AS (amount numeric(6,-3), currency text);`,
    );
    const report = await refuse(src, dst);
    await expectRefused(report, dst, [
      /column "fp"\."rounded"\."n": numeric with a negative scale needs PostgreSQL 15/,
      /column "fp"\."rounded"\."ns": /,
      /domain "fp"\."hundreds": /,
      /type "fp"\."money_pair": /,
    ]);
    expect(String(report.error?.message)).not.toContain('"id"');
  });

  it("12.28 unlogged sequences are refused for 14", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE UNLOGGED SEQUENCE fp.tickets;
       CREATE SEQUENCE fp.logged_one;`,
    );
    const report = await refuse(src, dst);
    await expectRefused(report, dst, [/sequence "fp"\."tickets": unlogged sequences needs PostgreSQL 15/]);
    expect(String(report.error?.message)).not.toContain("logged_one");
  });

  it("12.28 the sequences of an unlogged table become logged on 14, and the run says so", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE UNLOGGED TABLE fp.scratch (id int GENERATED ALWAYS AS IDENTITY, n serial);
       INSERT INTO fp.scratch DEFAULT VALUES;`,
    );
    const report = await sync(src, dst);
    for (const sequence of ["scratch_id_seq", "scratch_n_seq"])
      expect(
        report.warnings.some((w) => w.includes(`"fp"."${sequence}"`) && w.includes("unlogged")),
        sequence,
      ).toBe(true);
  });
});

describe.each(pairsWhere((from, to) => to === 14 && from >= 15))("%i -> %i", (from, to) => {
  it("NULLS NOT DISTINCT is read from pg_index: a CHECK that merely mentions it is not refused for 14", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.words (w text CONSTRAINT words_w_check CHECK (w <> 'UNIQUE NULLS NOT DISTINCT'));
       INSERT INTO fp.words VALUES ('a');`,
    );
    await sync(src, dst);
    const constraints = `SELECT co.conname || ' ' || pg_get_constraintdef(co.oid) AS x FROM pg_constraint co
      JOIN pg_namespace n ON n.oid = co.connamespace WHERE co.contype = 'c' AND ${IN_FP} ORDER BY 1`;
    await expectSame(src, dst, [constraints], ["NULLS NOT DISTINCT"]);
  });
});
