import { hostname } from "node:os";
import { formatBytes } from "../../output/format.js";
import type { RunReport } from "../../pipeline/run.js";
import { maskConnectionString, redact, redactDeep } from "../../util/redact.js";
import type { RunStatus, RunTrigger } from "../history-store.js";

/** What every notifier is told about one run (or one skipped scheduled run). URLs are masked. */
export interface RunNotice {
  readonly event: "run.succeeded" | "run.failed" | "run.interrupted" | "run.skipped" | "run.archive-failed";
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

/** What a notice is built from: the run's report, or (for a skipped run) its reason. */
export interface NoticeInput {
  readonly profile: string;
  readonly status: RunNotice["status"];
  readonly trigger: RunTrigger;
  readonly scheduledFor?: Date;
  readonly report?: Pick<
    RunReport,
    "startedAt" | "finishedAt" | "seconds" | "runId" | "totals" | "verification" | "error"
  >;
  /** Why a scheduled run was skipped. */
  readonly reason?: string;
  /** Connection strings (masked here whatever their form) or their masked forms. */
  readonly source: string;
  readonly destination: string;
  /** Default: now (a skipped run has no report). */
  readonly at?: Date;
}

/**
 * The one builder of notices: what webhooks, Slack and e-mails are sent. Connection strings are
 * masked and every text goes through the redaction registry, so no payload carries a secret.
 */
export function buildNotice(input: NoticeInput): RunNotice {
  const { report } = input;
  const at = (input.at ?? new Date()).toISOString();
  const error = report?.error
    ? { kind: String(report.error.kind ?? "internal"), message: String(report.error.message ?? "") }
    : input.reason !== undefined
      ? { kind: "misfire", message: input.reason }
      : null;
  return redactDeep({
    event: noticeEvent(input.status),
    profile: input.profile,
    status: input.status,
    trigger: input.trigger,
    scheduledFor: input.scheduledFor?.toISOString() ?? null,
    startedAt: report?.startedAt ?? at,
    finishedAt: report?.finishedAt ?? at,
    seconds: report?.seconds ?? null,
    runId: report?.runId ?? null,
    totals: report ? { ...report.totals } : null,
    verification: report?.verification
      ? { method: report.verification.method, ok: report.verification.ok }
      : null,
    error,
    source: maskConnectionString(input.source),
    destination: maskConnectionString(input.destination),
    host: hostName(),
  });
}

export function noticeEvent(status: RunNotice["status"]): RunNotice["event"] {
  return `run.${status}` as RunNotice["event"];
}

export function hostName(): string {
  return hostname();
}

/** One line: `pgsync-ts dev: succeeded in 12.3s (5 tables, 1,234 rows, 1.2 MB)`. */
export function summaryLine(n: RunNotice): string {
  return redact(unredactedSummary(n));
}

function unredactedSummary(n: RunNotice): string {
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
    lines.push("", "The synced schemas keep their previous state.");
  return redact(`${lines.join("\n")}\n`);
}
