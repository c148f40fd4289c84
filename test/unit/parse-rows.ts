/**
 * Raw catalog rows, as node-postgres returns them (int8 as strings, oids as numbers, json as
 * objects), validated by the query's own zod schema: what the parsers are fed.
 */
import { ColumnRow } from "../../src/introspect/queries/columns.js";
import { SequenceRow } from "../../src/introspect/queries/sequences.js";
import { TableRow } from "../../src/introspect/queries/tables.js";

export const BIGINT_OPTIONS = {
  dataType: "bigint",
  start: "1",
  increment: "1",
  min: "1",
  max: "9223372036854775807",
  cache: "1",
  cycle: false,
} as const;

export const sequenceRow = (over: Record<string, unknown> = {}) =>
  SequenceRow.parse({
    oid: 16390,
    schema: "app",
    name: "orders_id_seq",
    data_type: "bigint",
    start: "1",
    increment: "1",
    min: "1",
    max: "9223372036854775807",
    cache: "1",
    cycle: false,
    last_value: "42",
    owner_dep: "a",
    owner_schema: "app",
    owner_table: "orders",
    owner_column: "id",
    ...over,
  });

export const tableRow = (over: Record<string, unknown> = {}) =>
  TableRow.parse({
    oid: 16400,
    schema: "app",
    name: "orders",
    kind: "r",
    persistence: "p",
    options: [],
    bytes: "8192",
    estimated_rows: -1,
    partition_key: null,
    partition_bound: null,
    parents: [],
    is_partition: false,
    row_security: false,
    force_row_security: false,
    ...over,
  });

export const columnRow = (over: Record<string, unknown>) =>
  ColumnRow.parse({
    table_oid: 16400,
    type_oid: 25,
    not_null: false,
    is_local: true,
    identity: "",
    generated: "",
    default_expr: null,
    collation_schema: null,
    collation_name: null,
    identity_sequence_oid: null,
    binary_safe: true,
    ...over,
  });
