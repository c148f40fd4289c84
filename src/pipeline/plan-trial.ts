import type pg from "pg";
import { begin } from "../db/session.js";
import type { Statement, SyncPlan } from "../ddl/plan.js";
import { errorMessage, PgsyncError, type ServerErrorFields, serverFields } from "../errors.js";
import { describeObject } from "../sql/describe.js";
import type { RunContext } from "./context.js";
import { ensureExtensions } from "./extensions.js";
import type { LiveNames } from "./plan-names.js";
import type { Endpoints } from "./steps/connect.js";
import { stagingSettings } from "./steps/create-staging.js";

/** What a passing trial proves, and what it does not: the plan's output says it in these words. */
export const TRIAL_SCOPE =
  "a passing trial means the destination's version accepts the DDL; it does not mean the data will load: foreign key validation and unique index builds on the real rows are not tried";

export type TrialPhase = "extensions" | "pre-data" | "keys and indexes" | "foreign keys" | "post-data";

export interface TrialFailure {
  readonly phase: TrialPhase;
  readonly object: string;
  /** The statement as it reads after the cut-over (live schema names). */
  readonly sql: string;
  readonly message: string;
  readonly server?: ServerErrorFields;
}

export interface TrialReport {
  readonly ran: boolean;
  readonly ok: boolean;
  /** Why the trial did not run: a run would be refused, --no-trial, the destination lock is held. */
  readonly skipped?: string;
  /** Statements tried. */
  readonly statements: number;
  readonly seconds: number;
  /** Every statement the destination rejected, in the order the run would execute them. */
  readonly failures: readonly TrialFailure[];
}

export function skippedTrial(reason: string): TrialReport {
  return { ran: false, ok: false, skipped: reason, statements: 0, seconds: 0, failures: [] };
}

const SAVEPOINT = "pgsync_trial";

/**
 * The trial of a plan: the DDL a run executes, on empty staging tables, in ONE destination
 * transaction that is always rolled back, under the run's destination lock (the caller holds it).
 * The settings are the staging step's own (search_path pinned, function bodies not checked), and
 * the same extension step runs first, so the trial applies the run's rules. Each statement runs
 * under a savepoint: a rejected one is rolled back to it, and the trial goes on, so every failing
 * statement is reported, not only the first (those after it may fail because they need its object).
 * Materialized views stay as the pre-data creates them, WITH NO DATA: their refresh is not tried.
 */
export async function trialPlan(
  ctx: RunContext,
  ends: Endpoints,
  plan: SyncPlan,
  names: LiveNames,
): Promise<TrialReport> {
  const dst = ends.destination.client;
  const started = Date.now();
  const failures: TrialFailure[] = [];
  let statements = 0;
  const attempt = async (phase: TrialPhase, s: Statement, run: () => Promise<unknown>) => {
    statements++;
    await dst.query(`SAVEPOINT ${SAVEPOINT}`);
    try {
      await run();
      await dst.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    } catch (error) {
      await dst.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      failures.push(describeFailure(phase, s, error, names));
    }
  };
  const tryAll = async (phase: TrialPhase, list: readonly Statement[]) => {
    for (const s of list) await attempt(phase, s, () => dst.query(s.sql));
  };

  await begin(dst, stagingSettings(ctx));
  try {
    if (plan.extensions.length > 0) {
      const listed = plan.extensions.map((e) => describeObject("extension", e.name)).join(", ");
      const statement = { object: listed, sql: `-- ${listed}` };
      await attempt("extensions", statement, () => ensureExtensions(dst, plan.extensions, ctx.warn));
    }
    await tryAll("pre-data", plan.preData);
    // The run checks function bodies again after the staging step (its later transactions do not
    // turn the check off).
    await dst.query("SET LOCAL check_function_bodies TO DEFAULT");
    await tryAll(
      "keys and indexes",
      plan.tables.flatMap((t) => [...t.keyIndexes, ...t.indexes, ...t.keys]),
    );
    await tryAll("foreign keys", plan.foreignKeys);
    await tryAll(
      "post-data",
      plan.postData.filter((s) => !isRefresh(s)),
    );
  } finally {
    await rollback(dst);
  }
  return {
    ran: true,
    ok: failures.length === 0,
    statements,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    failures,
  };
}

/**
 * A materialized view's refresh, which the plan renders itself (src/ddl/plan/table-items.ts): a
 * statement of the plan starts with the tool's own text, never with text taken from the source.
 */
function isRefresh(s: Statement): boolean {
  return s.sql.startsWith("REFRESH MATERIALIZED VIEW ");
}

async function rollback(client: pg.Client): Promise<void> {
  try {
    await client.query("ROLLBACK");
  } catch (error) {
    // The connection is gone (and the server rolls back with it): nothing stays on the destination.
    throw new PgsyncError("ddl", `the trial could not be rolled back: ${errorMessage(error)}`, {
      side: "destination",
    });
  }
}

function describeFailure(phase: TrialPhase, s: Statement, error: unknown, names: LiveNames): TrialFailure {
  const fields = error instanceof PgsyncError ? error.context.server : serverFields(error);
  const message =
    error instanceof PgsyncError ? error.message : error instanceof Error ? error.message : String(error);
  const server = fields
    ? (Object.fromEntries(
        Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? names.text(v) : v]),
      ) as ServerErrorFields)
    : undefined;
  return {
    phase,
    object: s.object,
    sql: names.sql(s.sql),
    message: names.text(message),
    ...(server ? { server } : {}),
  };
}
