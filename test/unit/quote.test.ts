import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { identName, tokenize } from "../../src/ddl/sql-tokens.js";
import { qualify, quoteIdent, quoteLiteral } from "../../src/sql/quote.js";

// A name of 63 bytes in UTF-8 (the server's limit): 31 two-byte letters and one ASCII letter.
const LONGEST = `${"é".repeat(31)}x`;

/** What the server reads a literal as: E'' strings undo backslash escapes, both kinds undo ''. */
function readLiteral(sql: string): string {
  if (sql.startsWith("E'"))
    return sql.slice(2, -1).replace(/\\(.)|''/gs, (_match, c: string | undefined) => c ?? "'");
  return sql.slice(1, -1).replaceAll("''", "'");
}

describe("quoteIdent", () => {
  it.each([
    ["users", '"users"'],
    ["Users", '"Users"'],
    ["select", '"select"'],
    ['a"b', '"a""b"'],
    ['"', '""""'],
    ["back\\slash", '"back\\slash"'],
    ["line\nbreak", '"line\nbreak"'],
    ["trailing  ", '"trailing  "'],
    ["has.dot", '"has.dot"'],
    ["données", '"données"'],
    [LONGEST, `"${LONGEST}"`],
  ])("quotes %j as %s", (name, quoted) => {
    expect(quoteIdent(name)).toBe(quoted);
  });

  it("keeps a 63-byte multibyte name whole (the server's limit, not JavaScript's length)", () => {
    expect(Buffer.byteLength(LONGEST)).toBe(63);
    expect(quoteIdent(LONGEST).slice(1, -1)).toBe(LONGEST);
  });

  it("always gives one quoted identifier that reads back as the same name", () => {
    // Catalog names never hold NUL (the server refuses it), hence the filter.
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", minLength: 1 }).filter((s) => !s.includes("\u0000")),
        (name) => {
          const tokens = tokenize(quoteIdent(name));
          expect(tokens.map((t) => t.kind)).toEqual(["quoted-ident"]);
          expect(identName(tokens[0] as (typeof tokens)[0])).toBe(name);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("qualify", () => {
  it("quotes both parts and joins them with a dot", () => {
    expect(qualify("app", "users")).toBe('"app"."users"');
    expect(qualify('my"schema', "t.x")).toBe('"my""schema"."t.x"');
    expect(qualify("a\\b", "c d ")).toBe('"a\\b"."c d "');
  });
});

describe("quoteLiteral", () => {
  it.each([
    ["plain", "'plain'"],
    ["", "''"],
    ["it's", "'it''s'"],
    ["''", "''''''"],
    ["line\nbreak", "'line\nbreak'"],
    ["app.t; DROP TABLE app.t; --", "'app.t; DROP TABLE app.t; --'"],
    // A backslash: an E'' string, so that the value is the same whatever standard_conforming_strings says.
    ["a\\b", "E'a\\\\b'"],
    ["\\'", "E'\\\\'''"],
    ["C:\\dir\\", "E'C:\\\\dir\\\\'"],
  ])("quotes %j as %s", (value, quoted) => {
    expect(quoteLiteral(value)).toBe(quoted);
  });

  it("always gives one string literal that reads back as the same value", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\u0000")),
        (value) => {
          const sql = quoteLiteral(value);
          expect(tokenize(sql).map((t) => t.kind)).toEqual(["string"]);
          expect(readLiteral(sql)).toBe(value);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("reads back values made of quotes and backslashes only", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("'", "\\", "x", "\n") }), (value) => {
        const sql = quoteLiteral(value);
        expect(tokenize(sql).map((t) => t.kind)).toEqual(["string"]);
        expect(readLiteral(sql)).toBe(value);
      }),
      { numRuns: 1000 },
    );
  });
});
