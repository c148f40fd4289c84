import { Cron } from "croner";
import pLimit, { type LimitFunction } from "p-limit";
import { latestSlot, misfireDecision, ON_TIME_TOLERANCE_MS } from "./misfire.js";

export interface ScheduledJob {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly graceSeconds: number;
  /** Jobs with the same key (the destination database) never run at the same time. */
  readonly exclusiveKey: string;
}

export interface RunContext {
  readonly signal: AbortSignal;
  /** How late the run starts, in milliseconds after its slot. */
  readonly lateMs: number;
  /** The run catches up a slot missed while the service was down. */
  readonly catchUp: boolean;
}

export interface SchedulerHandlers {
  /** Runs the job for a slot; aborting the signal must make it stop soon. */
  run(job: ScheduledJob, slot: Date, context: RunContext): Promise<void>;
  /** A slot that will not run: late past the grace, or superseded by a newer slot while it waited. */
  skip(job: ScheduledJob, slot: Date, reason: string): Promise<void>;
  /** A slot that has to wait: the job (or another job on the same destination) is running. */
  waiting?(job: ScheduledJob, slot: Date, reason: string): void;
  /** A handler threw (the scheduler keeps going). */
  error?(job: ScheduledJob, error: unknown): void;
}

interface Pending {
  readonly slot: Date;
  readonly catchUp: boolean;
}

interface JobState {
  readonly job: ScheduledJob;
  readonly limit: LimitFunction;
  pending?: Pending;
  /** A task for this job sits in its destination queue and has not started yet. */
  queued: boolean;
  running?: { readonly slot: Date; readonly startedAt: Date; readonly controller: AbortController };
  lastStartedSlot?: Date;
}

export interface JobStatus {
  readonly name: string;
  readonly running: { readonly slot: Date; readonly startedAt: Date } | null;
  readonly pending: Date | null;
  readonly lastStartedSlot: Date | null;
  readonly next: readonly Date[];
}

export interface JobHealth {
  readonly name: string;
  readonly ok: boolean;
  /** The newest slot whose grace has passed, if it fell after the service started. */
  readonly dueSlot: Date | null;
  readonly lastStartedSlot: Date | null;
}

/**
 * Fires each job on its cron expression (croner) and runs it under three rules: a job never runs
 * twice at once; jobs sharing an exclusive key (a destination) never run at once; and a slot that
 * can only start late (the process was busy with an overrunning run, or down) still runs if it is
 * late by less than the job's grace, and is skipped otherwise. Triggers that arrive while a job waits
 * are coalesced: only the newest slot is kept, the older one is skipped as superseded.
 */
export class Scheduler {
  readonly startedAt: Date;
  private readonly states = new Map<string, JobState>();
  private readonly crons: Cron[] = [];
  private readonly tasks = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    jobs: readonly ScheduledJob[],
    private readonly handlers: SchedulerHandlers,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.startedAt = now();
    const limits = new Map<string, LimitFunction>();
    for (const job of jobs) {
      let limit = limits.get(job.exclusiveKey);
      if (!limit) {
        limit = pLimit(1);
        limits.set(job.exclusiveKey, limit);
      }
      this.states.set(job.name, { job, limit, queued: false });
    }
  }

  /** Starts the cron timers. */
  start(): void {
    for (const { job } of this.states.values()) {
      const cron = new Cron(job.cron, { timezone: job.timezone }, () => {
        // croner reports the time it fired, not the slot: the slot is the newest match at or before now.
        const slot = latestSlot(job.cron, job.timezone, this.now()) ?? this.now();
        this.trigger(job.name, slot);
      });
      this.crons.push(cron);
    }
  }

  get alive(): boolean {
    return !this.stopping;
  }

  jobs(): ScheduledJob[] {
    return [...this.states.values()].map((s) => s.job);
  }

  /** Queues a run of `name` for `slot`. Used by the cron timers and by the start-up catch-up. */
  trigger(name: string, slot: Date, catchUp = false): void {
    const state = this.states.get(name);
    if (!state || this.stopping) return;
    const { job } = state;
    if (state.running?.slot.getTime() === slot.getTime() || state.pending?.slot.getTime() === slot.getTime())
      return;
    const previous = state.pending;
    if (previous && previous.slot.getTime() > slot.getTime()) {
      const reason = `superseded by the run scheduled for ${previous.slot.toISOString()}`;
      this.background(this.handlers.skip(job, slot, reason), job);
      return;
    }
    state.pending = { slot, catchUp };
    if (previous) {
      this.background(
        this.handlers.skip(job, previous.slot, `superseded by the run scheduled for ${slot.toISOString()}`),
        job,
      );
    }
    if (state.running) {
      this.handlers.waiting?.(
        job,
        slot,
        `the run scheduled for ${state.running.slot.toISOString()} is still going; this one waits for it`,
      );
    }
    if (!state.queued) {
      state.queued = true;
      const task = state.limit(() => this.runPending(state));
      this.tasks.add(task);
      void task.finally(() => this.tasks.delete(task));
    }
  }

  private async runPending(state: JobState): Promise<void> {
    state.queued = false;
    const next = state.pending;
    state.pending = undefined;
    if (!next || this.stopping) return;
    const { job } = state;
    const decision = misfireDecision(next.slot, this.now(), job.graceSeconds);
    if (!decision.run) {
      await this.handlers.skip(job, next.slot, decision.reason).catch((e) => this.handlers.error?.(job, e));
      return;
    }
    const controller = new AbortController();
    state.running = { slot: next.slot, startedAt: this.now(), controller };
    state.lastStartedSlot = next.slot;
    try {
      await this.handlers.run(job, next.slot, {
        signal: controller.signal,
        lateMs: decision.lateMs,
        catchUp: next.catchUp,
      });
    } catch (error) {
      this.handlers.error?.(job, error);
    } finally {
      state.running = undefined;
    }
  }

  private background(promise: Promise<unknown>, job: ScheduledJob): void {
    const task = promise.catch((e) => this.handlers.error?.(job, e));
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  status(name: string, nextCount = 2): JobStatus | undefined {
    const state = this.states.get(name);
    if (!state) return undefined;
    return {
      name,
      running: state.running ? { slot: state.running.slot, startedAt: state.running.startedAt } : null,
      pending: state.pending?.slot ?? null,
      lastStartedSlot: state.lastStartedSlot ?? null,
      next: nextRuns(state.job, nextCount, this.now()),
    };
  }

  /**
   * A job is healthy when the newest slot whose grace has passed started (or there is no such slot
   * since the service started). A skipped or still-waiting slot makes it unhealthy until a run starts.
   */
  health(): JobHealth[] {
    const now = this.now();
    return [...this.states.values()].map(({ job, lastStartedSlot, running }) => {
      // A slot is due once its grace (and the dispatch tolerance) has passed.
      const dueBy = now.getTime() - Math.max(job.graceSeconds * 1000, ON_TIME_TOLERANCE_MS);
      const due = latestSlot(job.cron, job.timezone, new Date(dueBy));
      const judged = due !== null && due.getTime() >= this.startedAt.getTime() ? due : null;
      const started = running?.slot ?? lastStartedSlot ?? null;
      const ok = judged === null || (started !== null && started.getTime() >= judged.getTime());
      return { name: job.name, ok: ok && !this.stopping, dueSlot: judged, lastStartedSlot: started };
    });
  }

  /** Resolves when no run is going or queued. */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /**
   * Stops scheduling, drops waiting slots, gives the running syncs `graceMs` to finish, then aborts
   * them and waits for them to wind down. Returns the jobs that had to be aborted.
   */
  async stop(graceMs: number): Promise<string[]> {
    this.stopping = true;
    for (const cron of this.crons) cron.stop();
    for (const state of this.states.values()) state.pending = undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      timer = setTimeout(() => resolve("deadline"), graceMs);
    });
    const result = await Promise.race([this.idle().then(() => "idle" as const), deadline]);
    clearTimeout(timer);
    const aborted: string[] = [];
    if (result === "deadline") {
      for (const state of this.states.values()) {
        if (state.running) {
          state.running.controller.abort();
          aborted.push(state.job.name);
        }
      }
      await this.idle();
    }
    return aborted;
  }
}

export function nextRuns(
  job: Pick<ScheduledJob, "cron" | "timezone">,
  count: number,
  from = new Date(),
): Date[] {
  return new Cron(job.cron, { timezone: job.timezone, paused: true }).nextRuns(count, from);
}
