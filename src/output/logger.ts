import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import { redact } from "../util/redact.js";

export type { Logger };

export interface LoggerOptions {
  readonly profile?: string;
  readonly level?: string;
  /** Where JSON lines go instead of stderr (tests read them back). */
  readonly destination?: DestinationStream;
}

/**
 * Logs go to stderr: JSON lines (searchable) when stderr is not a terminal, readable lines when it
 * is. Every message and every string field passes through the redaction registry (redact), so no
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
    return pino(common, pretty({ destination: 2, sync: true, colorize: true, ignore: "pid,hostname" }));
  }
  return pino(
    { ...common, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
}
