import type { Logger } from "pino";
import {
  DEFAULT_MISFIRE_GRACE_SECONDS,
  type LoadedConfig,
  type ResolvedProfile,
  resolveProfile,
} from "../config/index.js";
import { errorMessage, PgsyncError } from "../errors.js";
import { createLogger } from "../output/logger.js";
import { logRunEvent } from "../output/run-events.js";
import { maskConnectionString } from "../util/redact.js";
import { destinationKey } from "./destination-key.js";
import { lastScheduledSlot, markAbandoned, readRuns } from "./history-store.js";
import { type HttpHandle, resolveHttpToken, startHttpServer } from "./http-server.js";
import { ServiceMetrics } from "./metrics.js";
import { formatSeconds, startupMisfire } from "./misfire.js";
import { buildNotifiers, type Notifiers } from "./notify/index.js";
import { openHistoryReader } from "./record-run.js";
import { runProfile, skipProfileRun, syncOptionsFor } from "./run-profile.js";
import { type ScheduledJob, Scheduler } from "./scheduler.js";
import { statusViews } from "./status-data.js";
import { renderStatusPage } from "./status-page.js";

export interface ServiceOptions {
  readonly config: LoadedConfig;
  readonly env: NodeJS.ProcessEnv;
  /** Schedule only these profiles (each must have a schedule); default: every profile with one. */
  readonly profiles?: readonly string[];
  /** For service-wide lines (profile "*"). Per-profile loggers are made with createLogger. */
  readonly log?: Logger;
}

interface ServiceProfile {
  readonly profile: ResolvedProfile;
  readonly job: ScheduledJob;
  readonly notifiers: Notifiers;
  readonly log: Logger;
}

export interface Service {
  readonly scheduler: Scheduler;
  readonly metrics: ServiceMetrics;
  readonly http?: HttpHandle;
  readonly profiles: readonly string[];
  /** Stops scheduling, gives running syncs `shutdownGraceSeconds`, aborts them, closes the HTTP server. */
  stop(): Promise<void>;
}

/**
 * `pgsync-ts serve`: schedules every profile that has a schedule, logs each registered job, catches
 * up a run missed while the service was down (per the run history), and serves the optional HTTP
 * endpoints.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { config, env } = options;
  const log = options.log ?? createLogger({ profile: "*" });
  // Read (and registered for redaction) before anything starts: a missing token fails the start.
  const httpToken = resolveHttpToken(config.service.http?.token, env);
  const entries = resolveScheduled(config, env, options.profiles, log);
  const byName = new Map(entries.map((e) => [e.profile.name, e]));
  const metrics = new ServiceMetrics(entries.map((e) => e.profile.name));

  const scheduler = new Scheduler(
    entries.map((e) => e.job),
    {
      run: async (job, slot, context) => {
        const entry = byName.get(job.name) as ServiceProfile;
        const late = context.lateMs >= 1000 ? ` (${formatSeconds(context.lateMs / 1000)} late)` : "";
        entry.log.info(
          {
            scheduledFor: slot.toISOString(),
            lateSeconds: Math.round(context.lateMs / 100) / 10,
            catchUp: context.catchUp,
          },
          `run starting for the slot ${slot.toISOString()}${late}${context.catchUp ? ", catching up a run missed while the service was down" : ""}`,
        );
        const result = await runProfile({
          profile: entry.profile,
          trigger: "scheduled",
          scheduledFor: slot,
          log: entry.log,
          notifiers: entry.notifiers,
          run: {
            ...syncOptionsFor(entry.profile),
            signal: context.signal,
            onEvent: (e) => logRunEvent(entry.log, e),
          },
        });
        const { report, status } = result;
        metrics.recordRun(job.name, {
          status,
          finishedAt: new Date(report.finishedAt),
          seconds: report.seconds,
          rows: report.totals.rows,
          bytes: report.totals.bytes,
        });
        metrics.setNextRun(job.name, scheduler.status(job.name, 1)?.next[0]);
        const fields = {
          runId: report.runId,
          outcome: status,
          seconds: report.seconds,
          tables: report.totals.tables,
          rows: report.totals.rows,
          bytes: report.totals.bytes,
          historyId: result.recordId,
          ...(report.error ? { error: report.error } : {}),
        };
        if (status === "succeeded")
          entry.log.info(fields, `run ${report.runId} succeeded in ${report.seconds}s`);
        else
          entry.log.error(
            fields,
            `run ${report.runId} ${status}: ${String(report.error?.message ?? "")}; the synced schemas keep their previous state`,
          );
      },
      skip: async (job, slot, reason) => {
        const entry = byName.get(job.name) as ServiceProfile;
        entry.log.warn({ scheduledFor: slot.toISOString(), skipped: true }, `skipped: ${reason}`);
        metrics.recordSkip(job.name);
        await skipProfileRun({
          profile: entry.profile,
          scheduledFor: slot,
          reason,
          log: entry.log,
          notifiers: entry.notifiers,
        });
      },
      waiting: (job, slot, reason) => {
        byName.get(job.name)?.log.info({ scheduledFor: slot.toISOString() }, `waiting: ${reason}`);
      },
      error: (job, error) => {
        byName
          .get(job.name)
          ?.log.error({ err: errorMessage(error) }, `scheduler error: ${errorMessage(error)}`);
      },
    },
  );

  // The start-up log: every registered job with its masked URLs and its next two runs.
  for (const e of entries) {
    const next = scheduler.status(e.profile.name, 2)?.next ?? [];
    metrics.setNextRun(e.profile.name, next[0]);
    e.log.info(
      {
        source: maskConnectionString(e.profile.sourceUrl),
        destination: maskConnectionString(e.profile.destinationUrl),
        cron: e.job.cron,
        timezone: e.job.timezone,
        misfireGraceSeconds: e.job.graceSeconds,
        next: next.map((d) => d.toISOString()),
        notifiers: e.notifiers.list.map((n) => n.name),
      },
      `registered job ${e.profile.name}: ${e.job.cron} (${e.job.timezone}), next runs ${next.map((d) => d.toISOString()).join(", ")}`,
    );
  }
  scheduler.start();
  log.info(
    { jobs: entries.length, profiles: entries.map((e) => e.profile.name) },
    `scheduler started with ${entries.length} job(s)`,
  );

  // What the history says: stale rows, a run missed while the service was down, the last results.
  await Promise.all(entries.map((e) => catchUp(e, scheduler, metrics)));

  let http: HttpHandle | undefined;
  if (config.service.http) {
    http = await startHttpServer(
      { host: config.service.http.host, port: config.service.http.port, token: httpToken },
      {
        healthz: () => healthBody(scheduler),
        metrics: async () => ({
          contentType: metrics.registry.contentType,
          body: await metrics.registry.metrics(),
        }),
        statusPage: async () =>
          renderStatusPage(await statusViews(config, env, byName, scheduler), new Date()),
      },
      (error) => log.error({ err: errorMessage(error) }, `http handler failed: ${errorMessage(error)}`),
    );
    log.info(
      { host: http.host, port: http.port },
      `http endpoints on http://${http.host}:${http.port}/ (/healthz, /metrics)`,
    );
  }

  return {
    scheduler,
    metrics,
    ...(http ? { http } : {}),
    profiles: entries.map((e) => e.profile.name),
    async stop() {
      const grace = config.service.shutdownGraceSeconds;
      const running = entries
        .filter((e) => scheduler.status(e.profile.name)?.running)
        .map((e) => e.profile.name);
      log.info(
        { running, shutdownGraceSeconds: grace },
        running.length > 0
          ? `stopping: no new runs; ${running.join(", ")} may finish within ${grace}s, then it is aborted`
          : "stopping: no run in progress",
      );
      metrics.stopping();
      const aborted = await scheduler.stop(grace * 1000);
      if (aborted.length > 0)
        log.warn(
          { aborted },
          `aborted ${aborted.join(", ")} after the ${grace}s shutdown grace; the synced schemas keep their previous state`,
        );
      await http?.close();
      log.info("stopped");
    },
  };
}

function resolveScheduled(
  config: LoadedConfig,
  env: NodeJS.ProcessEnv,
  only: readonly string[] | undefined,
  log: Logger,
): ServiceProfile[] {
  const names = only && only.length > 0 ? [...new Set(only)] : [...config.profiles.keys()];
  const entries: ServiceProfile[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const explicit = only !== undefined && only.length > 0;
    try {
      const profile = resolveProfile(config, name, env);
      if (!profile.schedule) {
        if (explicit)
          throw new PgsyncError("config", `profile "${name}" has no schedule; serve has nothing to run`);
        continue;
      }
      entries.push({
        profile,
        notifiers: buildNotifiers(name, profile.notify, env),
        log: createLogger({ profile: name }),
        job: {
          name,
          cron: profile.schedule.cron,
          timezone: profile.schedule.timezone,
          graceSeconds: profile.misfireGraceSeconds ?? DEFAULT_MISFIRE_GRACE_SECONDS,
          exclusiveKey: destinationKey(profile.destinationUrl),
        },
      });
    } catch (error) {
      if (explicit) throw error;
      problems.push(errorMessage(error));
      log.warn({ skippedProfile: name }, `profile ${name} is not scheduled: ${errorMessage(error)}`);
    }
  }
  if (entries.length === 0) {
    throw new PgsyncError(
      "config",
      `no profile can be scheduled${problems.length > 0 ? `:\n  ${problems.join("\n  ")}` : " (no profile has a schedule)"}`,
    );
  }
  return entries;
}

/** At start-up: marks abandoned runs, seeds the metrics, and queues the newest missed slot, if any. */
async function catchUp(entry: ServiceProfile, scheduler: Scheduler, metrics: ServiceMetrics): Promise<void> {
  const { profile, log, job } = entry;
  let history: Awaited<ReturnType<typeof openHistoryReader>> | undefined;
  try {
    history = await openHistoryReader(profile.destinationUrl, profile.timeouts.connectSeconds);
    const abandoned = await markAbandoned(history.client);
    if (abandoned.length > 0)
      log.warn({ abandoned }, `marked ${abandoned.length} run(s) abandoned: their process stopped mid-run`);
    metrics.seed(profile.name, await readRuns(history.client, { profiles: [profile.name], limit: 20 }));
    const { lastSlot } = await lastScheduledSlot(history.client, profile.name);
    const missed = startupMisfire(job, lastSlot, new Date());
    if (missed) {
      log.warn(
        {
          scheduledFor: missed.slot.toISOString(),
          missed: missed.missed,
          lastRecordedSlot: lastSlot?.toISOString(),
        },
        `the run history shows ${missed.missed} scheduled run(s) missed since ${lastSlot?.toISOString()} while the service was down` +
          (missed.missed > 1 ? `; only the newest (${missed.slot.toISOString()}) can still run` : ""),
      );
      scheduler.trigger(profile.name, missed.slot, true);
    }
  } catch (error) {
    log.warn(
      `the run history could not be read at start-up (missed runs are not caught up): ${errorMessage(error)}`,
    );
  } finally {
    await history?.close();
  }
}

function healthBody(scheduler: Scheduler): { ok: boolean; body: unknown } {
  const jobs = scheduler.health();
  const ok = scheduler.alive && jobs.every((j) => j.ok);
  return {
    ok,
    body: {
      ok,
      scheduler: scheduler.alive ? "running" : "stopping",
      profiles: Object.fromEntries(
        jobs.map((j) => [
          j.name,
          {
            ok: j.ok,
            dueSlot: j.dueSlot?.toISOString() ?? null,
            lastStartedSlot: j.lastStartedSlot?.toISOString() ?? null,
          },
        ]),
      ),
    },
  };
}
