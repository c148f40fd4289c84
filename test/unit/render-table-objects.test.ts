import { describe, expect, it } from "vitest";
import { commentOnCarriedKind } from "../../src/ddl/render/kind-comments.js";
import { carriedOperators } from "../../src/ddl/render/operators.js";
import { commentOn, createPolicy, createTrigger, rowSecurity } from "../../src/ddl/render/table-objects.js";
import { createRule, createStatistics } from "../../src/ddl/render/table-rules.js";
import type { Comment, Policy, Table, Trigger } from "../../src/introspect/model.js";
import { contextFor, MAJORS, STAGE } from "./render-fixture.js";

const ORDERS = { schema: "app", name: "orders" };
const comment = (kind: string, identity: string, text = "it's documented"): Comment => ({
  kind,
  identity,
  text,
  target: "pg_class:1",
});

// Nothing in these renderers depends on the destination's version.
describe.each(MAJORS)("triggers, rules and statistics, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);
  const trigger = (state: Trigger["state"]): Trigger => ({
    oid: 1,
    table: ORDERS,
    tableOid: 10,
    name: "Touch It",
    definition:
      "CREATE TRIGGER \"Touch It\" BEFORE UPDATE ON app.orders FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION app.touch('app.orders')",
    state,
  });

  it("renders a trigger on the staged table calling the staged function, arguments untouched", () => {
    expect(createTrigger(trigger("origin"), ctx)).toEqual([
      `CREATE TRIGGER "Touch It" BEFORE UPDATE ON ${STAGE}.orders FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION ${STAGE}.touch('app.orders')`,
    ]);
  });

  it("sets a trigger's enabled state after creating it", () => {
    expect(createTrigger(trigger("disabled"), ctx)[1]).toBe(
      `ALTER TABLE ${STAGE}."orders" DISABLE TRIGGER "Touch It"`,
    );
    expect(createTrigger(trigger("replica"), ctx)[1]).toBe(
      `ALTER TABLE ${STAGE}."orders" ENABLE REPLICA TRIGGER "Touch It"`,
    );
    expect(createTrigger(trigger("always"), ctx)[1]).toBe(
      `ALTER TABLE ${STAGE}."orders" ENABLE ALWAYS TRIGGER "Touch It"`,
    );
  });

  it("renders a rule and its state", () => {
    const rule = {
      oid: 2,
      table: ORDERS,
      tableOid: 10,
      name: "no_delete",
      definition: "CREATE RULE no_delete AS\n    ON DELETE TO app.orders DO INSTEAD NOTHING",
      state: "replica" as const,
    };
    expect(createRule(rule, ctx)).toEqual([
      `CREATE RULE no_delete AS\n    ON DELETE TO ${STAGE}.orders DO INSTEAD NOTHING`,
      `ALTER TABLE ${STAGE}."orders" ENABLE REPLICA RULE "no_delete"`,
    ]);
    expect(createRule({ ...rule, state: "origin" }, ctx)).toHaveLength(1);
  });

  it("renders a statistics object and its target", () => {
    const st = {
      oid: 3,
      schema: "app",
      name: "st",
      table: ORDERS,
      tableOid: 10,
      definition: "CREATE STATISTICS app.st (ndistinct, dependencies) ON status, code FROM app.orders",
    };
    expect(createStatistics({ ...st, target: 500 }, ctx)).toEqual([
      `CREATE STATISTICS ${STAGE}.st (ndistinct, dependencies) ON status, code FROM ${STAGE}.orders`,
      `ALTER STATISTICS ${STAGE}."st" SET STATISTICS 500`,
    ]);
    expect(createStatistics(st, ctx)).toHaveLength(1);
  });
});

describe.each(MAJORS)("policies and row security, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);
  const policy: Policy = {
    oid: 4,
    table: ORDERS,
    tableOid: 10,
    name: "own rows",
    permissive: false,
    command: "update",
    roles: ["public", '"Odd Role"'],
    roleNames: ["Odd Role"],
    using: "(owner = CURRENT_USER)",
    withCheck: "app.valid_code(code)",
  };

  it("renders a policy with its kind, command, roles and both expressions", () => {
    expect(createPolicy(policy, ctx)).toBe(
      `CREATE POLICY "own rows" ON ${STAGE}."orders" AS RESTRICTIVE FOR UPDATE TO public, "Odd Role" USING ((owner = CURRENT_USER)) WITH CHECK (${STAGE}.valid_code(code))`,
    );
    const { using: _u, withCheck: _w, ...bare } = policy;
    expect(createPolicy({ ...bare, permissive: true, command: "all", roles: ["public"] }, ctx)).toBe(
      `CREATE POLICY "own rows" ON ${STAGE}."orders" AS PERMISSIVE FOR ALL TO public`,
    );
  });

  it("enables and forces row security as the table has it", () => {
    const t = { schema: "app", name: "orders", rowSecurity: true, forceRowSecurity: true } as Table;
    expect(rowSecurity(t, ctx)).toEqual([
      `ALTER TABLE ${STAGE}."orders" ENABLE ROW LEVEL SECURITY`,
      `ALTER TABLE ${STAGE}."orders" FORCE ROW LEVEL SECURITY`,
    ]);
    expect(rowSecurity({ ...t, rowSecurity: false, forceRowSecurity: false }, ctx)).toEqual([]);
  });
});

describe.each(MAJORS)("comments, for PostgreSQL %i", (major) => {
  const ctx = contextFor(major);
  const carried = carriedOperators([
    {
      oid: 5,
      schema: "app",
      name: "===",
      right: "integer",
      result: "boolean",
      function: "f",
      hashes: false,
      merges: false,
    },
  ]);

  it.each([
    ["table", "app.orders", `COMMENT ON TABLE ${STAGE}.orders IS 'it''s documented'`],
    ["table column", 'app.orders."Note"', `COMMENT ON COLUMN ${STAGE}.orders."Note" IS 'it''s documented'`],
    ["function", "app.touch(text)", `COMMENT ON FUNCTION ${STAGE}.touch(text) IS 'it''s documented'`],
    [
      "table constraint",
      "orders_pkey on app.orders",
      `COMMENT ON CONSTRAINT orders_pkey on ${STAGE}.orders IS 'it''s documented'`,
    ],
    [
      "trigger",
      '"Touch It" on app.orders',
      `COMMENT ON TRIGGER "Touch It" on ${STAGE}.orders IS 'it''s documented'`,
    ],
    [
      "domain constraint",
      "code_check on app.code",
      `COMMENT ON CONSTRAINT code_check ON DOMAIN ${STAGE}.code IS 'it''s documented'`,
    ],
    ["type", "other.kept", "COMMENT ON TYPE other.kept IS 'it''s documented'"],
  ])("renders a comment on a %s", (kind, identity, sql) => {
    expect(commentOn(comment(kind, identity), ctx)).toBe(sql);
  });

  it("quotes a comment with a backslash as an E'' string, and skips kinds it does not know", () => {
    expect(commentOn(comment("view", "app.v", "C:\\dir"), ctx)).toBe(
      `COMMENT ON VIEW ${STAGE}.v IS E'C:\\\\dir'`,
    );
    expect(commentOn(comment("publication", "pub"), ctx)).toBeUndefined();
  });

  it.each([
    [
      "operator",
      "app.===(integer,integer)",
      `COMMENT ON OPERATOR ${STAGE}.=== (integer,integer) IS 'it''s documented'`,
    ],
    [
      "operator",
      "app.!!(NONE,integer)",
      `COMMENT ON OPERATOR "app".!! (NONE, integer) IS 'it''s documented'`,
    ],
    ["cast", "(text AS app.status)", `COMMENT ON CAST (text AS ${STAGE}.status) IS 'it''s documented'`],
    ["collation", "app.c", `COMMENT ON COLLATION ${STAGE}.c IS 'it''s documented'`],
    [
      "operator class",
      "app.int_ops USING btree",
      `COMMENT ON OPERATOR CLASS ${STAGE}.int_ops USING btree IS 'it''s documented'`,
    ],
    [
      "text search configuration",
      "app.cfg",
      `COMMENT ON TEXT SEARCH CONFIGURATION ${STAGE}.cfg IS 'it''s documented'`,
    ],
    ["rule", "no_delete on app.orders", `COMMENT ON RULE no_delete on ${STAGE}.orders IS 'it''s documented'`],
    ["foreign table column", "app.ft.a", `COMMENT ON COLUMN ${STAGE}.ft.a IS 'it''s documented'`],
  ])("renders a comment on an object of kind %s", (kind, identity, sql) => {
    expect(commentOnCarriedKind(comment(kind, identity), ctx, carried)).toBe(sql);
  });

  it("leaves the kinds it does not carry to commentOn", () => {
    expect(commentOnCarriedKind(comment("table", "app.orders"), ctx, carried)).toBeUndefined();
  });
});
