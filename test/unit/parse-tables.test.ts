/** Sequences, tables, columns and constraints: raw rows through the parsers into domain objects. */
import { describe, expect, it } from "vitest";
import type { Sequence } from "../../src/introspect/model.js";
import { parseColumn, parseConstraint, parseSequence, parseTable } from "../../src/introspect/parse.js";
import { ConstraintRow } from "../../src/introspect/queries/constraints.js";
import { BIGINT_OPTIONS, columnRow, sequenceRow, tableRow } from "./parse-rows.js";

describe("parseSequence", () => {
  it("decodes a sequence owned by a column (OWNED BY), with its value", () => {
    expect(parseSequence(sequenceRow())).toStrictEqual({
      oid: 16390,
      schema: "app",
      name: "orders_id_seq",
      options: BIGINT_OPTIONS,
      persistence: "permanent",
      lastValue: "42",
      isIdentity: false,
      ownedBy: { table: { schema: "app", name: "orders" }, column: "id" },
    });
  });

  it("marks an identity sequence (an internal dependency) and keeps a never-called one's value null", () => {
    const s = parseSequence(sequenceRow({ owner_dep: "i", last_value: null }));
    expect(s.isIdentity).toBe(true);
    expect(s.lastValue).toBeNull();
  });

  it("decodes an unlogged sequence, and a permanent one when the server has no such column (before 15)", () => {
    expect(parseSequence(sequenceRow({ persistence: "u" })).persistence).toBe("unlogged");
    expect(parseSequence(sequenceRow()).persistence).toBe("permanent");
  });

  it("leaves ownedBy out for a free-standing sequence", () => {
    const s = parseSequence(
      sequenceRow({ owner_dep: null, owner_schema: null, owner_table: null, owner_column: null }),
    );
    expect(s).not.toHaveProperty("ownedBy");
    expect(s.isIdentity).toBe(false);
  });
});

describe("parseTable and parseColumn", () => {
  const identitySequence: Sequence = {
    ...parseSequence(sequenceRow({ owner_dep: "i" })),
    oid: 16399,
  };
  const sequences = new Map([[16399, identitySequence]]);

  it("decodes identity, generated, default and collated columns, and keeps inherited ones apart", () => {
    const columns = [
      columnRow({
        position: 1,
        name: "id",
        type: "bigint",
        type_oid: 20,
        not_null: true,
        identity: "a",
        identity_sequence_oid: 16399,
      }),
      columnRow({
        position: 2,
        name: "total",
        type: "numeric(12,2)",
        type_oid: 1700,
        generated: "s",
        default_expr: "(qty * price)",
      }),
      columnRow({
        position: 3,
        name: "note",
        type: "text",
        collation_schema: "pg_catalog",
        collation_name: "C",
        default_expr: "'none'::text",
      }),
      columnRow({
        position: 4,
        name: "created",
        type: "timestamp with time zone",
        type_oid: 1184,
        is_local: false,
      }),
    ];
    const t = parseTable(tableRow(), columns, sequences);
    expect(t.allColumns.map((c) => c.name)).toEqual(["id", "total", "note", "created"]);
    expect(t.columns.map((c) => c.name)).toEqual(["id", "total", "note"]);
    expect(t.allColumns).toStrictEqual([
      {
        name: "id",
        position: 1,
        type: "bigint",
        typeOid: 20,
        binarySafe: true,
        notNull: true,
        identity: {
          kind: "always",
          sequence: { schema: "app", name: "orders_id_seq" },
          options: BIGINT_OPTIONS,
        },
      },
      {
        name: "total",
        position: 2,
        type: "numeric(12,2)",
        typeOid: 1700,
        binarySafe: true,
        notNull: false,
        generated: { kind: "stored", expr: "(qty * price)" },
      },
      {
        name: "note",
        position: 3,
        type: "text",
        typeOid: 25,
        binarySafe: true,
        notNull: false,
        collation: { schema: "pg_catalog", name: "C" },
        defaultExpr: "'none'::text",
      },
      {
        name: "created",
        position: 4,
        type: "timestamp with time zone",
        typeOid: 1184,
        binarySafe: true,
        notNull: false,
      },
    ]);
  });

  it("reads the size from an int8 string and a never-analyzed table's -1 estimate as 0 rows", () => {
    const t = parseTable(tableRow({ bytes: "123456789012", estimated_rows: -1 }), [], sequences);
    expect(t.bytes).toBe(123456789012);
    expect(t.estimatedRows).toBe(0);
  });

  it("decodes an unlogged table with options, row security forced", () => {
    const t = parseTable(
      tableRow({
        persistence: "u",
        options: ["fillfactor=70"],
        row_security: true,
        force_row_security: true,
      }),
      [],
      sequences,
    );
    expect([t.persistence, t.options, t.rowSecurity, t.forceRowSecurity]).toEqual([
      "unlogged",
      ["fillfactor=70"],
      true,
      true,
    ]);
  });

  it("gives a partition its parent and bound, and no INHERITS; a partitioned table its key", () => {
    const bound = "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')";
    const part = parseTable(
      tableRow({
        name: "events_2024",
        is_partition: true,
        parents: [{ schema: "app", name: "events" }],
        partition_bound: bound,
      }),
      [],
      sequences,
    );
    expect(part.partitionOf).toEqual({ parent: { schema: "app", name: "events" }, bound });
    expect(part.inherits).toEqual([]);
    const parent = parseTable(
      tableRow({ name: "events", kind: "p", partition_key: "RANGE (at)" }),
      [],
      sequences,
    );
    expect(parent.partitionKey).toBe("RANGE (at)");
    expect(parent).not.toHaveProperty("partitionOf");
  });

  it("gives an inheritance child every parent, in order, and no partitionOf", () => {
    const parents = [
      { schema: "app", name: "base" },
      { schema: "other", name: "audit" },
    ];
    const child = parseTable(tableRow({ name: "child", parents }), [], sequences);
    expect(child.inherits).toEqual(parents);
    expect(child).not.toHaveProperty("partitionOf");
  });

  it("decodes a by-default identity and a virtual generated column", () => {
    const byDefault = parseColumn(
      { schema: "app", name: "orders" },
      columnRow({ position: 1, name: "id", type: "bigint", identity: "d", identity_sequence_oid: 16399 }),
      sequences,
    );
    expect(byDefault.identity?.kind).toBe("by default");
    const virtual = parseColumn(
      { schema: "app", name: "orders" },
      columnRow({ position: 2, name: "v", type: "integer", generated: "v", default_expr: "(a + 1)" }),
      sequences,
    );
    expect(virtual.generated).toEqual({ kind: "virtual", expr: "(a + 1)" });
  });

  it("refuses an identity column whose sequence was not read, naming the column", () => {
    expect(() =>
      parseColumn(
        { schema: "app", name: "orders" },
        columnRow({ position: 1, name: "id", type: "bigint", identity: "a", identity_sequence_oid: 99 }),
        sequences,
      ),
    ).toThrow(/"app"\."orders"\."id".*identity column without its sequence/);
  });
});

describe("parseConstraint", () => {
  const row = (over: Record<string, unknown>) =>
    ConstraintRow.parse({
      oid: 16500,
      table_oid: 16400,
      schema: "app",
      table_name: "orders",
      name: "c",
      definition: "",
      referenced_table_oid: 0,
      ...over,
    });

  it("decodes the kind and keeps the referenced table of a foreign key only", () => {
    const fk = parseConstraint(
      row({
        kind: "f",
        definition: "FOREIGN KEY (customer) REFERENCES app.customers(id)",
        referenced_table_oid: 16401,
      }),
    );
    expect(fk.kind).toBe("foreign key");
    expect(fk.referencedTableOid).toBe(16401);
    const pk = parseConstraint(row({ kind: "p", definition: "PRIMARY KEY (id)" }));
    expect(pk).toStrictEqual({
      oid: 16500,
      table: { schema: "app", name: "orders" },
      tableOid: 16400,
      name: "c",
      kind: "primary key",
      definition: "PRIMARY KEY (id)",
    });
    expect(["u", "c", "x"].map((kind) => parseConstraint(row({ kind })).kind)).toEqual([
      "unique",
      "check",
      "exclusion",
    ]);
  });
});
