import pino, { type DestinationStream, type Logger } from "pino";
import { redact } from "../util/redact.js";
import { formatLogLine } from "./log-line.js";

export type { Logger };

export interface LoggerOptions {
  readonly profile?: string;
  readonly level?: string;
  /** Where JSON lines go instead of stderr (tests read them back). */
  readonly destination?: DestinationStream;
  /**
   * On a terminal, where each readable line goes (default: stderr). The live progress display
   * passes its own, so that lines print above its bars instead of through them.
   */
  readonly lines?: (line: string) => void;
}

/**
 * Logs go to stderr: JSON lines (searchable) when stderr is not a terminal, one readable line per
 * event when it is (log-line.ts). Every message and every string field passes through the redaction registry (redact), so no
 * password reaches a log. Fields are redacted before they are escaped as JSON: a secret holding a
 * quote would not be found in its escaped form.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base = options.profile ? { profile: options.profile } : {};
  const common = {
    level: options.level ?? process.env.PGSYNC_LOG_LEVEL ?? "info",
    base,
    hooks: {
      logMethod(args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === "string" ? redact(a) : a)),
        );
      },
    },
    formatters: {
      log: (object: Record<string, unknown>) =>
        JSON.parse(
          JSON.stringify(object, (_key, value: unknown) =>
            typeof value === "string" ? redact(value) : value,
          ),
        ) as Record<string, unknown>,
    },
  };
  if (options.destination) {
    return pino({ ...common, timestamp: pino.stdTimeFunctions.isoTime }, options.destination);
  }
  if (process.stderr.isTTY) {
    const colors = process.stderr.hasColors?.() === true && !process.env.NO_COLOR;
    const lines = options.lines ?? ((line: string) => process.stderr.write(`${line}\n`));
    // pino writes each entry as one JSON line, synchronously: formatted and passed on at once.
    return pino(common, { write: (entry: string) => lines(formatLogLine(entry, colors)) });
  }
  return pino(
    { ...common, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
}
