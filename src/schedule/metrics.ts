import { Counter, Gauge, Registry } from "prom-client";
import type { RunRecord } from "./history-store.js";

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one, so two
 * services in one process, as in tests, do not mix). Every series is labelled with the profile.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly lastSuccess: Gauge<"profile">;
  private readonly lastDuration: Gauge<"profile">;
  private readonly lastRows: Gauge<"profile">;
  private readonly lastBytes: Gauge<"profile">;
  private readonly lastOutcome: Gauge<"profile">;
  private readonly nextRun: Gauge<"profile">;
  private readonly runs: Counter<"profile" | "outcome">;
  private readonly failures: Counter<"profile">;
  private readonly skipped: Counter<"profile">;
  private readonly up: Gauge;

  constructor(profiles: readonly string[]) {
    const registers = [this.registry];
    const gauge = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: ["profile"] as const, registers });
    this.lastSuccess = gauge(
      "pgsync_last_success_timestamp_seconds",
      "When the profile's last successful run ended (Unix time).",
    );
    this.lastDuration = gauge(
      "pgsync_last_run_duration_seconds",
      "Duration of the profile's last finished run.",
    );
    this.lastRows = gauge("pgsync_last_run_rows", "Rows copied by the profile's last finished run.");
    this.lastBytes = gauge("pgsync_last_run_bytes", "Bytes copied by the profile's last finished run.");
    this.lastOutcome = gauge(
      "pgsync_last_run_success",
      "1 when the profile's last finished run succeeded, else 0.",
    );
    this.nextRun = gauge("pgsync_next_run_timestamp_seconds", "When the profile runs next (Unix time).");
    this.runs = new Counter({
      name: "pgsync_runs_total",
      help: "Runs finished by this service, by outcome.",
      labelNames: ["profile", "outcome"] as const,
      registers,
    });
    this.failures = new Counter({
      name: "pgsync_failures_total",
      help: "Runs of this service that failed or were interrupted.",
      labelNames: ["profile"] as const,
      registers,
    });
    this.skipped = new Counter({
      name: "pgsync_skipped_runs_total",
      help: "Scheduled runs skipped (late past the misfire grace, or superseded).",
      labelNames: ["profile"] as const,
      registers,
    });
    this.up = new Gauge({ name: "pgsync_scheduler_up", help: "1 while the scheduler runs.", registers });
    this.up.set(1);
    // Zero-valued series from the start, so a rate() over a fresh service is defined.
    for (const profile of profiles) {
      this.failures.inc({ profile }, 0);
      this.skipped.inc({ profile }, 0);
      for (const outcome of ["succeeded", "failed", "interrupted"]) this.runs.inc({ profile, outcome }, 0);
    }
  }

  /** Seeds the "last run" gauges from the history recorded before this process started. */
  seed(profile: string, runs: readonly RunRecord[]): void {
    const finished = runs.find((r) => r.status !== "running" && r.status !== "skipped" && r.finishedAt);
    if (finished) this.setLast(profile, finished);
    const success = runs.find((r) => r.status === "succeeded");
    if (success?.finishedAt) this.lastSuccess.set({ profile }, success.finishedAt.getTime() / 1000);
  }

  recordRun(
    profile: string,
    run: Pick<RunRecord, "status" | "finishedAt" | "seconds" | "rows" | "bytes">,
  ): void {
    this.runs.inc({ profile, outcome: run.status });
    if (run.status !== "succeeded") this.failures.inc({ profile });
    else if (run.finishedAt) this.lastSuccess.set({ profile }, run.finishedAt.getTime() / 1000);
    this.setLast(profile, run);
  }

  recordSkip(profile: string): void {
    this.skipped.inc({ profile });
  }

  setNextRun(profile: string, at: Date | undefined): void {
    if (at) this.nextRun.set({ profile }, at.getTime() / 1000);
  }

  stopping(): void {
    this.up.set(0);
  }

  private setLast(profile: string, run: Pick<RunRecord, "status" | "seconds" | "rows" | "bytes">): void {
    if (run.seconds !== null) this.lastDuration.set({ profile }, run.seconds);
    if (run.rows !== null) this.lastRows.set({ profile }, run.rows);
    if (run.bytes !== null) this.lastBytes.set({ profile }, run.bytes);
    this.lastOutcome.set({ profile }, run.status === "succeeded" ? 1 : 0);
  }
}
