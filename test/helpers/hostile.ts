/**
 * A hostile database for the tests of test/hostile-source*.test.ts: objects planted where a
 * search_path that lists a user schema before pg_catalog would pick them instead of the built-in
 * ones (the CVE-2018-1058 pattern), each implemented by a plpgsql function whose calls
 * pg_stat_user_functions counts (track_functions = 'pl').
 */
import type pg from "pg";
import { withClient } from "./pg-servers.js";

interface Plant {
  /** The planted function's name (what pg_stat_user_functions reports). */
  readonly fn: string;
  readonly sql: (schema: string) => string;
}

const plpgsql = (schema: string, fn: string, args: string, returns: string, body: string) =>
  `CREATE FUNCTION ${schema}.${fn}(${args}) RETURNS ${returns} LANGUAGE plpgsql AS $$ BEGIN RETURN ${body}; END $$`;

/** An operator that does what the built-in one does, through its own plpgsql function. */
function operator(fn: string, op: string, left: string, right: string, returns: string, body: string): Plant {
  return {
    fn,
    sql: (s) =>
      `${plpgsql(s, fn, `${left}, ${right}`, returns, body)};
       CREATE OPERATOR ${s}.${op} (leftarg = ${left}, rightarg = ${right}, function = ${s}.${fn})`,
  };
}

/** A function named like a built-in one, doing the same. */
function lookalike(name: string, args: string, returns: string, body: string): Plant {
  const fn = name;
  return { fn, sql: (s) => plpgsql(s, fn, args, returns, body) };
}

/** A domain named like a built-in type, whose check counts every value cast to it. */
function domain(name: string): Plant {
  const fn = `hostile_${name}_check`;
  return {
    fn,
    sql: (s) =>
      `${plpgsql(s, fn, `pg_catalog.${name}`, "boolean", "true")};
       CREATE DOMAIN ${s}.${name} AS pg_catalog.${name} CHECK (${s}.${fn}(VALUE))`,
  };
}

const PLANTS: readonly Plant[] = [
  operator(
    "hostile_name_eq_text",
    "=",
    "name",
    "text",
    "boolean",
    "$1::pg_catalog.text OPERATOR(pg_catalog.=) $2",
  ),
  operator(
    "hostile_name_ne_text",
    "<>",
    "name",
    "text",
    "boolean",
    "$1::pg_catalog.text OPERATOR(pg_catalog.<>) $2",
  ),
  operator("hostile_name_eq_name", "=", "name", "name", "boolean", "$1 OPERATOR(pg_catalog.=) $2"),
  operator("hostile_text_eq_text", "=", "text", "text", "boolean", "$1 OPERATOR(pg_catalog.=) $2"),
  operator("hostile_oid_eq_oid", "=", "oid", "oid", "boolean", "$1 OPERATOR(pg_catalog.=) $2"),
  operator("hostile_name_regex", "~", "name", "text", "boolean", "$1 OPERATOR(pg_catalog.~) $2"),
  operator("hostile_name_like", "~~", "name", "text", "boolean", "$1 OPERATOR(pg_catalog.~~) $2"),
  operator("hostile_name_not_like", "!~~", "name", "text", "boolean", "$1 OPERATOR(pg_catalog.!~~) $2"),
  operator("hostile_concat", "||", "text", "name", "text", "$1 OPERATOR(pg_catalog.||) $2::pg_catalog.text"),
  lookalike("current_database", "", "name", "pg_catalog.current_database()"),
  lookalike("current_setting", "text", "text", "pg_catalog.current_setting($1)"),
  lookalike("starts_with", "text, text", "boolean", "pg_catalog.starts_with($1, $2)"),
  lookalike("quote_ident", "text", "text", "pg_catalog.quote_ident($1)"),
  lookalike("format", "text, text", "text", "pg_catalog.format($1, $2)"),
  lookalike("now", "", "timestamptz", "pg_catalog.now()"),
  lookalike("pg_backend_pid", "", "integer", "pg_catalog.pg_backend_pid()"),
  domain("text"),
  domain("oid"),
];

/** The names of the planted functions, sorted. */
export const PLANTED_FUNCTIONS = PLANTS.map((p) => p.fn).sort();

/** The SQL that plants every object in `schema` (which must exist). */
export function plantSql(schema: string): string {
  return [...PLANTS.map((p) => p.sql(schema)), controlSql(schema)].join(";\n");
}

/**
 * A function that only the tests' control session calls: once its calls show in the statistics,
 * every call made before it shows too (see plantedCallsAfterControl).
 */
const CONTROL = "hostile_control";
const controlSql = (schema: string) => plpgsql(schema, CONTROL, "", "integer", "1");

/** Pins a test session: the tests' own queries must not call the planted objects either. */
export async function pinnedClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  return withClient(url, async (c) => {
    await c.query("SET search_path = pg_catalog");
    return fn(c);
  });
}

/** Calls of each user function of the database since it was created, as the statistics say. */
export async function functionCalls(url: string): Promise<Record<string, number>> {
  return pinnedClient(url, async (c) => {
    await c.query("SELECT pg_catalog.pg_stat_clear_snapshot()");
    const r = await c.query<{ name: string; calls: string }>(
      "SELECT schemaname || '.' || funcname AS name, calls FROM pg_catalog.pg_stat_user_functions ORDER BY 1",
    );
    return Object.fromEntries(r.rows.map((x) => [x.name, Number(x.calls)]));
  });
}

/**
 * Waits until no other session is connected to the database: a backend flushes its statistics as
 * it exits, before it leaves pg_stat_activity.
 */
export async function otherSessionsGone(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await pinnedClient(url, async (c) => {
      const r = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity
         WHERE datname = pg_catalog.current_database() AND pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()`,
      );
      return r.rows[0]?.n ?? 0;
    });
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`${n} other session(s) still connected`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const controlCalls = new Map<string, number>();

/**
 * The calls of the planted functions (by "schema.function"; those never called are left out), read
 * after one call of the control function of `controlSchema` made once no other session is connected
 * any more: when that call shows in the statistics, every call made before it shows too,
 * on PostgreSQL 14's statistics collector (messages are handled in order) as on the shared-memory
 * statistics of 15 and later (a backend flushes its counts when it exits).
 */
export async function plantedCalls(url: string, controlSchema: string): Promise<Record<string, number>> {
  await otherSessionsGone(url);
  const control = `${controlSchema}.${CONTROL}`;
  const made = (controlCalls.get(`${url} ${control}`) ?? 0) + 1;
  controlCalls.set(`${url} ${control}`, made);
  await pinnedClient(url, (c) => c.query(`SELECT ${control}()`));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const calls = await functionCalls(url);
    if ((calls[control] ?? 0) >= made) {
      return Object.fromEntries(
        Object.entries(calls).filter(([name, n]) => n > 0 && !name.endsWith(`.${CONTROL}`)),
      );
    }
    if (Date.now() > deadline) throw new Error(`the control call of ${control} never reached the statistics`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
