import type { Statement, SyncPlan } from "../ddl/plan.js";
import { type ErrorKind, PgsyncError } from "../errors.js";
import type { NotCarried } from "../introspect/model.js";
import type { GuardResult } from "../restore/guards.js";
import { qualify } from "../sql/quote.js";
import { maskConnectionString, redactDeep } from "../util/redact.js";
import { createRunContext, type RunContext } from "./context.js";
import type { RunOptions } from "./options.js";
import { isStagingSchemaStatement, type LiveNames, liveNames } from "./plan-names.js";
import { skippedTrial, TRIAL_SCOPE, type TrialReport, trialPlan } from "./plan-trial.js";
import { connectStep, type Endpoints } from "./steps/connect.js";
import { guardStep } from "./steps/guard.js";
import { introspectStep, type SourceCatalog } from "./steps/introspect.js";
import { type LockResult, lockStep } from "./steps/lock.js";
import { maskStep } from "./steps/mask.js";
import { renderPlan, unportableObjects } from "./steps/plan.js";
import { snapshotSourceStep } from "./steps/snapshot-source.js";

export type { TrialFailure, TrialReport } from "./plan-trial.js";
export { TRIAL_SCOPE } from "./plan-trial.js";

/** What `plan` takes: a run's selection, privilege and guard options, and whether to try the DDL. */
export type PlanOptions = Pick<
  RunOptions,
  | "sourceUrl"
  | "destinationUrl"
  | "timeouts"
  | "schemas"
  | "excludeSchemas"
  | "structureOnly"
  | "includeTables"
  | "excludeTables"
  | "force"
  | "allowProduction"
  | "includePrivileges"
  | "copyDatabaseSettings"
  | "masking"
  | "env"
> & {
  /** Shorthand for `timeouts.connectSeconds`. */
  readonly connectSeconds?: number;
  /** Default true: when every guard passes, try the DDL on the destination and roll it back. */
  readonly trial?: boolean;
};

/** One of the checks a run makes before it writes, and what it found. */
export interface GuardCheck {
  /**
   * destination: the guard step; privileges: the introspect step's check; portability: the plan's
   * refusals; masking: the plan step's masking stage (its rules must apply to this source).
   */
  readonly name: "destination" | "privileges" | "portability" | "masking";
  readonly ok: boolean;
  /** Why a run would be refused (one line per reason), or what a passing check means. */
  readonly reasons: readonly string[];
}

export interface PlanReport {
  /** True when a run would not be refused and the trial (unless turned off) passed. */
  readonly ok: boolean;
  readonly source: string;
  readonly destination: string;
  readonly sourceVersion: string;
  readonly destinationVersion: string;
  readonly schemas: readonly string[];
  readonly tables: readonly {
    readonly table: string;
    readonly bytes: number;
    readonly estimatedRows: number;
    readonly format: string;
    readonly data: boolean;
  }[];
  /** The DDL a run would execute, in order, as it reads after the cut-over (live schema names). */
  readonly ddl: readonly Statement[];
  readonly guards: readonly GuardCheck[];
  /** Every reason a run would be refused (the failed guards' reasons); empty when it would run. */
  readonly refused: readonly string[];
  readonly trial: TrialReport & { readonly scope: string };
  readonly notCarried: readonly NotCarried[];
  readonly warnings: readonly string[];
}

/**
 * What a run would do, told by the run's own steps: connect, guard, lock, snapshot-source,
 * introspect and plan, then a trial of the DDL in one destination transaction that is rolled back
 * (src/pipeline/plan-trial.ts). Nothing is written to the destination: the guards, the checks and
 * the refusals read; the trial runs only when they all pass, and leaves the catalog as it found it.
 */
export async function planRun(options: PlanOptions): Promise<PlanReport> {
  const ctx = createRunContext({
    ...options,
    timeouts: {
      ...options.timeouts,
      ...(options.connectSeconds === undefined ? {} : { connectSeconds: options.connectSeconds }),
    },
    // A plan reports a busy destination instead of waiting for the run that holds it.
    lockWait: "fail",
  });
  try {
    const ends = await connectStep(ctx);
    const guards: GuardCheck[] = [];
    const guard = await check(guards, "destination", () => guardStep(ctx, ends), { describe: describeGuard });
    const wantsTrial = options.trial !== false;
    // The run's order: the lock before the snapshot. Only the trial needs it; held until the end.
    const lock = guard && wantsTrial ? await lockStep(ctx, ends).catch(busyLock) : undefined;
    await snapshotSourceStep(ends);
    const source = await check(guards, "privileges", () => introspectStep(ctx, ends));
    const plan = source ? await renderPlan(ctx, ends, source.model) : undefined;
    if (source && plan) {
      const unportable = unportableObjects(plan, source.model);
      guards.push({ name: "portability", ok: unportable.length === 0, reasons: unportable });
      for (const w of plan.warnings) ctx.warn(w);
      const largeObjects = source.largeObjects ? (source.model.largeObjects?.length ?? 0) : 0;
      // The plan step's masking stage refuses with a configuration error: here, a refusal like the others.
      await check(guards, "masking", () => maskStep(ctx, ends, { model: source.model, plan, largeObjects }), {
        kinds: ["guard", "config"],
      });
    }
    const refused = guards.flatMap((g) => (g.ok ? [] : g.reasons));
    const names = plan ? liveNames(plan) : undefined;
    const trial = await runTrial(ctx, ends, {
      plan,
      names,
      wanted: wantsTrial,
      refused: refused.length > 0,
      lock,
    });
    return redactDeep(
      report(ctx, ends, {
        source,
        plan,
        names,
        guards,
        refused,
        trial,
        ok: refused.length === 0 && (trial.ok || !wantsTrial),
      }),
    );
  } finally {
    await ctx.closeAll();
  }
}

/** Runs one check; its refusal (a PgsyncError of kind "guard", or of `kinds`) is recorded, anything else thrown. */
async function check<T>(
  guards: GuardCheck[],
  name: GuardCheck["name"],
  fn: () => Promise<T>,
  how: { describe?: (value: T) => string; kinds?: readonly ErrorKind[] } = {},
): Promise<T | undefined> {
  try {
    const value = await fn();
    const reason = how.describe?.(value);
    guards.push({ name, ok: true, reasons: reason ? [reason] : [] });
    return value;
  } catch (error) {
    if (!(error instanceof PgsyncError) || !(how.kinds ?? ["guard"]).includes(error.kind)) throw error;
    guards.push({ name, ok: false, reasons: [error.message] });
    return undefined;
  }
}

/** Another run holds the destination lock (a refusal of kind "guard"): the trial cannot run now. */
function busyLock(error: unknown): PgsyncError {
  if (error instanceof PgsyncError && error.kind === "guard") return error;
  throw error;
}

function describeGuard(guard: GuardResult): string {
  if (guard.adopt === "forced")
    return "a run adopts this non-empty destination (--force) and records it as managed by pgsync-ts";
  if (guard.adopt === "empty") return "the destination is empty: a first run makes it managed by pgsync-ts";
  return "the destination is managed by pgsync-ts";
}

async function runTrial(
  ctx: RunContext,
  ends: Endpoints,
  input: {
    plan: SyncPlan | undefined;
    names: LiveNames | undefined;
    wanted: boolean;
    refused: boolean;
    lock: LockResult | PgsyncError | undefined;
  },
): Promise<TrialReport> {
  const { plan, names, lock } = input;
  if (!input.wanted) return skippedTrial("--no-trial was given");
  if (input.refused || !plan || !names) return skippedTrial("a run would be refused");
  if (lock instanceof PgsyncError)
    return skippedTrial(`${lock.message}; retry when it ends, or pass --no-trial`);
  return trialPlan(ctx, ends, plan, names);
}

function report(
  ctx: RunContext,
  ends: Endpoints,
  r: {
    source: SourceCatalog | undefined;
    plan: SyncPlan | undefined;
    names: LiveNames | undefined;
    guards: GuardCheck[];
    refused: string[];
    trial: TrialReport;
    ok: boolean;
  },
): PlanReport {
  const { plan, names } = r;
  const statements = plan
    ? [
        ...plan.preData.filter((s) => !isStagingSchemaStatement(plan, s.sql)),
        ...plan.tables.flatMap((t) => [...t.keyIndexes, ...t.indexes, ...t.keys]),
        ...plan.foreignKeys,
        ...plan.postData,
        ...plan.cutover,
      ]
    : [];
  return {
    ok: r.ok,
    source: maskConnectionString(ctx.options.sourceUrl),
    destination: maskConnectionString(ctx.options.destinationUrl),
    sourceVersion: ends.sourceInfo.version,
    destinationVersion: ends.destinationInfo.version,
    schemas: plan?.schemas.map((s) => s.name) ?? [],
    tables:
      plan?.tables.map((t) => ({
        table: qualify(t.table.schema, t.table.name),
        bytes: t.table.bytes,
        estimatedRows: t.table.estimatedRows,
        format: t.format,
        data: t.copyData,
      })) ?? [],
    ddl: statements.map((s) => ({ object: s.object, sql: names ? names.sql(s.sql) : s.sql })),
    guards: r.guards,
    refused: r.refused,
    trial: { ...r.trial, scope: TRIAL_SCOPE },
    notCarried: r.source?.model.notCarried ?? [],
    warnings: [...ctx.warnings].map((w) => (names ? names.text(w) : w)),
  };
}
