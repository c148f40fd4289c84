/**
 * The fault-injection suite. A real CLI run (a child process) is stopped at every fault point of the
 * pipeline (FAULT_POINTS: the start of every step, four points inside the load (mid-COPY, a table loaded, an index build, a foreign key) and three inside the
 * cut-over transaction) and hit there: SIGINT, SIGTERM, SIGKILL, its destination connections dropped,
 * its source connections dropped. Then come real statement failures (a DDL error, a statement
 * timeout, a failed row count and a failed content checksum, a lock timeout, a failing cut-over
 * statement) and a stalled source.
 *
 * After each fault the destination's full contents must equal the old state or the new state
 * exactly, as the independent oracle (test/oracle) fingerprints them: catalog and data of the
 * destination against those of the destination before the run and those of the source. The exit
 * status must say which, and the next run must succeed (reporting what the interrupted one left
 * behind). The suite prints how many faults it injected and how many partial
 * states it found; the last test requires that to be zero.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { FAULT_POINTS, type FaultPoint } from "../src/pipeline/step-runner.js";
import { stateDifference } from "./helpers/db-state.js";
import { pairState } from "./helpers/oracle-compare.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import {
  type CliProcess,
  pausedCli,
  terminateRunSessions,
  toolSchemas,
  writeConfig,
} from "./helpers/safety-cli.js";

const FIXTURE = readFileSync(new URL("./fixtures/foundation-kinds.sql", import.meta.url), "utf8");
// The largest table, so that with one worker it is the one being copied at "copy:mid-stream".
const EVENTS = `
CREATE TABLE app.events (id bigint PRIMARY KEY, at timestamptz NOT NULL, payload text);
INSERT INTO app.events SELECT g, timestamptz '2025-01-01' + g * interval '1 minute', repeat(md5(g::text), 8)
FROM generate_series(1, 20000) g;`;
// Enough plain tables for a concurrent staging block (src/ddl/plan/staging-blocks.ts): the point
// "staging:part-committed" is inside it.
const MANY = `
CREATE SCHEMA many;
DO $$ BEGIN
  FOR i IN 1..60 LOOP
    EXECUTE format('CREATE TABLE many.t%s (id int PRIMARY KEY, v text)', i);
    EXECUTE format('INSERT INTO many.t%s VALUES (1, %L)', i, 'v' || i);
  END LOOP;
END $$;`;

const majors = testMajors();
const from = (majors.includes(17) ? 17 : majors[majors.length - 1]) as PgMajor;
const to = (majors.includes(14) ? 14 : majors[0]) as PgMajor;

/** The oracle's fingerprints of a database (test/helpers/oracle-compare.ts, pairState). */
type DatabaseState = readonly string[];
const captureState = (url: string): Promise<DatabaseState> => pairState(url, from, to);

type Kind = "SIGINT" | "SIGTERM" | "SIGKILL" | "drop destination connections" | "drop source connections";
const KINDS: readonly Kind[] = [
  "SIGINT",
  "SIGTERM",
  "SIGKILL",
  "drop destination connections",
  "drop source connections",
];

const tally = { injected: 0, partial: 0, old: 0, new: 0 };
const databases: FreshDatabase[] = [];
afterAll(async () => {
  process.stdout.write(
    `fault suite (PostgreSQL ${from} -> ${to}): injected ${tally.injected} faults; ` +
      `the destination held the old state ${tally.old} times, the new state ${tally.new} times, ` +
      `a partial state ${tally.partial} times\n`,
  );
  await Promise.all(databases.map((d) => d.drop()));
});

interface Pair {
  source: FreshDatabase;
  destination: FreshDatabase;
  changes: number;
}

/** A source with the fixture and a destination that holds a first copy of it. */
async function pair(): Promise<Pair> {
  const source = await freshDatabase(from);
  const destination = await freshDatabase(to);
  databases.push(source, destination);
  await withClient(source.url, (c) => c.query(FIXTURE + EVENTS + MANY));
  const first = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
  expect(first.error).toBeUndefined();
  return { source, destination, changes: 0 };
}

/** Changes the source, so that the destination's old and new states differ. */
async function changeSource(p: Pair): Promise<void> {
  p.changes++;
  const n = p.changes;
  await withClient(p.source.url, (c) =>
    c.query(`
      UPDATE app.users SET score = score + 1 WHERE id % 7 = ${n % 7};
      DELETE FROM app.events WHERE id = ${n};
      INSERT INTO app.events VALUES (${100000 + n}, now(), 'change ${n}');
      UPDATE public.settings SET value = 'v${n}' WHERE key = 'theme';`),
  );
}

/**
 * The CLI's exit; a run that does not end within 90 seconds is killed (so that it cannot hold the
 * destination for the next case) and fails the test with what it printed.
 */
async function exitOf(cli: CliProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cli.kill("SIGKILL");
      reject(new Error(`the run did not end within 90 s; it printed:\n${cli.stderr()}\n${cli.stdout()}`));
    }, 90_000);
  });
  try {
    return await Promise.race([cli.exited, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

async function query(url: string, sql: string): Promise<unknown[]> {
  return withClient(url, async (c) => (await c.query(sql)).rows);
}

function serverUrl(db: FreshDatabase): string {
  return db.url.replace(/\/[^/]+$/, "/postgres");
}

/**
 * Classifies the destination after a fault: the old state, the new state, or neither (counted as
 * partial, which fails the test).
 */
async function classify(destination: FreshDatabase, old: DatabaseState, fresh: DatabaseState) {
  const state = await captureState(destination.url);
  tally.injected++;
  const outcome = sameState(state, old) ? "old" : sameState(state, fresh) ? "new" : "partial";
  tally[outcome]++;
  // A partial state says how it differs from the old one, as the oracle sees it.
  const how = outcome === "partial" ? `\nagainst the old state:\n${stateDifference(old, state)}` : "";
  return { state, outcome, how };
}

function sameState(a: DatabaseState, b: DatabaseState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The next run must succeed, drop what the interrupted one left (and say so), and bring the new state. */
async function recover(p: Pair, expected: DatabaseState): Promise<void> {
  const leftover = await toolSchemas(p.destination.url, "_pgsync_stage_");
  const next = await runSync({
    sourceUrl: p.source.url,
    destinationUrl: p.destination.url,
    retention: { days: 7, count: 1 },
  });
  expect(next.error).toBeUndefined();
  expect(next.ok).toBe(true);
  expect([...next.leftoversCleaned].sort()).toEqual(leftover);
  if (leftover.length > 0) expect(next.warnings.join("\n")).toContain("left by an interrupted run");
  expect(await toolSchemas(p.destination.url, "_pgsync_stage_")).toEqual([]);
  expect(sameState(await captureState(p.destination.url), expected)).toBe(true);
}

function runArgs(p: Pair, config?: string): string[] {
  return ["run", "--from", p.source.url, "--to", p.destination.url, ...(config ? ["--config", config] : [])];
}

// Staging exists (committed) from the end of create-staging until the cut-over commits.
const STAGING_EXISTS = new Set<FaultPoint>([
  "staging:part-committed",
  "before:copy-data",
  "copy:mid-stream",
  "copy:table-loaded",
  "copy:index-build",
  "copy:foreign-key",
  "before:post-data",
  "before:verify",
  "before:analyze",
  "before:cutover",
  "cutover:locked",
  "cutover:moved-out",
  "cutover:before-commit",
]);

describe.each(KINDS)(`a run (PostgreSQL ${from} -> ${to}) hit by %s`, (kind) => {
  let p: Pair;
  it.each(FAULT_POINTS)(`at %s leaves the old or the new state, and the next run succeeds`, async (point) => {
    p ??= await pair();
    const old = await captureState(p.destination.url);
    await changeSource(p);
    const fresh = await captureState(p.source.url);
    expect(sameState(old, fresh)).toBe(false);

    const cli = await pausedCli(runArgs(p), point);
    if (kind === "SIGINT" || kind === "SIGTERM" || kind === "SIGKILL") {
      cli.kill(kind);
    } else {
      const side = kind === "drop source connections" ? p.source : p.destination;
      await terminateRunSessions(serverUrl(side), side.name);
      cli.resume();
    }
    const exit = await exitOf(cli);
    const { outcome, how } = await classify(p.destination, old, fresh);
    expect(outcome, `${kind} at ${point}: ${cli.stderr()}${how}`).not.toBe("partial");

    if (kind === "SIGKILL") {
      expect(exit.signal).toBe("SIGKILL");
      if (STAGING_EXISTS.has(point))
        expect(await toolSchemas(p.destination.url, "_pgsync_stage_")).not.toEqual([]);
    } else {
      // An interrupted or failed run cleans up after itself.
      expect(await toolSchemas(p.destination.url, "_pgsync_stage_")).toEqual([]);
      if (kind === "SIGINT") expect(exit.code).toBe(130);
      else if (kind === "SIGTERM") expect(exit.code).toBe(143);
      // The exit status tells the truth: 0 exactly when the new state is live.
      else expect(exit.code).toBe(outcome === "new" ? 0 : 1);
      if (exit.code === 1) expect(cli.stderr().trim().split("\n").at(-1)).toMatch(/^pgsync-ts: error: /);
    }
    const expected = expectedOutcome(kind, point);
    if (expected !== "either") expect(outcome).toBe(expected);
    await recover(p, fresh);
  });
});

/**
 * What the destination must hold after the fault. Until the cut-over commits it is the old state;
 * after it (at "before:prune") the new one. A dropped connection only fails the run while that side
 * is still needed; dropping the source's connections once a table is loaded may or may not come
 * before the last COPY ends, so either outcome is right there (the exit status must still match).
 */
function expectedOutcome(kind: Kind, point: FaultPoint): "old" | "new" | "either" {
  if (point === "before:prune") return "new";
  if (!kind.startsWith("drop")) return "old";
  if (point === "before:connect") return "new"; // nothing to drop yet
  if (kind === "drop destination connections") return "old";
  if (point === "copy:table-loaded" || point === "copy:index-build" || point === "copy:foreign-key")
    return "either";
  return FAULT_POINTS.indexOf(point) <= FAULT_POINTS.indexOf("before:copy-data") ||
    point === "staging:part-committed" ||
    point === "copy:mid-stream"
    ? "old"
    : "new";
}

describe(`statement failures and a stalled source (PostgreSQL ${from} -> ${to})`, () => {
  let p: Pair;

  async function faultCase(
    point: FaultPoint,
    config: Record<string, unknown> | undefined,
    inject: (p: Pair, cli: CliProcess) => Promise<(() => Promise<void>) | undefined>,
    expectMessage: RegExp,
    beforeRecovery?: (p: Pair) => Promise<void>,
  ): Promise<void> {
    p ??= await pair();
    const old = await captureState(p.destination.url);
    await changeSource(p);
    const fresh = await captureState(p.source.url);
    const cli = await pausedCli(runArgs(p, config ? writeConfig(config) : undefined), point);
    const release = await inject(p, cli);
    cli.resume();
    const exit = await exitOf(cli).finally(() => release?.());
    const { outcome, how } = await classify(p.destination, old, fresh);
    expect(outcome, `${cli.stderr()}${how}`).toBe("old");
    expect(exit.code).toBe(1);
    const last = cli.stderr().trim().split("\n").at(-1) ?? "";
    expect(last).toMatch(/^pgsync-ts: error: /);
    expect(last).toMatch(expectMessage);
    await beforeRecovery?.(p);
    await recover(p, fresh);
  }

  async function stagingSchemaOf(p: Pair, table: string): Promise<string> {
    return withClient(p.destination.url, async (c) => {
      const r = await c.query(
        `SELECT n.nspname FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE t.relname = $1 AND n.nspname LIKE '\\_pgsync\\_stage%'`,
        [table],
      );
      expect(r.rows).toHaveLength(1);
      return r.rows[0].nspname as string;
    });
  }

  it("a DDL error on the destination (a foreign key that no longer holds)", async () => {
    await faultCase(
      "copy:foreign-key",
      undefined,
      async (p) => {
        const stage = await stagingSchemaOf(p, "members");
        await withClient(p.destination.url, (c) =>
          c.query(`INSERT INTO "${stage}".members (team_id, user_id) VALUES (1, 999999)`),
        );
        return undefined;
      },
      /members_user_id_fkey/,
    );
  });

  it("a statement timeout (adding a foreign key waits for a lock longer than statementSeconds)", async () => {
    await faultCase(
      "copy:foreign-key",
      // The lock wait is bounded by lockSeconds (300 s); the statement, by statementSeconds.
      { defaults: { timeouts: { statementSeconds: 1 } } },
      async (p) => {
        const stage = await stagingSchemaOf(p, "users");
        const { default: pg } = await import("pg");
        const holder = new pg.Client({ connectionString: p.destination.url });
        await holder.connect();
        // ROW EXCLUSIVE (a writer) conflicts with the SHARE ROW EXCLUSIVE that ADD FOREIGN KEY takes.
        await holder.query(`BEGIN; LOCK TABLE "${stage}".users IN ROW EXCLUSIVE MODE`);
        return async () => {
          await holder.query("ROLLBACK");
          await holder.end();
        };
      },
      /canceling statement due to statement timeout/,
    );
  });

  it("a failed verification (a row the source never had appears in a staged table during its load)", async () => {
    await faultCase(
      "before:copy-data",
      undefined,
      async (p) => {
        // The load holds its staging table exclusively (TRUNCATE, then COPY FREEZE), so no other
        // session can write into it meanwhile; a trigger inside the load's own transaction can.
        const stage = await stagingSchemaOf(p, "events");
        await withClient(p.destination.url, (c) =>
          c.query(`
            CREATE FUNCTION "${stage}".sneak() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF pg_trigger_depth() = 1 THEN
                INSERT INTO "${stage}".events (id, at, payload) VALUES (-1, now(), 'not from the source');
              END IF;
              RETURN NULL;
            END $$;
            CREATE TRIGGER sneak AFTER INSERT ON "${stage}".events FOR EACH STATEMENT EXECUTE FUNCTION "${stage}".sneak();`),
        );
        return undefined;
      },
      /verification failed: "app"\."events": source has (\d+) rows, destination has (\d+)/,
    );
  });

  it("a failed content checksum (verify: checksum; a staged value changes, the row count stays)", async () => {
    await faultCase(
      "before:verify",
      { defaults: { verify: "checksum" } },
      async (p) => {
        const stage = await stagingSchemaOf(p, "users");
        await withClient(p.destination.url, (c) =>
          c.query(
            `UPDATE "${stage}".users SET email = 'not from the source' WHERE id = (SELECT min(id) FROM "${stage}".users)`,
          ),
        );
        return undefined;
      },
      /verification failed: "app"\."users": content differs/,
    );
  });

  it("a reader holding a lock past lockSeconds at the cut-over", async () => {
    await faultCase(
      "before:cutover",
      { defaults: { timeouts: { lockSeconds: 2 } } },
      async (p) => {
        const { default: pg } = await import("pg");
        const reader = new pg.Client({ connectionString: p.destination.url, application_name: "reader" });
        await reader.connect();
        await reader.query("BEGIN; SELECT count(*) FROM app.users");
        return async () => {
          await reader.query("COMMIT");
          await reader.end();
        };
      },
      /could not lock the tables it swaps within 2 seconds.*application "reader"/,
    );
  });

  it("a statement of the cut-over itself fails (an extension left in a staging schema)", async () => {
    let stage = "";
    await faultCase(
      "before:cutover",
      undefined,
      async (p) => {
        stage = await stagingSchemaOf(p, "users");
        await withClient(p.destination.url, (c) => c.query(`CREATE EXTENSION citext SCHEMA "${stage}"`));
        return undefined;
      },
      /schema "_pgsync_stage_\w+" failed on the destination: cannot drop schema/,
      async (p) => {
        // Dropping that staging schema would drop the extension: neither the failed run nor the next
        // one forces it. The next run succeeds and reports the leftover instead.
        const next = await runSync({ sourceUrl: p.source.url, destinationUrl: p.destination.url });
        expect(next.ok).toBe(true);
        expect(next.warnings).toContainEqual(
          expect.stringMatching(
            /^leftover not cleaned: schema .* was not dropped, because dropping it would also drop .*extension "citext"/,
          ),
        );
        expect(
          await query(
            p.destination.url,
            "SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'citext'",
          ),
        ).toEqual([{ n: 1 }]);
        await query(p.destination.url, "DROP EXTENSION citext");
      },
    );
    expect(stage).not.toBe("");
  });

  it("a source that stops sending mid-COPY is cut by the stall detector (stallSeconds)", async () => {
    await faultCase(
      "copy:mid-stream",
      { defaults: { parallelism: 1, timeouts: { stallSeconds: 2 } } },
      async (p, cli) => {
        // Freeze the source backend that serves the COPY (the suite runs as root): no more bytes.
        const pid = await withClient(serverUrl(p.source), async (c) => {
          const r = await c.query(
            `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'pgsync-ts %' AND query LIKE 'COPY %TO STDOUT%'`,
            [p.source.name],
          );
          expect(r.rows).toHaveLength(1);
          return r.rows[0].pid as number;
        });
        process.kill(pid, "SIGSTOP");
        // The run closes its connections only after it failed; the frozen backend must then go on.
        void cli
          .waitForStderr(/stalled: no data for 2 seconds/, 60_000)
          .finally(() => process.kill(pid, "SIGCONT"));
        return async () => {
          try {
            process.kill(pid, "SIGCONT");
          } catch {
            // already gone
          }
        };
      },
      /copying table "app"\."events" stalled: no data for 2 seconds/,
    );
  });

  it("found no partial state", () => {
    const expected = KINDS.length * FAULT_POINTS.length + 7;
    expect(tally.injected).toBe(expected);
    expect(tally.partial).toBe(0);
  });
});
