import { hostname } from "node:os";
import { formatBytes } from "../../output/format.js";
import type { RunStatus, RunTrigger } from "../history-store.js";

/** What every notifier is told about one run (or one skipped scheduled run). URLs are masked. */
export interface RunNotice {
  readonly event: "run.succeeded" | "run.failed" | "run.interrupted" | "run.skipped";
  readonly profile: string;
  readonly status: Exclude<RunStatus, "running" | "abandoned">;
  readonly trigger: RunTrigger;
  readonly scheduledFor: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number | null;
  readonly runId: string | null;
  readonly totals: { readonly tables: number; readonly rows: number; readonly bytes: number } | null;
  readonly verification: { readonly method: string; readonly ok: boolean } | null;
  readonly error: { readonly kind?: string; readonly message: string } | null;
  readonly source: string;
  readonly destination: string;
  readonly host: string;
}

export function noticeEvent(status: RunNotice["status"]): RunNotice["event"] {
  return `run.${status}` as RunNotice["event"];
}

export function hostName(): string {
  return hostname();
}

/** One line: `pgsync-ts dev: succeeded in 12.3s (5 tables, 1,234 rows, 1.2 MB)`. */
export function summaryLine(n: RunNotice): string {
  const head = `pgsync-ts ${n.profile}: ${n.status}`;
  if (n.status === "skipped") return `${head}: ${n.error?.message ?? "the scheduled run did not start"}`;
  const took = n.seconds === null ? "" : ` in ${n.seconds}s`;
  const copied = n.totals
    ? ` (${n.totals.tables} tables, ${n.totals.rows.toLocaleString("en-US")} rows, ${formatBytes(n.totals.bytes)})`
    : "";
  const why = n.status === "succeeded" || !n.error ? "" : `: ${n.error.message}`;
  return `${head}${took}${n.status === "succeeded" ? copied : ""}${why}`;
}

/** The plain-text body of an e-mail. */
export function textBody(n: RunNotice): string {
  const lines = [
    summaryLine(n),
    "",
    `profile:      ${n.profile}`,
    `outcome:      ${n.status}`,
    `trigger:      ${n.trigger}${n.scheduledFor ? ` (scheduled for ${n.scheduledFor})` : ""}`,
    `started:      ${n.startedAt}`,
    `finished:     ${n.finishedAt}`,
  ];
  if (n.seconds !== null) lines.push(`duration:     ${n.seconds}s`);
  if (n.runId) lines.push(`run id:       ${n.runId}`);
  if (n.totals)
    lines.push(
      `copied:       ${n.totals.tables} tables, ${n.totals.rows} rows, ${formatBytes(n.totals.bytes)}`,
    );
  if (n.verification)
    lines.push(`verification: ${n.verification.method}: ${n.verification.ok ? "ok" : "FAILED"}`);
  if (n.error) lines.push(`error:        ${n.error.message}`);
  lines.push(`source:       ${n.source}`, `destination:  ${n.destination}`, `host:         ${n.host}`);
  if (n.status !== "succeeded" && n.status !== "skipped")
    lines.push("", "The destination keeps its previous state.");
  return `${lines.join("\n")}\n`;
}
