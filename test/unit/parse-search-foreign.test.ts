/** Text search, statistics and foreign data: raw rows through the parsers into domain objects. */
import { describe, expect, it } from "vitest";
import {
  parseForeignServer,
  parseForeignTable,
  parseStatistics,
  parseTextSearchConfiguration,
  parseTextSearchDictionary,
} from "../../src/introspect/parse.js";
import { ColumnRow } from "../../src/introspect/queries/columns.js";
import { ForeignServerRow, ForeignTableRow } from "../../src/introspect/queries/foreign-tables.js";
import { StatisticsRow } from "../../src/introspect/queries/statistics.js";
import {
  TextSearchConfigurationRow,
  TextSearchDictionaryRow,
} from "../../src/introspect/queries/text-search.js";

describe("text search and statistics", () => {
  it("leaves a dictionary's empty options out", () => {
    const raw = { oid: 8, schema: "app", name: "d", template_schema: "pg_catalog", template_name: "simple" };
    expect(
      parseTextSearchDictionary(TextSearchDictionaryRow.parse({ ...raw, options: "" })),
    ).not.toHaveProperty("options");
    expect(
      parseTextSearchDictionary(TextSearchDictionaryRow.parse({ ...raw, options: "stopwords = 'english'" }))
        .options,
    ).toBe("stopwords = 'english'");
  });

  it("keeps a configuration's mappings in order, each with its dictionaries in order", () => {
    const c = parseTextSearchConfiguration(
      TextSearchConfigurationRow.parse({
        oid: 9,
        schema: "app",
        name: "cfg",
        parser_schema: "pg_catalog",
        parser_name: "default",
        mappings: [
          {
            token_type: "asciiword",
            dictionaries: [
              { schema: "app", name: "d" },
              { schema: "pg_catalog", name: "simple" },
            ],
          },
          { token_type: "word", dictionaries: [{ schema: "pg_catalog", name: "simple" }] },
        ],
      }),
    );
    expect(c.parser).toEqual({ schema: "pg_catalog", name: "default" });
    expect(c.mappings).toStrictEqual([
      {
        tokenType: "asciiword",
        dictionaries: [
          { schema: "app", name: "d" },
          { schema: "pg_catalog", name: "simple" },
        ],
      },
      { tokenType: "word", dictionaries: [{ schema: "pg_catalog", name: "simple" }] },
    ]);
  });

  it("keeps a statistics object's target only when one is set", () => {
    const raw = {
      oid: 10,
      schema: "app",
      name: "st",
      table_oid: 16400,
      table_schema: "app",
      table_name: "orders",
      definition: "CREATE STATISTICS app.st ON a, b FROM app.orders",
    };
    expect(parseStatistics(StatisticsRow.parse({ ...raw, target: null }))).not.toHaveProperty("target");
    expect(parseStatistics(StatisticsRow.parse({ ...raw, target: "500" })).target).toBe(500);
  });
});

describe("foreign data", () => {
  it("decodes a server with its type, version and options", () => {
    expect(
      parseForeignServer(
        ForeignServerRow.parse({
          oid: 11,
          name: "remote",
          wrapper: "postgres_fdw",
          type: null,
          version: "2",
          options: ["host=db", "port=5433"],
        }),
      ),
    ).toStrictEqual({
      oid: 11,
      name: "remote",
      wrapper: "postgres_fdw",
      options: ["host=db", "port=5433"],
      version: "2",
    });
  });

  it("keeps only local columns, and gives a foreign partition its parent and bound", () => {
    const column = (name: string, is_local: boolean) =>
      ColumnRow.parse({
        table_oid: 12,
        position: 1,
        name,
        type: "integer",
        type_oid: 23,
        not_null: false,
        is_local,
        identity: "",
        generated: "",
        default_expr: null,
        collation_schema: null,
        collation_name: null,
        identity_sequence_oid: null,
        binary_safe: true,
      });
    const raw = {
      oid: 12,
      schema: "app",
      name: "ft",
      server: "remote",
      options: ["table_name=t"],
      column_options: [{ column: "a", options: ["column_name=x"] }],
    };
    const plain = parseForeignTable(
      ForeignTableRow.parse({
        ...raw,
        partition_bound: null,
        parents: [{ schema: "app", name: "base" }],
        is_partition: false,
      }),
      [column("a", true), column("inherited", false)],
    );
    expect(plain.columns.map((c) => c.name)).toEqual(["a"]);
    expect(plain.inherits).toEqual([{ schema: "app", name: "base" }]);
    expect(plain.columnOptions).toEqual([{ column: "a", options: ["column_name=x"] }]);
    const part = parseForeignTable(
      ForeignTableRow.parse({
        ...raw,
        partition_bound: "FOR VALUES IN (1)",
        parents: [{ schema: "app", name: "p" }],
        is_partition: true,
      }),
      [],
    );
    expect(part.partitionOf).toEqual({ parent: { schema: "app", name: "p" }, bound: "FOR VALUES IN (1)" });
    expect(part.inherits).toEqual([]);
  });
});
