/**
 * The connection-string parser (src/util/connection-string.ts): libpq's URL and keyword/value forms
 * read into libpq's fields, and the refusals, whose messages never quote a value.
 * test/connection-strings.test.ts checks the same strings against libpq itself (psql) and a server.
 */
import { describe, expect, it } from "vitest";
import { parseConnectionString } from "../../src/util/connection-string.js";

function fields(text: string): Record<string, string> {
  const parsed = parseConnectionString(text);
  if (!parsed.ok) throw new Error(`refused: ${parsed.reason}`);
  return { ...parsed.value.fields };
}

function reason(text: string): string {
  const parsed = parseConnectionString(text);
  if (parsed.ok) throw new Error(`accepted: ${JSON.stringify(parsed.value.fields)}`);
  return parsed.reason;
}

describe("URLs", () => {
  it.each<[string, Record<string, string>]>([
    [
      "postgres://app:s3cret@db.example.com:6543/shop?sslmode=require&application_name=etl",
      {
        user: "app",
        password: "s3cret",
        host: "db.example.com",
        port: "6543",
        dbname: "shop",
        sslmode: "require",
        application_name: "etl",
      },
    ],
    // A Unix socket: an empty host and the socket directory in ?host=.
    ["postgresql://u@/db?host=/var/run/postgresql", { user: "u", dbname: "db", host: "/var/run/postgresql" }],
    // ... or the directory percent-encoded as the host.
    ["postgresql://%2Ftmp%2Fpg:5433/db", { host: "/tmp/pg", port: "5433", dbname: "db" }],
    // The user-info ends at its last "@", as the driver reads it.
    [
      "postgres://app:Tr0ub@dor3@host/db",
      { user: "app", password: "Tr0ub@dor3", host: "host", dbname: "db" },
    ],
    // libpq reads "#" literally, and "+" is no space.
    ["postgres://u:a#b+c@h/d", { user: "u", password: "a#b+c", host: "h", dbname: "d" }],
    ["postgres://u:p%40ss%2F%3F@h/d%20b", { user: "u", password: "p@ss/?", host: "h", dbname: "d b" }],
    ["postgres://[::1]:5432/db", { host: "::1", port: "5432", dbname: "db" }],
    ["postgres://h?dbname=x&user=y", { host: "h", dbname: "x", user: "y" }],
    [
      "postgresql:///db?host=h&port=5433&password=a%26b",
      { dbname: "db", host: "h", port: "5433", password: "a&b" },
    ],
    ["postgres://u:@h/d", { user: "u", password: "", host: "h", dbname: "d" }],
    ["POSTGRES://h/d", { host: "h", dbname: "d" }],
  ])("%s", (url, expected) => {
    expect(fields(url)).toEqual(expected);
  });

  it.each<[string, string]>([
    ["postgres://bob:Hunter2/x@db/app", 'an unencoded "@" after the host'],
    ["postgres://u@h/db?application_name=a@b", 'an unencoded "@" after the host'],
    ["postgres://h:notaport/db", "the port is not a number from 1 to 65535"],
    ["postgres://h:70000/db", "the port is not a number from 1 to 65535"],
    ["postgres://h1,h2:5433/db", "several hosts are not supported"],
    ["postgres://u:p%zz@h/db", "the password of the URL holds an invalid percent-encoding"],
    ["postgres://u@h/db%00x", "the database name of the URL holds an invalid percent-encoding"],
    ["postgres://h/db?bogus_key=v4lue", 'unknown keyword "bogus_key"'],
    ["postgres://h/db?password=ab&cd=1", "an unknown keyword after password"],
    ["postgres://h/db?sslmode", 'a URL parameter without "="'],
    ["postgres://h/db?target_session_attrs=sometimes", "target_session_attrs must be one of"],
    ["mysql://u:pw@h/db", "expected a postgres:// or postgresql:// URL"],
  ])("refuses %s", (url, expected) => {
    const why = reason(url);
    expect(why).toContain(expected);
    // A refusal never quotes a value.
    for (const value of ["Hunter2", "notaport", "p%zz", "v4lue", "ab", "sometimes", "pw"]) {
      if (url.includes(value)) expect(why).not.toContain(value);
    }
  });
});

describe("keyword/value strings", () => {
  it.each<[string, Record<string, string>]>([
    [
      "host=db port=5433 dbname=shop user=app password=s3cret",
      { host: "db", port: "5433", dbname: "shop", user: "app", password: "s3cret" },
    ],
    // Spaces around "=", quotes, and backslash escapes inside and outside quotes.
    ["host = db   password = 'a b\\'c\\\\d'", { host: "db", password: "a b'c\\d" }],
    ["password=a\\ b\\'c dbname=''", { password: "a b'c", dbname: "" }],
    [
      "host=/var/run/postgresql dbname=app sslmode=disable",
      { host: "/var/run/postgresql", dbname: "app", sslmode: "disable" },
    ],
    // Percent signs and "@" are plain characters here.
    [
      "password=p%40ss@x options='-c statement_timeout=5s'",
      { password: "p%40ss@x", options: "-c statement_timeout=5s" },
    ],
    // libpq skips the spaces after "=", then reads the next word as the value.
    ["host=h password= x", { host: "h", password: "x" }],
  ])("%s", (text, expected) => {
    expect(fields(text)).toEqual(expected);
  });

  it.each<[string, string]>([
    ["host=h bogus=v4lue", 'unknown keyword "bogus"'],
    ["host=h password=ab cd=v4lue", "an unknown keyword after password"],
    ["host=h password=ab cd", 'a word without "=" (after password'],
    ["host='h dbname=x", 'a quoted value without its closing quote ("host")'],
    ["host=h port=notaport", "the port is not a number from 1 to 65535"],
    ["host=h1,h2", "several hosts are not supported"],
    ["connect_timeout=soon host=h", "connect_timeout is not a whole number of seconds"],
    ["just-a-password", "is not a connection string"],
  ])("refuses %s", (text, expected) => {
    const why = reason(text);
    expect(why).toContain(expected);
    for (const value of ["v4lue", "cd", "notaport", "soon", "just-a-password"]) {
      if (text.includes(value)) expect(why).not.toContain(value);
    }
  });
});
