import type { SyncPlan } from "../../ddl/plan.js";
import type { EffectiveGrant } from "../../introspect/queries/privileges.js";
import type { GuardResult } from "../../restore/guards.js";
import type { RunContext } from "../context.js";
import type { RunResults } from "../report.js";
import type { StepName, StepRunner } from "../step-runner.js";
import { analyzeStep } from "./analyze.js";
import type { Endpoints } from "./connect.js";
import { cutoverStep } from "./cutover.js";
import { postDataStep } from "./post-data.js";
import { pruneAfterCutover } from "./prune.js";
import { type VerifyInput, verifyStep } from "./verify.js";

/** What the steps after the load need that differs between a run and an archive restore. */
export interface FinishInput {
  readonly plan: SyncPlan;
  readonly guard: GuardResult;
  /** verify's inputs besides the plan, the loaded tables, the large objects and the result's sink. */
  readonly verify: Pick<VerifyInput, "rows" | "recordedDigest">;
  /** The source's grants, read at the snapshot (a run) or recorded in an archive (a restore). */
  readonly sourceGrants: readonly EffectiveGrant[];
  /** The masking rules' fingerprint of the new state; null for none. */
  readonly maskFingerprint: string | null;
}

/**
 * The steps of a run and of an archive restore once the rows are in, in their one order: post-data,
 * verify (before the cut-over: a difference leaves the live schemas untouched), analyze, the
 * cut-over, and the prune (optional: its failure leaves the new state standing). Each result goes
 * into `results` as soon as it exists, so that a failed step still reports what came before.
 */
export async function finishAfterLoad(
  ctx: RunContext,
  runner: {
    readonly steps: StepRunner;
    readonly step: <T>(name: StepName, fn: () => Promise<T>) => Promise<T>;
  },
  ends: Pick<Endpoints, "destination" | "sourceInfo"> & { readonly source?: Endpoints["source"] },
  results: RunResults,
  input: FinishInput,
): Promise<void> {
  const { step, steps } = runner;
  const { plan, guard } = input;
  const largeObjects = results.largeObjects;
  await step("post-data", () => postDataStep(ctx, ends, plan));
  await step("verify", () =>
    verifyStep(ctx, ends, {
      plan,
      tables: results.tables,
      largeObjects,
      ...input.verify,
      onResult: (v) => {
        results.verification = v;
      },
    }),
  );
  await step("analyze", () => analyzeStep(ctx, ends, plan));
  results.snapshot = await step("cutover", () =>
    cutoverStep(ctx, ends, {
      plan,
      guard,
      sourceGrants: input.sourceGrants,
      ...(largeObjects ? { largeObjects } : {}),
    }),
  );
  const pruned = await pruneAfterCutover(ctx, steps, ends, input.maskFingerprint);
  if (pruned) results.prune = pruned;
}
