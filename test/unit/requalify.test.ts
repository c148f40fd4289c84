import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requalify, type SchemaMapper } from "../../src/ddl/requalify.js";
import { tokenize } from "../../src/ddl/sql-tokens.js";

const S1 = '"_pgsync_stage_test_1"';
const S2 = '"_pgsync_stage_test_2"';
const S3 = '"_pgsync_stage_test_3"';

const STAGING = new Map([
  ["app", "_pgsync_stage_test_1"],
  ['Odd "Schema"', "_pgsync_stage_test_2"],
  ["select", "_pgsync_stage_test_2"],
  ["école", "_pgsync_stage_test_3"],
]);
/** The objects the plan stages, as renderContext knows them: (schema, name) pairs. */
const STAGED = new Set(
  [
    ["app", "users"],
    ["app", "users_id_seq"],
    ["app", "Odd's seq"],
    ["app", "status"],
    ["app", "f"],
    ["app", "==="],
    ["app", "cfg"],
    ["app", "coll"],
    ['Odd "Schema"', "T.x"],
    ["select", "from"],
    ["école", "données"],
  ].map(([schema, name]) => `${schema}\u0000${name}`),
);
const map: SchemaMapper = (schema, name) =>
  STAGED.has(`${schema}\u0000${name}`) ? STAGING.get(schema) : undefined;
const rq = (sql: string) => requalify(sql, map);

describe("requalify: qualified names", () => {
  it("points a staged object's schema at its staging schema", () => {
    expect(rq("app.users")).toBe(`${S1}.users`);
    expect(rq("(app.status)[] DEFAULT app.f(1)")).toBe(`(${S1}.status)[] DEFAULT ${S1}.f(1)`);
  });

  it("leaves names the plan does not stage alone: other objects, other schemas, extension types", () => {
    expect(rq("app.other, public.citext, pg_catalog.now(), users.id")).toBe(
      "app.other, public.citext, pg_catalog.now(), users.id",
    );
  });

  it("matches quoted names exactly (quotes, dots, case) and folds bare ones", () => {
    expect(rq('"Odd ""Schema"""."T.x"')).toBe(`${S2}."T.x"`);
    expect(rq('"Odd ""Schema""".t')).toBe('"Odd ""Schema""".t');
    expect(rq("APP.Users")).toBe(`${S1}.Users`);
    expect(rq('"App".users, app."Users"')).toBe('"App".users, app."Users"');
  });

  it("handles names that are keywords, and multibyte names quoted or bare", () => {
    expect(rq('"select"."from"')).toBe(`${S2}."from"`);
    expect(rq('"école"."données" + école.données')).toBe(`${S3}."données" + ${S3}.données`);
  });

  it("keeps a rewritten schema apart from a quoted name right before it", () => {
    // `"x""_pgsync…"` would read back as one name with a quote inside.
    expect(rq('"x"app.users')).toBe(`"x" ${S1}.users`);
  });

  it("rewrites only the schema of a schema.table.column reference", () => {
    expect(rq("app.users.id")).toBe(`${S1}.users.id`);
  });
});

describe("requalify: operators", () => {
  it("rewrites the schema in OPERATOR(schema.op) for a staged operator only", () => {
    expect(rq("(a OPERATOR(app.===) b)")).toBe(`(a OPERATOR(${S1}.===) b)`);
    expect(rq("a OPERATOR(app.<>) b, a OPERATOR(pg_catalog.+) b")).toBe(
      "a OPERATOR(app.<>) b, a OPERATOR(pg_catalog.+) b",
    );
  });

  it("leaves a schema followed by operator characters alone outside OPERATOR()", () => {
    // Not valid SQL for a qualified operator; nothing to rewrite.
    expect(rq("f(app.===)")).toBe("f(app.===)");
  });
});

describe("requalify: name literals", () => {
  it("rewrites a regclass literal, as nextval defaults print it", () => {
    expect(rq("nextval('app.users_id_seq'::regclass)")).toBe(`nextval('${S1}.users_id_seq'::regclass)`);
  });

  it("re-quotes the literal: quotes inside a quoted name stay doubled", () => {
    expect(rq(`'app."Odd''s seq"'::regclass`)).toBe(`'${S1}."Odd''s seq"'::regclass`);
  });

  it("rewrites regtype, regproc, regprocedure (with its argument types), regconfig and regcollation", () => {
    expect(rq("'app.status[]'::regtype")).toBe(`'${S1}.status[]'::regtype`);
    expect(rq("'app.f'::regproc")).toBe(`'${S1}.f'::regproc`);
    expect(rq("'app.f(app.status,integer)'::regprocedure")).toBe(
      `'${S1}.f(${S1}.status,integer)'::regprocedure`,
    );
    expect(rq("to_tsvector('app.cfg'::regconfig, body)")).toBe(`to_tsvector('${S1}.cfg'::regconfig, body)`);
    expect(rq("'app.coll'::regcollation")).toBe(`'${S1}.coll'::regcollation`);
  });

  it("rewrites regoper and regoperator literals, whose names are operator characters", () => {
    expect(rq("'app.==='::regoper")).toBe(`'${S1}.==='::regoper`);
    expect(rq("'app.===(app.status,integer)'::regoperator")).toBe(
      `'${S1}.===(${S1}.status,integer)'::regoperator`,
    );
    expect(rq("'app.<>'::regoper, '+(integer,integer)'::regoperator")).toBe(
      "'app.<>'::regoper, '+(integer,integer)'::regoperator",
    );
  });

  it("accepts the cast type written pg_catalog.regclass", () => {
    expect(rq("'app.users'::pg_catalog.regclass")).toBe(`'${S1}.users'::pg_catalog.regclass`);
  });

  it("leaves a schema name cast to regnamespace alone: the live schema is not staged", () => {
    expect(rq("'app'::regnamespace")).toBe("'app'::regnamespace");
  });

  it("leaves literals that are not cast to a name type alone, even when they look like SQL", () => {
    expect(rq("'app.users' || 'app.users'::text")).toBe("'app.users' || 'app.users'::text");
    expect(rq("'app.users; DROP TABLE app.users'")).toBe("'app.users; DROP TABLE app.users'");
  });

  it("keeps a hostile regclass literal one literal: the rewrite is re-quoted, never spliced", () => {
    const out = rq("'app.users''; DROP TABLE app.users; --'::regclass");
    // Inside the name, the quote opens a (nonsense) string: only the name before it is rewritten.
    expect(out).toBe(`'${S1}.users''; DROP TABLE app.users; --'::regclass`);
    expect(tokenize(out).map((t) => t.kind)).toEqual(["string", "op", "op", "ident"]);
  });
});

describe("requalify: text that is not code", () => {
  it("never rewrites inside comments, nested block comments included", () => {
    expect(rq("app.users -- app.users\n/* app.users /* app.users */ app.users */ app.users")).toBe(
      `${S1}.users -- app.users\n/* app.users /* app.users */ app.users */ ${S1}.users`,
    );
  });

  it("never rewrites inside a dollar-quoted function body, whatever its tag", () => {
    expect(
      rq(
        "CREATE FUNCTION app.f() RETURNS integer LANGUAGE sql AS $function$SELECT count(*) FROM app.users $x$ app.users$function$",
      ),
    ).toBe(
      `CREATE FUNCTION ${S1}.f() RETURNS integer LANGUAGE sql AS $function$SELECT count(*) FROM app.users $x$ app.users$function$`,
    );
    expect(rq("$$ app.users $$ || $é$ app.users $é$")).toBe("$$ app.users $$ || $é$ app.users $é$");
  });

  it("never rewrites inside strings, and finds the end of E'' and standard strings correctly", () => {
    expect(rq("E'\\' app.users' || app.users")).toBe(`E'\\' app.users' || ${S1}.users`);
    expect(rq("'it''s app.users' || app.users")).toBe(`'it''s app.users' || ${S1}.users`);
    expect(rq("'\\' || app.users")).toBe(`'\\' || ${S1}.users`);
  });
});

describe("requalify: properties", () => {
  const fragment = fc.constantFrom(
    "app.users",
    'app."Odd"',
    "'app.users'",
    "::regclass",
    "::regoper",
    "OPERATOR(app.===)",
    "-- app.users\n",
    "/* app.users /* */ */",
    "$$app.users$$",
    "$t$ 'x $t$",
    "E'\\''",
    "'x''y'",
    "'\\'",
    '"x""y"',
    " ",
    "\n",
    "(",
    ")",
    ",",
    "app",
    ".",
    "users",
    "E",
    "U&",
    "1",
  );
  const sql = fc.array(fragment, { maxLength: 25 }).map((parts) => parts.join(""));

  it("changes nothing when no object is staged", () => {
    fc.assert(
      fc.property(fc.oneof(sql, fc.string()), (text) => {
        expect(requalify(text, () => undefined)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps the token structure of any input, even when every schema is staged under a hostile name", () => {
    const shape = (text: string) =>
      tokenize(text)
        .filter((t) => t.kind !== "space")
        .map((t) => (t.kind === "quoted-ident" ? "ident" : t.kind));
    const hostile: SchemaMapper = (schema) => `st "${schema}"; --'`;
    fc.assert(
      fc.property(sql, (text) => {
        const out = requalify(text, hostile);
        expect(shape(out)).toEqual(shape(text));
        // Comments and dollar-quoted bodies come through byte for byte.
        const opaque = (t: string) =>
          tokenize(t)
            .filter((k) => k.kind === "comment" || k.kind === "dollar-string")
            .map((k) => k.text);
        expect(opaque(out)).toEqual(opaque(text));
      }),
      { numRuns: 1000 },
    );
  });
});
