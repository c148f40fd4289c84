import {
  type EndpointSpec,
  endpointProblem,
  maskEndpointUrl,
  type NotifyConfig,
  SMTP_SCHEMES,
  WEB_SCHEMES,
} from "../../config/index.js";
import { errorMessage, PgsyncError } from "../../errors.js";
import { registerEndpointUrl, registerSecret } from "../../util/redact.js";
import type { RunNotice } from "./notice.js";
import { sendMail } from "./smtp.js";
import { postJson, slackPayload, webhookPayload } from "./webhook.js";

export {
  buildNotice,
  hostName,
  type NoticeInput,
  noticeEvent,
  type RunNotice,
  summaryLine,
  textBody,
} from "./notice.js";

export interface Notifier {
  readonly kind: "webhook" | "slack" | "smtp";
  /** Masked, for logs: `webhook https://hooks.example.com/***`. */
  readonly name: string;
  send(notice: RunNotice): Promise<void>;
}

export interface Notifiers {
  readonly onSuccess: boolean;
  readonly list: readonly Notifier[];
}

export const NO_NOTIFIERS: Notifiers = { onSuccess: false, list: [] };

/**
 * Builds a profile's notifiers, reading `{ env }` URLs from the environment. Every URL, header value
 * and password is registered as a secret first, so no log line or error can show it.
 */
export function buildNotifiers(
  profile: string,
  notify: NotifyConfig | undefined,
  env: NodeJS.ProcessEnv,
): Notifiers {
  if (!notify) return NO_NOTIFIERS;
  const list: Notifier[] = [];
  notify.webhook.forEach((w, i) => {
    const url = resolveEndpoint(profile, `notify.webhook[${i}].url`, w.url, WEB_SCHEMES, env);
    for (const value of Object.values(w.headers ?? {})) registerSecret(value, "http-header");
    const name = `webhook ${maskEndpointUrl(url)}`;
    list.push({ kind: "webhook", name, send: (n) => postJson(url, webhookPayload(n), name, w.headers) });
  });
  notify.slack.forEach((s, i) => {
    const url = resolveEndpoint(profile, `notify.slack[${i}].url`, s.url, WEB_SCHEMES, env);
    const name = `slack ${maskEndpointUrl(url)}`;
    list.push({ kind: "slack", name, send: (n) => postJson(url, slackPayload(n), name) });
  });
  notify.smtp.forEach((m, i) => {
    const url = resolveEndpoint(profile, `notify.smtp[${i}].url`, m.url, SMTP_SCHEMES, env);
    const name = `smtp ${maskEndpointUrl(url)} to ${m.to.join(", ")}`;
    list.push({ kind: "smtp", name, send: (n) => sendMail(url, m, n, name) });
  });
  return { onSuccess: notify.onSuccess, list };
}

function resolveEndpoint(
  profile: string,
  key: string,
  spec: EndpointSpec,
  schemes: readonly string[],
  env: NodeJS.ProcessEnv,
): string {
  const where = `profile "${profile}": ${key}`;
  let url: string;
  if ("url" in spec) url = spec.url;
  else {
    const value = env[spec.env]?.trim();
    if (!value) {
      throw new PgsyncError(
        "config",
        `${where}: environment variable ${spec.env} is ${value === undefined ? "not set" : "empty"}`,
      );
    }
    url = value;
  }
  // A webhook's path is usually its secret token: the whole URL, its path and query and its
  // password are registered (an SMTP URL's password is the mail account's).
  registerEndpointUrl(url, key.startsWith("notify.smtp") ? "smtp-password" : "webhook-url");
  const problem = endpointProblem(url, schemes);
  if (problem) throw new PgsyncError("config", `${where}: ${problem}`);
  return url;
}

/** Failures (and skipped scheduled runs) always notify; successes only with `onSuccess`. */
export function shouldNotify(notifiers: Notifiers, status: RunNotice["status"]): boolean {
  return notifiers.list.length > 0 && (status !== "succeeded" || notifiers.onSuccess);
}

export interface NotifyResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * Sends the notice to every notifier at once. A failing notifier is reported in the result (and by
 * the caller's log), never thrown: an alert that cannot be delivered must not fail the sync.
 */
export async function sendNotices(notifiers: Notifiers, notice: RunNotice): Promise<NotifyResult[]> {
  if (!shouldNotify(notifiers, notice.status)) return [];
  const settled = await Promise.allSettled(notifiers.list.map((n) => n.send(notice)));
  return settled.map((s, i) => {
    const name = notifiers.list[i]?.name ?? "notifier";
    return s.status === "fulfilled" ? { name, ok: true } : { name, ok: false, error: errorMessage(s.reason) };
  });
}
