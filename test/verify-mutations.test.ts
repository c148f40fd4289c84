/**
 * `pgsync-ts verify` is judged by the oracle's list of property classes (test/oracle/classes.ts):
 * a database with one object of every kind (test/fixtures/oracle-kinds.sql) is copied with
 * privileges, and each mutation of test/helpers/oracle-mutations.ts (one or more per class) is
 * applied to a copy of the destination (CREATE DATABASE ... TEMPLATE). The command line's verify
 * must then exit 1 and name the changed object on a DIFF line of its text output. Mutations on
 * objects that do not mention each other share a copy (one verify per group), and each must be
 * named on a line that names no other object of its group.
 *
 * Kinds a run does not carry (docs/schema.md) are listed by verify apart ("not carried"), never
 * counted as a difference: for those the object must be named there.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { runCli } from "./helpers/cli.js";
import { MUTATIONS, type Mutation } from "./helpers/oracle-mutations.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { createRole, type PgMajor, sharedServer, testMajors, withClient } from "./helpers/pg-servers.js";
import { PROPERTY_CLASSES, type PropertyClassId } from "./oracle/index.js";

const ROLE = "oracle_grantee";
const FIXTURE = readFileSync(new URL("./fixtures/oracle-kinds.sql", import.meta.url), "utf8");
const major = testMajors()[testMajors().length - 1] as PgMajor;

/** Classes no mutation can reach on this server (as in test/oracle.test.ts). */
const UNREACHABLE: Partial<Record<PropertyClassId, (major: number) => boolean>> = {
  "constraint.enforced": (m) => m < 18,
  "constraint.not-null": (m) => m < 17,
};

/**
 * The classes of kinds a run does not carry, and whether the destination has the object after a
 * run (then the mutation applies to it); otherwise verify must list the source's object.
 */
const NOT_CARRIED: Partial<Record<PropertyClassId, "applied" | "source only">> = {
  "publication.attributes": "source only",
  "publication.member": "source only",
  "subscription.attributes": "source only",
  "event-trigger.attributes": "source only",
  "foreign.user-mapping": "source only",
  "conversion.attributes": "source only",
  "text-search.parser": "source only",
  "text-search.template": "source only",
  "database.role-setting": "applied",
  "database.comment": "applied",
  "security-label": "applied",
};

/**
 * What a mutation needs on the copy that a run does not carry there: the configuration's new parser
 * (text search parsers are not carried).
 */
const PRELUDE: Partial<Record<PropertyClassId, string>> = {
  "text-search.configuration":
    "CREATE TEXT SEARCH PARSER parser (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype)",
};

const fresh = databasesForThisFile();
let source = "";
let destination = "";
let destinationName = "";
const clones: string[] = [];

/**
 * The line names `name` (as a whole word when it is one) in the object or property it is about,
 * not merely in a value.
 */
function names(line: string, name: string): boolean {
  const end = line.indexOf(" differs: source ");
  const object = end === -1 ? line : line.slice(0, end);
  if (!/^\w+$/.test(name)) return object.includes(name);
  return new RegExp(`(^|[^\\w])${name}($|[^\\w])`).test(object);
}

/** The DIFF lines and the "not carried" lines of verify's text output. */
function sections(stdout: string): { diff: string[]; notCarried: string[] } {
  const lines = stdout.split("\n");
  const diff = lines.filter((l) => l.startsWith("  DIFF ")).map((l) => l.slice("  DIFF ".length));
  const start = lines.findIndex((l) => l.startsWith("  not carried "));
  const notCarried = start === -1 ? [] : lines.slice(start).map((l) => l.slice(15));
  return { diff, notCarried };
}

async function verifyCli(url: string) {
  const result = await runCli(["verify", "--from", source, "--to", url, "--with-privileges"]);
  return { ...result, ...sections(result.stdout) };
}

/** `sql` mentions `name` (as a whole word when it is one). */
function mentions(sql: string, name: string): boolean {
  if (!/^\w+$/.test(name)) return sql.includes(name);
  return new RegExp(`(^|[^\\w])${name}($|[^\\w])`, "i").test(sql);
}

/**
 * Groups of mutations that share a copy, in the list's order: no two change the same object, and
 * neither mentions the other's object, so that a line naming one cannot be another's.
 */
function groups(mutations: readonly Mutation[]): Mutation[][] {
  const apart = (a: Mutation, b: Mutation) =>
    a.object !== b.object && !mentions(a.sql, b.object ?? "") && !mentions(b.sql, a.object ?? "");
  const out: Mutation[][] = [];
  for (const m of mutations) {
    const group = out.find((g) => g.every((other) => apart(other, m)));
    if (group) group.push(m);
    else out.push([m]);
  }
  return out;
}

describe(`verify against the oracle's property classes (PostgreSQL ${major})`, () => {
  const reachable = MUTATIONS.filter((m) => (m.since ?? 14) <= major);
  const applied = reachable.filter((m) => NOT_CARRIED[m.cls] !== "source only");

  beforeAll(async () => {
    await createRole(major, ROLE, { password: "grantee-Pa55", login: false });
    const [src, dst] = await Promise.all([fresh(major), fresh(major)]);
    source = sharedServer(major).superuserUrl(src.name);
    destination = sharedServer(major).superuserUrl(dst.name);
    destinationName = dst.name;
    // A run does not carry procedural languages yet (verify reports that as a difference): the
    // copy starts without one, and the language class is judged by a language made on the copy.
    await withClient(source, (c) => c.query(`${FIXTURE}; DROP LANGUAGE plother`));
    const report = await runSync({ sourceUrl: source, destinationUrl: destination, includePrivileges: true });
    expect(report.error, JSON.stringify(report.error)).toBeUndefined();
  });

  afterAll(async () => {
    // A subscription would block DROP DATABASE; with slot_name = NONE it drops without connecting.
    if (source) await withClient(source, (c) => c.query("DROP SUBSCRIPTION IF EXISTS sub"));
    await withClient(sharedServer(major).superuserUrl(), async (c) => {
      for (const clone of clones) await c.query(`DROP DATABASE IF EXISTS "${clone}" WITH (FORCE)`);
    });
  });

  it("has a mutation for every class of the oracle reachable here", () => {
    const mutated = new Set(reachable.map((m) => m.cls));
    const missing = PROPERTY_CLASSES.map((c) => c.id).filter(
      (id) => !mutated.has(id) && !UNREACHABLE[id]?.(major),
    );
    expect(missing).toEqual([]);
    expect(reachable.filter((m) => !m.object)).toEqual([]);
    // Not vacuous: the partition's changed value is among them.
    expect(reachable.some((m) => m.cls === "data.content" && m.object === "parted_1")).toBe(true);
  });

  it("finds the copy identical (exit 0), and lists what a run does not carry, naming each object", async () => {
    const baseline = await verifyCli(destination);
    expect(baseline.code, baseline.stdout + baseline.stderr).toBe(0);
    expect(baseline.stdout).toContain("IDENTICAL");
    expect(baseline.diff).toEqual([]);
    for (const m of reachable.filter((x) => NOT_CARRIED[x.cls] === "source only")) {
      expect(
        baseline.notCarried.some((line) => names(line, m.object ?? "")),
        `${m.cls}: ${m.object} in\n${baseline.notCarried.join("\n")}`,
      ).toBe(true);
    }
  });

  it.each(groups(applied).map((g, i) => [i + 1, g.length, g] as const))(
    "group %i: exits 1 and names each of its %i mutated objects",
    async (i, _n, group) => {
      const clone = `${destinationName}_m${i}`;
      clones.push(clone);
      await withClient(sharedServer(major).superuserUrl(), (c) =>
        c.query(`CREATE DATABASE "${clone}" TEMPLATE "${destinationName}"`),
      );
      const url = sharedServer(major).superuserUrl(clone);
      await withClient(url, async (c) => {
        for (const m of group) {
          const sql = m.sql.replaceAll(":db", `"${clone}"`).replaceAll(":role", ROLE);
          await c.query(`SET search_path = public; ${PRELUDE[m.cls] ?? ""}; ${sql}`);
        }
      });
      const result = await verifyCli(url);
      const carried = group.filter((m) => !NOT_CARRIED[m.cls]);
      expect(result.code, result.stderr).toBe(carried.length > 0 ? 1 : 0);
      const objectOf = (m: Mutation) => (m.object ?? "").replaceAll(":role", ROLE);
      for (const m of group) {
        // A line that names this mutation's object and no other of the group's.
        const others = group.filter((o) => o !== m).map(objectOf);
        const lines = (NOT_CARRIED[m.cls] ? result.notCarried : result.diff).filter(
          (line) => !others.some((o) => names(line, o)),
        );
        expect(
          lines.some((line) => names(line, objectOf(m))),
          `${m.cls} (${m.sql}) names ${objectOf(m)} in:\n${result.stdout}`,
        ).toBe(true);
      }
      await withClient(sharedServer(major).superuserUrl(), (c) =>
        c.query(`DROP DATABASE "${clone}" WITH (FORCE)`),
      );
    },
  );
});
