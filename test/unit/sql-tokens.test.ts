import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { identName, isIdent, type Token, tokenize } from "../../src/ddl/sql-tokens.js";

/** Every token as [kind, text], white space left out (it is checked on its own below). */
const significant = (sql: string) =>
  tokenize(sql)
    .filter((t) => t.kind !== "space")
    .map((t) => [t.kind, t.text]);

const single = (sql: string): Token => {
  const tokens = tokenize(sql);
  expect(tokens).toHaveLength(1);
  return tokens[0] as Token;
};

describe("tokenize", () => {
  it("splits a qualified name into identifier, dot, identifier", () => {
    expect(significant("app.users")).toEqual([
      ["ident", "app"],
      ["op", "."],
      ["ident", "users"],
    ]);
  });

  it("keeps a quoted identifier whole, with its doubled quotes, dots and spaces", () => {
    expect(significant('"we""ird.sch ema"."t.x"')).toEqual([
      ["quoted-ident", '"we""ird.sch ema"'],
      ["op", "."],
      ["quoted-ident", '"t.x"'],
    ]);
  });

  it("reads a standard string with doubled quotes, and a backslash as an ordinary character", () => {
    // standard_conforming_strings is on: '\' is a complete one-character string.
    expect(significant("'it''s' '\\' x")).toEqual([
      ["string", "'it''s'"],
      ["string", "'\\'"],
      ["ident", "x"],
    ]);
  });

  it("reads an E'' string where a backslash escapes the next character, quotes included", () => {
    expect(significant("E'\\'' e'a\\\\' E'x''y' z")).toEqual([
      ["string", "E'\\''"],
      ["string", "e'a\\\\'"],
      ["string", "E'x''y'"],
      ["ident", "z"],
    ]);
  });

  it("does not read a name ending in e before a string as an E'' string", () => {
    expect(significant("type'x'")).toEqual([
      ["ident", "type"],
      ["string", "'x'"],
    ]);
  });

  it("reads $$ and $tag$ strings up to the same tag, with other tags and quotes inside", () => {
    expect(significant("$$ it's $x$ $$ $fn$ SELECT $$a$$ || '$fn' $fnx$ $fn$ tail")).toEqual([
      ["dollar-string", "$$ it's $x$ $$"],
      ["dollar-string", "$fn$ SELECT $$a$$ || '$fn' $fnx$ $fn$"],
      ["ident", "tail"],
    ]);
  });

  it("reads nested dollar quotes as one string that ends at the outer tag", () => {
    expect(significant("$outer$ $inner$ app.t $inner$ $outer$ app.t")).toEqual([
      ["dollar-string", "$outer$ $inner$ app.t $inner$ $outer$"],
      ["ident", "app"],
      ["op", "."],
      ["ident", "t"],
    ]);
  });

  it("accepts non-ASCII letters in a dollar-quote tag, as the server does", () => {
    expect(significant("$é$ app.t $é$")).toEqual([["dollar-string", "$é$ app.t $é$"]]);
  });

  it("reads $1 as a parameter, not a dollar quote, and $ inside a name as part of it", () => {
    expect(significant("$1 a$b$ x")).toEqual([
      ["op", "$"],
      ["number", "1"],
      ["ident", "a$b$"],
      ["ident", "x"],
    ]);
  });

  it("runs an unterminated string, quoted name or dollar quote to the end", () => {
    expect(significant("'abc")).toEqual([["string", "'abc"]]);
    expect(significant('"abc')).toEqual([["quoted-ident", '"abc']]);
    expect(significant("$q$ abc")).toEqual([["dollar-string", "$q$ abc"]]);
  });

  it("ends a -- comment at a newline or a carriage return", () => {
    expect(tokenize("a -- app.t\nb").map((t) => t.kind)).toEqual([
      "ident",
      "space",
      "comment",
      "space",
      "ident",
    ]);
    expect(significant("a -- app.t\rb")).toEqual([
      ["ident", "a"],
      ["comment", "-- app.t"],
      ["ident", "b"],
    ]);
  });

  it("reads nested block comments to the end of the outermost one", () => {
    expect(significant("/* a /* app.t */ still comment */ x")).toEqual([
      ["comment", "/* a /* app.t */ still comment */"],
      ["ident", "x"],
    ]);
    expect(significant("/* unterminated /* */ x")).toEqual([["comment", "/* unterminated /* */ x"]]);
  });

  it("reads multibyte names, including characters outside the BMP, as identifiers", () => {
    expect(significant("schéma.tâble_1 данные.😀x")).toEqual([
      ["ident", "schéma"],
      ["op", "."],
      ["ident", "tâble_1"],
      ["ident", "данные"],
      ["op", "."],
      ["ident", "😀x"],
    ]);
  });

  it("treats only the server's six white-space characters as space (U+00A0 belongs to a name)", () => {
    expect(significant("a \u00a0b c\td\fe\vf")).toEqual([
      ["ident", "a"],
      ["ident", "\u00a0b"],
      ["ident", "c"],
      ["ident", "d"],
      ["ident", "e"],
      ["ident", "f"],
    ]);
  });

  it("reads operators one character at a time and numbers whole", () => {
    expect(significant("x>=1.5e3::numeric")).toEqual([
      ["ident", "x"],
      ["op", ">"],
      ["op", "="],
      ["number", "1.5e3"],
      ["op", ":"],
      ["op", ":"],
      ["ident", "numeric"],
    ]);
  });

  it("gives back exactly its input when the tokens are joined, whatever the input", () => {
    const sqlish = fc.string({
      unit: fc.constantFrom(..."aZ_9$.'\"E\\-/*\n\r\t ();:é😀".split(/(?:)/u), "$$", "$t$", "--", "/*", "*/"),
    });
    fc.assert(
      fc.property(fc.oneof(sqlish, fc.string({ unit: "grapheme" })), (sql) => {
        expect(
          tokenize(sql)
            .map((t) => t.text)
            .join(""),
        ).toBe(sql);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("identName", () => {
  it("unquotes a quoted name, undoubling its quotes and keeping its case", () => {
    expect(identName(single('"My ""Schema"""'))).toBe('My "Schema"');
  });

  it("folds a bare name to lower case, ASCII letters only, as the server does", () => {
    expect(identName(single("Users"))).toBe("users");
    expect(identName(single("ÉCOLE"))).toBe("École");
  });
});

describe("isIdent", () => {
  it("is true for bare and quoted names only", () => {
    const kinds = tokenize(`a "b" 'c' 1 $$d$$ . -- e`).filter((t) => t.kind !== "space");
    expect(kinds.map((t) => isIdent(t))).toEqual([true, true, false, false, false, false, false]);
    expect(isIdent(undefined)).toBe(false);
  });
});
