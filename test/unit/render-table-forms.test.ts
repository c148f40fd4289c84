import { describe, expect, it } from "vitest";
import { attachIndex, tableIndexMarks } from "../../src/ddl/render/index-marks.js";
import { createSequence, createTable, tableAlterations, tableLookup } from "../../src/ddl/render/tables.js";
import type { Column, Sequence, SequenceOptions, Table } from "../../src/introspect/model.js";
import { contextFor, MAJORS, STAGE } from "./render-fixture.js";

const OPTIONS: SequenceOptions = {
  dataType: "bigint",
  start: "1",
  increment: "1",
  min: "1",
  max: "9223372036854775807",
  cache: "1",
  cycle: false,
};
const CLAUSES = "START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1 NO CYCLE";

const column = (name: string, type: string, more: Partial<Column> = {}): Column => ({
  name,
  position: 1,
  type,
  typeOid: 0,
  binarySafe: true,
  notNull: false,
  ...more,
});
const table = (name: string, columns: Column[], more: Partial<Table> = {}): Table => ({
  oid: 1,
  schema: "app",
  name,
  persistence: "permanent",
  columns,
  allColumns: columns,
  options: [],
  inherits: [],
  rowSecurity: false,
  forceRowSecurity: false,
  bytes: 0,
  estimatedRows: 0,
  ...more,
});
const sequence = (name: string, persistence: Sequence["persistence"]): Sequence => ({
  oid: 2,
  schema: "app",
  name,
  options: OPTIONS,
  persistence,
  lastValue: null,
  isIdentity: false,
});

describe("sequences, by destination major", () => {
  it.each(MAJORS)("PostgreSQL %i: an unlogged sequence is UNLOGGED from 15 on, logged before", (major) => {
    const ctx = contextFor(major);
    expect(createSequence(sequence("orders_id_seq", "unlogged"), ctx)).toBe(
      `CREATE ${major >= 15 ? "UNLOGGED " : ""}SEQUENCE ${STAGE}."orders_id_seq" AS bigint ${CLAUSES}`,
    );
    expect(createSequence(sequence("orders_id_seq", "permanent"), ctx)).toBe(
      `CREATE SEQUENCE ${STAGE}."orders_id_seq" AS bigint ${CLAUSES}`,
    );
  });

  it.each(MAJORS)(
    "PostgreSQL %i: an identity sequence set LOGGED in an unlogged table is set again from 15 on",
    (major) => {
      const t = table(
        "orders",
        [
          column("id", "bigint", {
            identity: {
              kind: "always",
              sequence: { schema: "app", name: "orders_id_seq" },
              options: OPTIONS,
            },
          }),
        ],
        { persistence: "unlogged" },
      );
      const lookup = tableLookup({ tables: [t], sequences: [sequence("orders_id_seq", "permanent")] });
      expect(tableAlterations(t, contextFor(major), lookup)).toEqual(
        major >= 15 ? [`ALTER SEQUENCE ${STAGE}."orders_id_seq" SET LOGGED`] : [],
      );
    },
  );
});

// The rest renders the same on every supported major.
describe.each(MAJORS)("table forms, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);
  const parent = table("events", [column("at", "date", { notNull: true }), column("region", "text")], {
    oid: 10,
    partitionKey: "LIST (region)",
  });

  it("creates a partition with PARTITION OF, then sets the default it has and its parent lacks", () => {
    const columns = [
      column("at", "date", { notNull: true }),
      column("region", "text", { defaultExpr: "'eu'::text" }),
    ];
    const eu = table("events_eu", [], {
      allColumns: columns,
      partitionOf: { parent: { schema: "app", name: "events" }, bound: "FOR VALUES IN ('eu')" },
    });
    const lookup = tableLookup({ tables: [parent, eu], sequences: [] });
    expect(createTable(eu, ctx, lookup)).toBe(
      `CREATE TABLE ${STAGE}."events_eu" PARTITION OF ${STAGE}."events" FOR VALUES IN ('eu')`,
    );
    expect(tableAlterations(eu, ctx, lookup)).toEqual([
      `ALTER TABLE ${STAGE}."events_eu" ALTER COLUMN "region" SET DEFAULT 'eu'::text`,
    ]);
  });

  it("creates a partition whose column order differs on its own, then attaches it", () => {
    const columns = [column("region", "text"), column("at", "date", { notNull: true })];
    const odd = table("events_odd", [], {
      allColumns: columns,
      partitionOf: { parent: { schema: "app", name: "events" }, bound: "FOR VALUES IN ('x')" },
    });
    const lookup = tableLookup({ tables: [parent, odd], sequences: [] });
    expect(createTable(odd, ctx, lookup)).toBe(
      `CREATE TABLE ${STAGE}."events_odd" (\n  "region" text,\n  "at" date NOT NULL\n)`,
    );
    expect(tableAlterations(odd, ctx, lookup)).toEqual([
      `ALTER TABLE ${STAGE}."events" ATTACH PARTITION ${STAGE}."events_odd" FOR VALUES IN ('x')`,
    ]);
  });

  it("sets storage, compression, statistics and attribute options in one ALTER TABLE", () => {
    const t = table("docs", [
      column("body", "text", {
        storage: { kind: "external", typeDefault: "extended" },
        compression: "lz4",
        statisticsTarget: 500,
        options: ["n_distinct=-1"],
      }),
      column("plain", "text", { storage: { kind: "extended", typeDefault: "extended" } }),
    ]);
    expect(tableAlterations(t, ctx, tableLookup({ tables: [t], sequences: [] }))).toEqual([
      `ALTER TABLE ${STAGE}."docs" ALTER COLUMN "body" SET STORAGE EXTERNAL, ALTER COLUMN "body" SET COMPRESSION lz4, ALTER COLUMN "body" SET STATISTICS 500, ALTER COLUMN "body" SET (n_distinct=-1)`,
    ]);
  });

  it("creates a typed table with its column options, and a table with an access method and TOAST options", () => {
    const typed = table(
      "pairs",
      [column("a", "integer", { notNull: true, defaultExpr: "0" }), column("b", "integer")],
      {
        ofType: "app.pair",
      },
    );
    expect(createTable(typed, ctx)).toBe(
      `CREATE TABLE ${STAGE}."pairs" OF ${STAGE}.pair (\n  "a" WITH OPTIONS DEFAULT 0 NOT NULL\n)`,
    );
    const t = table("blobs", [column("b", "bytea")], {
      accessMethod: "heap2",
      options: ["fillfactor=70"],
      toastOptions: ["autovacuum_enabled=false"],
    });
    expect(createTable(t, ctx)).toBe(
      `CREATE TABLE ${STAGE}."blobs" (\n  "b" bytea\n) USING "heap2" WITH (fillfactor=70, toast.autovacuum_enabled=false)`,
    );
  });

  it("marks replica identity and the clustered index, and attaches a partition's index", () => {
    const t = table("orders", [], {
      replicaIdentity: { kind: "index", index: "orders_code_key" },
      clusterOn: "orders_pkey",
    });
    expect(tableIndexMarks(t, ctx)).toEqual([
      `ALTER TABLE ${STAGE}."orders" REPLICA IDENTITY USING INDEX "orders_code_key"`,
      `ALTER TABLE ${STAGE}."orders" CLUSTER ON "orders_pkey"`,
    ]);
    expect(tableIndexMarks({ ...t, replicaIdentity: { kind: "full" }, clusterOn: undefined }, ctx)).toEqual([
      `ALTER TABLE ${STAGE}."orders" REPLICA IDENTITY FULL`,
    ]);
    expect(
      tableIndexMarks({ ...t, replicaIdentity: { kind: "nothing" }, clusterOn: undefined }, ctx),
    ).toEqual([`ALTER TABLE ${STAGE}."orders" REPLICA IDENTITY NOTHING`]);
    const index = {
      oid: 3,
      table: { schema: "app", name: "events_eu" },
      tableOid: 4,
      name: "events_eu_at_idx",
      definition: "",
    };
    expect(attachIndex(index, { schema: "app", name: "events_at_idx" }, ctx).sql).toBe(
      `ALTER INDEX ${STAGE}."events_at_idx" ATTACH PARTITION ${STAGE}."events_eu_at_idx"`,
    );
  });
});
