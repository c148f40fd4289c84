/**
 * The library API. The command line is a thin shell over these functions, and the tests call them
 * directly.
 */
export type { LoadedConfig, ProfileConfig, ResolvedProfile } from "./config/index.js";
export { adHocProfile, describeProfile, loadConfig, resolveProfile } from "./config/index.js";
export { planSync } from "./ddl/plan.js";
export type { ErrorKind, PgsyncErrorContext } from "./errors.js";
export { PgsyncError } from "./errors.js";
export { introspect } from "./introspect/index.js";
export type { CatalogModel } from "./introspect/model.js";
export type { PlanReport } from "./pipeline/plan-only.js";
export { planRun } from "./pipeline/plan-only.js";
export type { RunEvent, RunOptions, RunReport, TableReport } from "./pipeline/run.js";
export { runSync } from "./pipeline/run.js";
export { FAULT_POINTS, RUN_STEPS } from "./pipeline/step-runner.js";
export type { SnapshotRecord } from "./restore/meta.js";
export { listSnapshots } from "./restore/meta.js";
export { pruneSnapshots } from "./restore/retention.js";
export { rollback } from "./restore/rollback.js";
export { maskConnectionString, redact } from "./util/redact.js";
export type { VerifyReport } from "./verify/compare.js";
export { verifyDatabases } from "./verify/compare.js";
