import { describe, expect, it } from "vitest";
import { keyColumns, keyIndex } from "../../src/ddl/plan/key-index.js";
import { addConstraint, createIndex } from "../../src/ddl/plan/statements.js";
import type { Constraint } from "../../src/introspect/model.js";
import { contextFor, STAGE } from "./render-fixture.js";

const ctx = contextFor(17);

const key = (kind: Constraint["kind"], name: string, definition: string, more: Partial<Constraint> = {}) =>
  ({
    oid: 1,
    table: { schema: "app", name: "orders" },
    tableOid: 10,
    name,
    kind,
    definition,
    index: name,
    ...more,
  }) as Constraint;

describe("a key built as its index, then attached", () => {
  it("renders a primary key's index with the constraint's name and storage parameters, and the attach", () => {
    const built = keyIndex(
      key("primary key", "orders_pkey", "PRIMARY KEY (id)", { indexOptions: ["fillfactor=70"] }),
      ctx,
    );
    expect(built?.index.sql).toBe(
      `CREATE UNIQUE INDEX "orders_pkey" ON ${STAGE}."orders" USING btree ("id") WITH (fillfactor=70)`,
    );
    expect(built?.attach.sql).toBe(
      `ALTER TABLE ${STAGE}."orders" ADD CONSTRAINT "orders_pkey" PRIMARY KEY USING INDEX "orders_pkey"`,
    );
    expect(built?.index.build).toEqual({ kind: "index", method: "btree" });
    expect(built?.attach.build).toEqual({ kind: "attach" });
  });

  it("keeps INCLUDE, NULLS NOT DISTINCT, quoted names and the deferral clauses", () => {
    const built = keyIndex(
      key(
        "unique",
        'Odd "k"',
        'UNIQUE NULLS NOT DISTINCT ("Mixed Case", b) INCLUDE (c) DEFERRABLE INITIALLY DEFERRED',
      ),
      ctx,
    );
    expect(built?.index.sql).toBe(
      `CREATE UNIQUE INDEX "Odd ""k""" ON ${STAGE}."orders" USING btree ("Mixed Case", "b") INCLUDE ("c") NULLS NOT DISTINCT`,
    );
    expect(built?.attach.sql).toBe(
      `ALTER TABLE ${STAGE}."orders" ADD CONSTRAINT "Odd ""k""" UNIQUE USING INDEX "Odd ""k""" DEFERRABLE INITIALLY DEFERRED`,
    );
  });

  it("leaves to ADD CONSTRAINT what USING INDEX cannot take: a temporal key, an exclusion constraint, a CHECK", () => {
    expect(
      keyIndex(key("primary key", "k", "PRIMARY KEY (id, during WITHOUT OVERLAPS)"), ctx),
    ).toBeUndefined();
    expect(keyIndex(key("unique", "k", "UNIQUE (id) SOMETHING NEW"), ctx)).toBeUndefined();
    expect(keyIndex(key("exclusion", "k", "EXCLUDE USING gist (during WITH &&)"), ctx)).toBeUndefined();
    expect(keyIndex(key("check", "k", "CHECK ((id > 0))"), ctx)).toBeUndefined();
    expect(addConstraint(key("exclusion", "k", "EXCLUDE USING gist (during WITH &&)"), ctx).build).toEqual({
      kind: "key",
      method: "gist",
    });
    expect(addConstraint(key("check", "k", "CHECK ((id > 0))"), ctx).build).toEqual({ kind: "check" });
  });

  it("reads a key's columns, and an index's access method from its definition, not from names that say USING", () => {
    expect(keyColumns(key("primary key", "k", 'PRIMARY KEY (a, "B c")'))).toEqual(["a", "B c"]);
    expect(keyColumns(key("check", "k", "CHECK ((a > 0))"))).toBeUndefined();
    const index = (definition: string) =>
      createIndex(
        { oid: 2, table: { schema: "app", name: "orders" }, tableOid: 10, name: "i", definition },
        ctx,
      ).build;
    expect(index(`CREATE INDEX i ON app."USING btree (" USING gin (doc)`)).toEqual({
      kind: "index",
      method: "gin",
      columns: ["doc"],
      opclasses: [""],
    });
    expect(index("CREATE INDEX i ON app.orders USING gin (doc pg_catalog.jsonb_path_ops, tags)")).toEqual({
      kind: "index",
      method: "gin",
      columns: ["doc", "tags"],
      opclasses: ["jsonb_path_ops", ""],
    });
    // An expression: the access method only.
    expect(index("CREATE INDEX i ON app.orders USING btree (lower(email))")).toEqual({
      kind: "index",
      method: "btree",
    });
  });
});
