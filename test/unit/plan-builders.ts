/**
 * Hand-written catalog models for planSync's unit tests: a base with one schema (`app`, staged as
 * `_pgsync_stage_t_1`) and builders for its objects, with pg_depend's edges as the dependency query
 * (src/introspect/queries/dependencies.ts) folds them.
 */
import { expect } from "vitest";
import { planSync, type Statement, type SyncPlan } from "../../src/ddl/plan.js";
import type {
  CatalogModel,
  Column,
  Constraint,
  Dependency,
  Routine,
  Table,
  View,
} from "../../src/introspect/model.js";
import { FIXTURE } from "./plan-fixture.js";

const EMPTY = Object.fromEntries(
  Object.entries(FIXTURE).map(([k, v]) => [k, Array.isArray(v) ? [] : v]),
) as unknown as CatalogModel;
const BASE: CatalogModel = { ...EMPTY, privileges: undefined, schemas: [{ oid: 2200, name: "app" }] };

export const col = (position: number, name: string, type: string, more: Partial<Column> = {}): Column => ({
  name,
  position,
  type,
  typeOid: 0,
  binarySafe: true,
  notNull: false,
  ...more,
});

export const tbl = (oid: number, name: string, columns: Column[], more: Partial<Table> = {}): Table => ({
  oid,
  schema: "app",
  name,
  persistence: "permanent",
  columns,
  allColumns: columns,
  options: [],
  inherits: [],
  rowSecurity: false,
  forceRowSecurity: false,
  bytes: 8192,
  estimatedRows: 1,
  ...more,
});

export const con = (
  oid: number,
  table: Table,
  name: string,
  kind: Constraint["kind"],
  definition: string,
  more: Partial<Constraint> = {},
): Constraint => ({
  oid,
  table: { schema: table.schema, name: table.name },
  tableOid: table.oid,
  name,
  kind,
  definition,
  ...more,
});

export const fn = (oid: number, name: string, args: string, body: string): Routine => ({
  oid,
  schema: "app",
  name,
  kind: "function",
  identityArgs: args,
  language: "sql",
  definition: `CREATE OR REPLACE FUNCTION app.${name}(${args})\n RETURNS boolean\n LANGUAGE sql\n${body}\n`,
});

export const vw = (
  oid: number,
  name: string,
  definition: string,
  columns: [string, string][],
  more: Partial<View> = {},
): View => ({
  oid,
  schema: "app",
  name,
  materialized: false,
  definition,
  columns: columns.map(([c]) => c),
  columnTypes: columns.map(([, type]) => ({ type })),
  options: [],
  populated: true,
  ...more,
});

export const dep = (dependent: string, referenced: string): Dependency => ({ dependent, referenced });

export const plan = (model: Partial<CatalogModel>, targetMajor = 17): SyncPlan =>
  planSync({ ...BASE, ...model }, { targetMajor, stagingPrefix: "_pgsync_stage_t" });

/** Position of the first statement whose SQL starts with `prefix`; fails the test when there is none. */
export function at(statements: readonly Statement[], prefix: string): number {
  const i = statements.findIndex((s) => s.sql.startsWith(prefix));
  expect(i, `no statement starts with ${prefix}`).toBeGreaterThanOrEqual(0);
  return i;
}

export const S = '"_pgsync_stage_t_1"';
export const ID = col(1, "id", "integer", { notNull: true });
export const NAME = col(2, "name", "text");
