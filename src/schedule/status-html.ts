import { redact } from "../util/redact.js";

/** Small HTML helpers of the status page. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Dynamic text of the page: through the redaction registry before it is escaped (escaping first
 * would hide a secret holding `&`, `<` or a quote from the registry).
 */
export function text(value: string): string {
  return escapeHtml(redact(value));
}

/** `2026-12-01 09:56:00Z` */
export function utcTime(d: Date): string {
  return d
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
}

/** How long ago, in the largest whole unit: "less than a minute", "12 minutes", "3 hours", "2 days". */
export function ago(then: Date, now: Date): string {
  const seconds = Math.max(0, (now.getTime() - then.getTime()) / 1000);
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"} ago`;
  if (seconds < 60) return "less than a minute ago";
  if (seconds < 3600) return unit(Math.floor(seconds / 60), "minute");
  if (seconds < 48 * 3600) return unit(Math.floor(seconds / 3600), "hour");
  return unit(Math.floor(seconds / 86_400), "day");
}
