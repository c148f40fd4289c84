import type { ConnectionSpec, LoadedConfig, ResolvedProfile } from "../config/index.js";
import { resolveProfile } from "../config/index.js";
import { errorMessage, PgsyncError } from "../errors.js";
import { listSnapshots, type SnapshotRecord } from "../restore/meta.js";
import { maskConnectionString } from "../util/redact.js";
import { summarizeRuns } from "./history-stats.js";
import { type RunRecord, readRuns } from "./history-store.js";
import { openHistoryReader } from "./record-run.js";
import type { ScheduledJob, Scheduler } from "./scheduler.js";
import type { ProfileView } from "./status-page.js";

/** Runs listed per profile on the status page (and charted); the rollbacks and snapshots listed. */
const STATUS_PAGE_RUNS = 50;
const STATUS_PAGE_ROLLBACKS = 10;
const STATUS_PAGE_SNAPSHOTS = 10;

/** A profile this service schedules. */
export interface ServedProfile {
  readonly profile: ResolvedProfile;
  readonly job: ScheduledJob;
}

/**
 * The status page's data: one view per configured profile (scheduled here or not), in that order:
 * the profiles this service schedules, the others it can read, then those whose connection
 * variables are not set on this host. Each view reads its destination's run history (syncs and
 * rollbacks) and snapshots, on a connection of its own; a destination that cannot be read says why.
 */
export async function statusViews(
  config: LoadedConfig,
  env: NodeJS.ProcessEnv,
  served: ReadonlyMap<string, ServedProfile>,
  scheduler: Scheduler,
): Promise<ProfileView[]> {
  const health = new Map(scheduler.health().map((h) => [h.name, h.ok]));
  const views = await Promise.all(
    [...config.profiles.keys()].map(async (name): Promise<ProfileView> => {
      const entry = served.get(name);
      if (entry) {
        const status = scheduler.status(name, 3);
        return {
          ...(await historyOf(name, entry.profile.destinationUrl, entry.profile.timeouts.connectSeconds)),
          name,
          served: "scheduled",
          cron: entry.job.cron,
          timezone: entry.job.timezone,
          source: maskConnectionString(entry.profile.sourceUrl),
          destination: maskConnectionString(entry.profile.destinationUrl),
          next: status?.next ?? [],
          running: status?.running ?? null,
          healthy: health.get(name) ?? false,
        };
      }
      return unservedView(config, env, name);
    }),
  );
  const rank = (v: ProfileView) => (v.served === "scheduled" ? 0 : (v.problems?.length ?? 0) === 0 ? 1 : 2);
  return views.sort((a, b) => rank(a) - rank(b));
}

/** A profile this service does not run: still shown, with its history when its destination resolves. */
async function unservedView(
  config: LoadedConfig,
  env: NodeJS.ProcessEnv,
  name: string,
): Promise<ProfileView> {
  const spec = config.profiles.get(name);
  if (!spec)
    throw new PgsyncError("config", `profile "${name}" is not in the configuration`, {
      object: `profile "${name}"`,
    });
  const problems = [
    unsetVariable(spec.source, "source", env),
    unsetVariable(spec.destination, "destination", env),
  ];
  const base = {
    name,
    served: spec.schedule ? ("elsewhere" as const) : ("unscheduled" as const),
    ...(spec.schedule ? { cron: spec.schedule.cron, timezone: spec.schedule.timezone } : {}),
    source: describeSide(spec.source, env),
    destination: describeSide(spec.destination, env),
    next: [],
    running: null,
    healthy: false,
  };
  let destinationUrl: string | undefined;
  try {
    // Only the destination holds the history: a profile whose source variable is unset still reads it.
    destinationUrl = resolveProfile(config, name, env, "destination").destinationUrl;
    resolveProfile(config, name, env);
  } catch (error) {
    if (!problems.some(Boolean)) problems.push(errorMessage(error));
  }
  const listed = problems.filter((p): p is string => p !== undefined);
  const history = destinationUrl
    ? await historyOf(name, destinationUrl, spec.timeouts.connectSeconds)
    : { runs: [], rollbacks: [], snapshots: [], summary: summarizeRuns([]) };
  return { ...base, ...history, problems: listed };
}

/** "environment variable X is not set (source)" for a side whose variable has no value here. */
function unsetVariable(spec: ConnectionSpec, side: string, env: NodeJS.ProcessEnv): string | undefined {
  if (!("env" in spec)) return undefined;
  const value = env[spec.env];
  if (value !== undefined && value.trim() !== "") return undefined;
  return `environment variable ${spec.env} is ${value === undefined ? "not set" : "empty"} (${side})`;
}

function describeSide(spec: ConnectionSpec, env: NodeJS.ProcessEnv): string {
  if ("url" in spec) return maskConnectionString(spec.url);
  const value = env[spec.env]?.trim();
  return value ? maskConnectionString(value) : `$${spec.env}`;
}

async function historyOf(
  name: string,
  destinationUrl: string,
  connectSeconds: number,
): Promise<Pick<ProfileView, "runs" | "rollbacks" | "snapshots" | "summary" | "historyError">> {
  let runs: RunRecord[] = [];
  let rollbacks: RunRecord[] = [];
  let snapshots: SnapshotRecord[] = [];
  let historyError: string | undefined;
  let history: Awaited<ReturnType<typeof openHistoryReader>> | undefined;
  try {
    // A page must not hang on one unreachable destination.
    history = await openHistoryReader(destinationUrl, Math.min(5, connectSeconds));
    runs = await readRuns(history.client, { profiles: [name], limit: STATUS_PAGE_RUNS });
    rollbacks = await readRuns(history.client, {
      profiles: [name],
      limit: STATUS_PAGE_ROLLBACKS,
      kinds: ["rollback"],
    });
    snapshots = (await listSnapshots(history.client)).slice(0, STATUS_PAGE_SNAPSHOTS);
  } catch (error) {
    historyError = errorMessage(error);
  } finally {
    await history?.close();
  }
  return {
    runs,
    rollbacks,
    snapshots,
    summary: summarizeRuns(runs),
    ...(historyError ? { historyError } : {}),
  };
}
