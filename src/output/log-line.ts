/**
 * One log entry as one line for a person at a terminal: `09:40:36 WARN  the message`. The fields of
 * the JSON line are left out: every message the tool logs says what its fields hold, and the fields
 * stay in the JSON lines written when stderr is no terminal.
 */
const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: "TRACE", color: "90" },
  20: { name: "DEBUG", color: "90" },
  30: { name: "INFO", color: "36" },
  40: { name: "WARN", color: "33" },
  50: { name: "ERROR", color: "31" },
  60: { name: "FATAL", color: "31" },
};

export function formatLogLine(entry: string, colors: boolean): string {
  let parsed: { level?: unknown; time?: unknown; msg?: unknown; err?: { message?: unknown } };
  try {
    parsed = JSON.parse(entry) as typeof parsed;
  } catch {
    return entry.trimEnd();
  }
  const level = LEVELS[typeof parsed.level === "number" ? parsed.level : 30] ?? { name: "INFO", color: "36" };
  const time =
    typeof parsed.time === "number" || typeof parsed.time === "string" ? new Date(parsed.time) : new Date();
  const clock = Number.isNaN(time.getTime()) ? "" : `${time.toTimeString().slice(0, 8)} `;
  const message =
    typeof parsed.msg === "string" && parsed.msg !== ""
      ? parsed.msg
      : typeof parsed.err?.message === "string"
        ? parsed.err.message
        : "";
  // A message holding line breaks (a multi-line error) stays one line per entry.
  const text = message.replace(/\s*\n\s*/g, " | ");
  const name = level.name.padEnd(5);
  return colors
    ? `\u001b[2m${clock}\u001b[22m\u001b[${level.color}m${name}\u001b[39m ${text}`
    : `${clock}${name} ${text}`;
}
