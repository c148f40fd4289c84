/**
 * The classes of difference that PostgreSQL's regression database showed (test/regression-fidelity
 * .test.ts), each on its own small source: the names of the constraints a partitioned foreign key
 * makes for partitions, members added to a built-in operator family, and global default privileges
 * that take a role's own privilege away. Judged by plain pg_catalog queries on both sides.
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { expectRefused, fixturePairs, lines, samePlusDown, sync } from "./helpers/fidelity.js";
import { createRole } from "./helpers/pg-servers.js";

const pair = fixturePairs();

// A partition attached with a foreign key of its own keeps that key's name; a partition whose own
// key differs (ON DELETE SET NULL) gets one more from its parent; a detached partition of the
// referenced table leaves a gap in the numbers the server gave its constraints.
const PARTITIONED_KEYS = `
CREATE SCHEMA fp;
CREATE TABLE fp.pk (a int PRIMARY KEY, b int, UNIQUE (a, b));
INSERT INTO fp.pk SELECT g, g FROM generate_series(1, 20) g;
CREATE TABLE fp.fk (a int, b int, FOREIGN KEY (a, b) REFERENCES fp.pk (a, b) ON DELETE CASCADE) PARTITION BY LIST (a);
CREATE TABLE fp.fk_1 PARTITION OF fp.fk FOR VALUES IN (1, 2);
CREATE TABLE fp.fk_4 (a int, b int, FOREIGN KEY (a, b) REFERENCES fp.pk (a, b) ON DELETE CASCADE) PARTITION BY RANGE (b);
CREATE TABLE fp.fk_4_1 PARTITION OF fp.fk_4 FOR VALUES FROM (0) TO (5);
CREATE TABLE fp.fk_4_2 (a int, b int, FOREIGN KEY (a, b) REFERENCES fp.pk (a, b) ON DELETE SET NULL);
ALTER TABLE fp.fk_4 ATTACH PARTITION fp.fk_4_2 FOR VALUES FROM (5) TO (10);
ALTER TABLE fp.fk ATTACH PARTITION fp.fk_4 FOR VALUES IN (3, 4, 5, 6);
INSERT INTO fp.fk VALUES (1, 1), (3, 3), (5, 5);
CREATE TABLE fp.droppk (a int PRIMARY KEY) PARTITION BY RANGE (a);
CREATE TABLE fp.droppk1 PARTITION OF fp.droppk FOR VALUES FROM (0) TO (1000);
CREATE TABLE fp.droppk2 PARTITION OF fp.droppk FOR VALUES FROM (1000) TO (2000) PARTITION BY RANGE (a);
CREATE TABLE fp.droppk21 PARTITION OF fp.droppk2 FOR VALUES FROM (1000) TO (1400);
CREATE TABLE fp.droppk2_d PARTITION OF fp.droppk2 DEFAULT;
CREATE TABLE fp.droppk_d PARTITION OF fp.droppk DEFAULT;
INSERT INTO fp.droppk VALUES (1), (1500), (2500);
CREATE TABLE fp.dropfk (a int REFERENCES fp.droppk);
INSERT INTO fp.dropfk VALUES (1), (1500), (2500);
ALTER TABLE fp.droppk2 DETACH PARTITION fp.droppk21;
DROP TABLE fp.droppk21;
`;

const FOREIGN_KEYS = `
  SELECT c.conrelid::regclass || ' ' || c.conname || ' -> ' || c.confrelid::regclass
         || ' parent=' || coalesce((SELECT p.conrelid::regclass || '.' || p.conname FROM pg_constraint p WHERE p.oid = c.conparentid), '-')
         || ' local=' || c.conislocal || ' inherited=' || c.coninhcount || ' ' || pg_get_constraintdef(c.oid) AS x
  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
  WHERE n.nspname = 'fp' AND c.contype = 'f' ORDER BY 1`;

const FAMILY_MEMBERS = `
  CREATE SCHEMA fp;
  CREATE FUNCTION fp.text_int_eq(text, int) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1 = $2::text';
  CREATE FUNCTION fp.text_int_cmp(text, int) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS 'SELECT bttextcmp($1, $2::text)';
  CREATE OPERATOR fp.= (LEFTARG = text, RIGHTARG = int, FUNCTION = fp.text_int_eq);
  ALTER OPERATOR FAMILY pg_catalog.text_ops USING btree
    ADD OPERATOR 3 fp.= (text, int), FUNCTION 1 (text, int) fp.text_int_cmp(text, int);
  CREATE TABLE fp.t (id int);`;

const MEMBERS = `
  SELECT f.opfname || ' ' || am.amname || ' ' || o.amopstrategy || ' ' || o.amopopr::regoperator AS x
  FROM pg_amop o JOIN pg_opfamily f ON f.oid = o.amopfamily JOIN pg_am am ON am.oid = f.opfmethod
  JOIN pg_operator op ON op.oid = o.amopopr JOIN pg_namespace n ON n.oid = op.oprnamespace WHERE n.nspname = 'fp'
  UNION ALL
  SELECT f.opfname || ' ' || am.amname || ' ' || p.amprocnum || ' ' || p.amproc::regprocedure
  FROM pg_amproc p JOIN pg_opfamily f ON f.oid = p.amprocfamily JOIN pg_am am ON am.oid = f.opfmethod
  JOIN pg_proc pr ON pr.oid = p.amproc JOIN pg_namespace n ON n.oid = pr.pronamespace WHERE n.nspname = 'fp'
  ORDER BY 1`;

const DEFAULT_ACLS = `
  SELECT d.defaclrole::regrole || ' ' || d.defaclobjtype::text || ' ' || d.defaclnamespace || ' ' || d.defaclacl::text AS x
  FROM pg_default_acl d WHERE d.defaclrole::regrole::text LIKE 'pg\\_%' ORDER BY 1`;

describe.each(samePlusDown())("%i -> %i", (from, to) => {
  it("regression: the constraints a partitioned foreign key makes for partitions keep the source's names", async () => {
    const { src, dst } = await pair(from, to, PARTITIONED_KEYS);
    await sync(src, dst);
    const expected = await lines(src, FOREIGN_KEYS);
    expect(await lines(dst, FOREIGN_KEYS)).toEqual(expected);
    // Not vacuous: names the server would not give a copy made from scratch.
    expect(expected.join("\n")).toContain("fp.fk_4 fk_4_a_b_fkey -> fp.pk parent=fp.fk.fk_a_b_fkey");
    // (18 names them dropfk_a_fkey_5, 14-17 dropfk_a_fkey5.)
    expect(expected.join("\n")).toMatch(/fp\.dropfk dropfk_a_fkey_?5 -> fp\.droppk_d /);
    // A second run renames the new clones although the previous copy's are still in the snapshot.
    await sync(src, dst);
    expect(await lines(dst, FOREIGN_KEYS)).toEqual(expected);
  });

  it("regression: members added to a built-in operator family are carried", async () => {
    const { src, dst } = await pair(from, to, FAMILY_MEMBERS);
    await sync(src, dst);
    expect(await lines(dst, MEMBERS)).toEqual(await lines(src, MEMBERS));
    expect(await lines(src, MEMBERS)).toEqual([
      "text_ops btree 1 fp.text_int_cmp(text,integer)",
      "text_ops btree 3 fp.=(text,integer)",
    ]);
  });

  it("regression: global default privileges that take a role's own privilege away are kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp; CREATE TABLE fp.t (id int);
       ALTER DEFAULT PRIVILEGES FOR ROLE pg_signal_backend REVOKE USAGE ON TYPES FROM pg_signal_backend;
       ALTER DEFAULT PRIVILEGES FOR ROLE pg_read_all_settings REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;`,
    );
    const report = await runSync({ sourceUrl: src, destinationUrl: dst, includePrivileges: true });
    expect(report.error).toBeUndefined();
    expect(await lines(dst, DEFAULT_ACLS)).toEqual(await lines(src, DEFAULT_ACLS));
    expect(await lines(src, DEFAULT_ACLS)).toHaveLength(2);
  });
});

describe.each(samePlusDown().slice(0, 1))("%i -> %i", (from, to) => {
  it("regression: members added to a built-in operator family are refused for a role that is no superuser", async () => {
    const { src, fresh } = await pair(from, to, FAMILY_MEMBERS);
    const role = await createRole(to, "pgsync_family_owner", { password: "family-Pa55" });
    const destination = await fresh(to, { owner: role.name });
    const dst = role.url(destination.name);
    const report = await runSync({ sourceUrl: src, destinationUrl: dst });
    await expectRefused(report, dst, [/operator family .*text_ops.* USING btree/, /fp\.=\(text, integer\)/]);
    expect(await lines(destination.url, MEMBERS)).toEqual([]);
  });
});
