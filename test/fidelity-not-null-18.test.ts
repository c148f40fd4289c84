/**
 * PostgreSQL 18 stores a table's NOT NULL as a named constraint (pg_constraint, contype 'n'), which
 * can be NOT VALID (added with ALTER TABLE ... ADD CONSTRAINT ... NOT NULL ... NOT VALID over rows
 * that still hold NULLs) or NO INHERIT. Judged by plain pg_catalog queries on both sides.
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { verifyDatabases } from "../src/verify/compare.js";
import { expectSame, fixturePairs, IN_FP, lines, pairsWhere, sync } from "./helpers/fidelity.js";

const pair = fixturePairs();

const FIXTURE = `CREATE SCHEMA fp;
  CREATE TABLE fp.people (id int CONSTRAINT people_id_required NOT NULL, email text, nick text, code text NOT NULL);
  INSERT INTO fp.people VALUES (1, 'a@example.com', NULL, 'x'), (2, NULL, 'b', 'y');
  ALTER TABLE fp.people ADD CONSTRAINT people_email_nn NOT NULL email NOT VALID;
  CREATE TABLE fp.base (id int, tag text);
  ALTER TABLE fp.base ADD CONSTRAINT base_tag_nn NOT NULL tag NO INHERIT;
  CREATE TABLE fp.kid () INHERITS (fp.base);
  INSERT INTO fp.kid VALUES (1, NULL);`;

/** Each NOT NULL constraint of the fp tables, with what 18 records of it. */
const NOT_NULLS = `
  SELECT c.relname || '.' || a.attname || ' ' || co.conname || ' valid=' || co.convalidated
         || ' noinherit=' || co.connoinherit || ' local=' || co.conislocal || ' attnotnull=' || a.attnotnull AS x
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1]
  WHERE co.contype = 'n' AND ${IN_FP} ORDER BY 1`;

/** Whether each fp column takes a NULL (a NOT VALID NOT NULL rejects new NULLs, like a valid one). */
const COLUMNS = `
  SELECT c.relname || '.' || a.attname || ' attnotnull=' || a.attnotnull AS x
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND ${IN_FP} ORDER BY 1`;

const ROWS =
  "SELECT t::text AS x FROM fp.people t UNION ALL SELECT 'kid ' || k::text FROM ONLY fp.kid k ORDER BY 1";

describe.each(pairsWhere((from, to) => from >= 18 && to >= 18))("%i -> %i", (from, to) => {
  it("named, NOT VALID and NO INHERIT NOT NULL constraints are carried with their rows", async () => {
    const { src, dst } = await pair(from, to, FIXTURE);
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [NOT_NULLS, ROWS],
      [
        "people.email people_email_nn valid=false noinherit=false local=true attnotnull=true",
        "people.id people_id_required valid=true noinherit=false local=true attnotnull=true",
        "base.tag base_tag_nn valid=true noinherit=true local=true attnotnull=true",
      ],
    );
  });
});

describe.each(pairsWhere((from, to) => from >= 18 && to < 18))("%i -> %i", (from, to) => {
  it("a NOT VALID NOT NULL becomes a NOT VALID CHECK, the rows that break it copied", async () => {
    const { src, dst } = await pair(from, to, FIXTURE);
    const report = await runSync({ sourceUrl: src, destinationUrl: dst, parallelism: 2 });
    expect(report.error).toBeUndefined();
    expect(report.warnings.join("\n")).toMatch(/"fp"\."people"\."email".*NOT VALID.*CHECK/);
    expect(await lines(dst, ROWS)).toEqual(await lines(src, ROWS));
    expect(await lines(dst, COLUMNS)).toContain("people.email attnotnull=false");
    expect(
      await lines(
        dst,
        `SELECT conname || ' ' || pg_get_constraintdef(oid) || ' valid=' || convalidated AS x
         FROM pg_constraint WHERE conrelid = 'fp.people'::regclass AND contype = 'c'`,
      ),
    ).toEqual(["people_email_nn CHECK ((email IS NOT NULL)) NOT VALID valid=false"]);
    // verify compares NOT NULL itself between 18 and older servers, and shows the rewrites as they are.
    const verified = await verifyDatabases({ sourceUrl: src, destinationUrl: dst });
    expect(verified.differences).toEqual([
      'table "fp"."base": columns["tag"].notNull differs: source true; destination false',
      expect.stringMatching(/^constraint "base_tag_nn" on "fp"\."base": exists only on the destination/),
      expect.stringMatching(
        /^constraint "people_email_nn" on "fp"\."people": exists only on the destination/,
      ),
    ]);
  });
});
