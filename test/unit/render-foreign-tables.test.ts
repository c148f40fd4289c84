import { describe, expect, it } from "vitest";
import { createForeignTable, createServer, optionsClause } from "../../src/ddl/render/foreign-tables.js";
import type { Column, Constraint, ForeignTable } from "../../src/introspect/model.js";
import { contextFor, MAJORS, STAGE } from "./render-fixture.js";

const column = (name: string, type: string, more: Partial<Column> = {}): Column => ({
  name,
  position: 1,
  type,
  typeOid: 0,
  binarySafe: true,
  notNull: false,
  ...more,
});

const ft = (more: Partial<ForeignTable>): ForeignTable => ({
  oid: 20,
  schema: "app",
  name: "ft",
  server: "remote",
  options: ["schema_name=public", "table_name=t"],
  columns: [],
  columnOptions: [],
  inherits: [],
  ...more,
});

describe("optionsClause and createServer", () => {
  it("splits each option at its first '=' and quotes both sides", () => {
    expect(optionsClause(["host=db.example.com", "options=-c search_path=a", "o'k=it's"])).toBe(
      ` OPTIONS ("host" 'db.example.com', "options" '-c search_path=a', "o'k" 'it''s')`,
    );
    expect(optionsClause([])).toBe("");
  });

  it("creates a missing server with its type, version, wrapper and options", () => {
    expect(
      createServer({
        oid: 1,
        name: "remote",
        wrapper: "postgres_fdw",
        type: "pg",
        version: "17",
        options: ["port=5433"],
      }),
    ).toBe(
      `CREATE SERVER IF NOT EXISTS "remote" TYPE 'pg' VERSION '17' FOREIGN DATA WRAPPER "postgres_fdw" OPTIONS ("port" '5433')`,
    );
    expect(createServer({ oid: 1, name: "files", wrapper: "file_fdw", options: [] })).toBe(
      `CREATE SERVER IF NOT EXISTS "files" FOREIGN DATA WRAPPER "file_fdw"`,
    );
  });
});

describe.each(MAJORS)("createForeignTable, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);

  it("renders columns with their options before COLLATE, default and NOT NULL, then the server", () => {
    const table = ft({
      columns: [
        column("id", "integer", { notNull: true, defaultExpr: "0" }),
        column("label", "text", { collation: { schema: "pg_catalog", name: "C" } }),
        column("state", "app.status"),
      ],
      columnOptions: [{ column: "label", options: ["column_name=Label"] }],
    });
    expect(createForeignTable(table, [], ctx)).toEqual([
      [
        `CREATE FOREIGN TABLE ${STAGE}."ft" (`,
        `  "id" integer DEFAULT 0 NOT NULL,`,
        `  "label" text OPTIONS ("column_name" 'Label') COLLATE "pg_catalog"."C",`,
        `  "state" ${STAGE}.status`,
        `) SERVER "remote" OPTIONS ("schema_name" 'public', "table_name" 't')`,
      ].join("\n"),
    ]);
  });

  it("renders an inheritance child, options of inherited columns, and CHECK constraints", () => {
    const table = ft({
      options: [],
      inherits: [{ schema: "app", name: "orders" }],
      columns: [column("extra", "integer")],
      columnOptions: [{ column: "id", options: ["column_name=ID"] }],
    });
    const check: Constraint = {
      oid: 21,
      table: { schema: "app", name: "ft" },
      tableOid: 20,
      name: "positive",
      kind: "check",
      definition: "CHECK ((extra > 0))",
    };
    const elsewhere = { ...check, tableOid: 99, name: "other" };
    expect(createForeignTable(table, [check, elsewhere], ctx)).toEqual([
      `CREATE FOREIGN TABLE ${STAGE}."ft" (\n  "extra" integer\n) INHERITS (${STAGE}."orders") SERVER "remote"`,
      `ALTER FOREIGN TABLE ${STAGE}."ft" ALTER COLUMN "id" OPTIONS ("column_name" 'ID')`,
      `ALTER FOREIGN TABLE ${STAGE}."ft" ADD CONSTRAINT "positive" CHECK ((extra > 0))`,
    ]);
  });

  it("renders a foreign partition with PARTITION OF its staged parent", () => {
    const table = ft({
      options: [],
      partitionOf: { parent: { schema: "app", name: "events" }, bound: "FOR VALUES IN ('eu')" },
      columnOptions: [{ column: "region", options: ["column_name=r"] }],
    });
    expect(createForeignTable(table, [], ctx)).toEqual([
      `CREATE FOREIGN TABLE ${STAGE}."ft" PARTITION OF ${STAGE}."events" FOR VALUES IN ('eu') SERVER "remote"`,
      `ALTER FOREIGN TABLE ${STAGE}."ft" ALTER COLUMN "region" OPTIONS ("column_name" 'r')`,
    ]);
  });
});
