import { describe, expect, it } from "vitest";
import {
  alterDatabaseReset,
  alterDatabaseSet,
  databaseSettings,
  splitList,
} from "../../src/ddl/render/database-settings.js";
import { MAJORS } from "./render-fixture.js";

const guarded = (name: string, lowerName: string, setClause: string, tag = "$pgsync$") =>
  [
    `DO ${tag}`,
    "BEGIN",
    `  IF '${name}' LIKE '%.%' OR EXISTS (SELECT 1 FROM pg_catalog.pg_settings WHERE lower(name) = '${lowerName}') THEN`,
    `    EXECUTE 'ALTER DATABASE ' || pg_catalog.quote_ident(pg_catalog.current_database()) || ${setClause};`,
    "  ELSE",
    `    RAISE WARNING 'database setting % was not copied: this server does not have the parameter', '${name}';`,
    "  END IF;",
    "END",
    tag,
  ].join("\n");

describe("alterDatabaseSet", () => {
  it("sets a plain parameter inside a block that skips it where the server lacks it", () => {
    expect(alterDatabaseSet({ name: "work_mem", value: "64MB" })).toBe(
      guarded("work_mem", "work_mem", `' SET "work_mem" = ''64MB'''`),
    );
  });

  it("splits a list parameter back into its elements, each one quoted", () => {
    expect(alterDatabaseSet({ name: "search_path", value: 'kx, "Extra Kinds", "$user"' })).toBe(
      guarded("search_path", "search_path", `' SET "search_path" = ''kx'', ''Extra Kinds'', ''$user'''`),
    );
  });

  it("quotes each part of a custom prefix.name parameter, and lower-cases only the lookup", () => {
    expect(alterDatabaseSet({ name: "App.Mode", value: "it's on" })).toBe(
      guarded("App.Mode", "app.mode", `' SET "App"."Mode" = ''it''''s on'''`),
    );
  });

  it("picks a dollar-quote tag that the value does not contain", () => {
    const sql = alterDatabaseSet({ name: "app.tag", value: "$pgsync$" });
    expect(sql.startsWith("DO $pgsync1$\n")).toBe(true);
    expect(sql.endsWith("\n$pgsync1$")).toBe(true);
  });

  it("resets a parameter of the current database", () => {
    expect(alterDatabaseReset("app.mode")).toBe(
      `DO $pgsync$\nBEGIN\n  EXECUTE 'ALTER DATABASE ' || pg_catalog.quote_ident(pg_catalog.current_database()) || ' RESET "app"."mode"';\nEND\n$pgsync$`,
    );
  });
});

describe("splitList", () => {
  it.each([
    ['kx, "Extra Kinds", "$user"', ["kx", "Extra Kinds", "$user"]],
    ['"a""b",c', ['a"b', "c"]],
    ['"with, comma", plain ', ["with, comma", "plain"]],
    ["single", ["single"]],
    ['""', [""]],
    ["", [""]],
  ])("splits %j", (value, elements) => {
    expect(splitList(value)).toEqual(elements);
  });
});

describe("databaseSettings, by destination major", () => {
  const settings = [
    { name: "work_mem", value: "64MB" },
    { name: "transaction_timeout", value: "5min" },
    { name: "pgsync.role", value: "production" },
    { name: "default_transaction_read_only", value: "on" },
    { name: "app.mode", value: "x" },
  ];
  const without17 = new Set(["work_mem", "search_path"]);
  const with17 = new Set([...without17, "transaction_timeout"]);

  it.each(MAJORS)("PostgreSQL %i: skips a parameter the destination lacks, naming its version", (major) => {
    const known = major >= 17 ? with17 : without17;
    const plan = databaseSettings(settings, major, known, true);
    expect(plan.statements.map((s) => s.object)).toEqual([
      "database setting work_mem",
      ...(major >= 17 ? ["database setting transaction_timeout"] : []),
      // A custom placeholder is accepted by every server.
      "database setting app.mode",
    ]);
    expect(plan.skipped).toEqual([
      ...(major >= 17
        ? []
        : [
            `database setting transaction_timeout was not copied: PostgreSQL ${major} does not have this parameter`,
          ]),
      "database setting pgsync.role was not copied: it is pgsync-ts's own marker (pgsync.role marks a production database), which belongs to each database",
      "database setting default_transaction_read_only was not copied: it would make the destination read-only, and the next sync would be refused",
    ]);
  });

  it("leaves the check to the statement when the destination's parameters are not known", () => {
    const plan = databaseSettings(settings.slice(0, 2), 14, undefined, true);
    expect(plan.statements.map((s) => s.sql)).toEqual([
      alterDatabaseSet(settings[0] as (typeof settings)[0]),
      alterDatabaseSet(settings[1] as (typeof settings)[0]),
    ]);
    expect(plan.skipped).toEqual([]);
  });
});
