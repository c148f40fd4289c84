/** Views, rules, triggers, policies and routines: raw rows through the parsers into domain objects. */
import { describe, expect, it } from "vitest";
import {
  parsePolicy,
  parseRoutine,
  parseRule,
  parseTable,
  parseTrigger,
  parseView,
} from "../../src/introspect/parse.js";
import { AggregateRow, RoutineRow } from "../../src/introspect/queries/routines.js";
import { RuleRow } from "../../src/introspect/queries/rules.js";
import { PolicyRow, TriggerRow } from "../../src/introspect/queries/table-objects.js";
import { ViewRow } from "../../src/introspect/queries/views.js";
import { tableRow } from "./parse-rows.js";

describe("parseView, parseRule, parseTrigger, parsePolicy", () => {
  it("drops the deparser's trailing semicolon and white space from a view", () => {
    const v = parseView(
      ViewRow.parse({
        oid: 1,
        schema: "app",
        name: "v",
        kind: "m",
        definition: " SELECT 1 AS x,\n    'a'::text AS label;\n",
        options: [],
        populated: true,
        columns: ["x", "label"],
        column_types: [
          { type: "integer", collation: null },
          { type: "text", collation: 'pg_catalog."C"' },
        ],
      }),
    );
    expect([v.definition, v.materialized, v.populated]).toEqual([
      "SELECT 1 AS x,\n    'a'::text AS label",
      true,
      true,
    ]);
    expect(v.columnTypes).toStrictEqual([{ type: "integer" }, { type: "text", collation: 'pg_catalog."C"' }]);
  });

  it("drops a rule's trailing semicolon and decodes its enabled state", () => {
    const r = parseRule(
      RuleRow.parse({
        oid: 2,
        table_oid: 16400,
        table_schema: "app",
        table_name: "orders",
        name: "r",
        definition: "CREATE RULE r AS\n    ON DELETE TO app.orders DO INSTEAD NOTHING;",
        enabled: "A",
      }),
    );
    expect(r.definition).toBe("CREATE RULE r AS\n    ON DELETE TO app.orders DO INSTEAD NOTHING");
    expect(r.state).toBe("always");
  });

  it("decodes each trigger state, and refuses a trigger on a relation that is not copied", () => {
    const relations = new Map([[16400, { schema: "app", name: "orders" }]]);
    const states = (["O", "D", "R", "A"] as const).map(
      (enabled) =>
        parseTrigger(
          TriggerRow.parse({ oid: 3, table_oid: 16400, name: "t", definition: "CREATE TRIGGER t", enabled }),
          relations,
        ).state,
    );
    expect(states).toEqual(["origin", "disabled", "replica", "always"]);
    const orphan = TriggerRow.parse({ oid: 3, table_oid: 1, name: "t", definition: "", enabled: "O" });
    expect(() => parseTrigger(orphan, relations)).toThrow(/trigger "t".*not copied/);
  });

  it("decodes a policy's command and leaves absent expressions out", () => {
    const table = parseTable(tableRow(), [], new Map());
    const raw = {
      oid: 4,
      table_oid: 16400,
      name: "p",
      permissive: false,
      roles: ["public", '"Odd Role"'],
      role_names: ["Odd Role"],
      using_expr: "(owner = CURRENT_USER)",
      check_expr: null,
    };
    const p = parsePolicy(PolicyRow.parse({ ...raw, command: "r" }), new Map([[16400, table]]));
    expect(p).toStrictEqual({
      oid: 4,
      table: { schema: "app", name: "orders" },
      tableOid: 16400,
      name: "p",
      permissive: false,
      command: "select",
      roles: ["public", '"Odd Role"'],
      roleNames: ["Odd Role"],
      using: "(owner = CURRENT_USER)",
    });
    const commands = (["a", "w", "d", "*"] as const).map(
      (command) => parsePolicy(PolicyRow.parse({ ...raw, command }), new Map([[16400, table]])).command,
    );
    expect(commands).toEqual(["insert", "update", "delete", "all"]);
  });
});

describe("parseRoutine", () => {
  const routine = (over: Record<string, unknown>) =>
    RoutineRow.parse({
      oid: 7,
      schema: "app",
      name: "f",
      kind: "f",
      identity_args: "integer",
      definition:
        "CREATE OR REPLACE FUNCTION app.f(integer)\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT $1$function$\n",
      language: "sql",
      ...over,
    });

  it("keeps a function's definition and decodes a procedure's kind", () => {
    const f = parseRoutine(routine({}), new Map());
    expect(f).toStrictEqual({
      oid: 7,
      schema: "app",
      name: "f",
      identityArgs: "integer",
      language: "sql",
      kind: "function",
      definition: routine({}).definition,
    });
    expect(parseRoutine(routine({ kind: "p" }), new Map()).kind).toBe("procedure");
  });

  it("refuses a routine without a definition, and an aggregate without its pg_aggregate row", () => {
    expect(() => parseRoutine(routine({ definition: null }), new Map())).toThrow(/"app"\."f"\(integer\)/);
    expect(() => parseRoutine(routine({ kind: "a", definition: null }), new Map())).toThrow(
      /no pg_aggregate row/,
    );
  });

  it("decodes an aggregate's parts: transition, combine, initial value, sort operator, parallel safety", () => {
    const agg = AggregateRow.parse({
      oid: 7,
      kind: "n",
      sfunc: "app.add_int",
      stype: "integer",
      sspace: "0",
      initcond: "0",
      finalfunc: null,
      finalfunc_extra: false,
      combinefunc: "app.add_int",
      sortop: "app.<<<(integer,integer)",
      parallel: "s",
    });
    const a = parseRoutine(routine({ kind: "a", name: "my_min", definition: null }), new Map([[7, agg]]));
    expect(a).toStrictEqual({
      oid: 7,
      schema: "app",
      name: "my_min",
      identityArgs: "integer",
      language: "sql",
      kind: "aggregate",
      aggregate: {
        kind: "normal",
        arguments: "integer",
        transition: { function: "app.add_int", stateType: "integer", stateSpace: 0, initialValue: "0" },
        finalModify: "read-only",
        movingFinalModify: "read-only",
        parallel: "safe",
        combine: "app.add_int",
        sortOperator: "app.<<<",
      },
    });
  });
});
