import { PgsyncError } from "../../errors.js";
import { redactDeep } from "../../util/redact.js";
import type { RunNotice } from "./notice.js";
import { summaryLine } from "./notice.js";

const TIMEOUT_MS = 15_000;

/** POSTs the notice as JSON. Any answer other than 2xx is a failure. */
export async function postJson(
  url: string,
  body: unknown,
  what: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "pgsync-ts", ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new PgsyncError("internal", `${what}: the request failed: ${cause}`, {}, { cause: error });
  }
  // Drain the body so the connection is released.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new PgsyncError("internal", `${what}: answered HTTP ${response.status}`);
}

/** A generic JSON webhook: the notice itself, plus a one-line `summary`. */
export function webhookPayload(notice: RunNotice): Record<string, unknown> {
  return redactDeep({ ...notice, summary: summaryLine(notice) });
}

/**
 * A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, ...): `text` in mrkdwn, which
 * every such service renders.
 */
export function slackPayload(notice: RunNotice): { text: string } {
  const icon =
    notice.status === "succeeded" ? ":white_check_mark:" : notice.status === "skipped" ? ":warning:" : ":x:";
  const details = [`destination ${notice.destination}`];
  if (notice.runId) details.push(`run ${notice.runId}`);
  return redactDeep({
    text: `${icon} ${summaryLine(notice).replace(/^pgsync-ts (\S+):/, "*pgsync-ts* `$1`:")}\n${details.join(", ")}`,
  });
}
