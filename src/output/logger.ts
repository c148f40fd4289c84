import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import { redact } from "../util/mask.js";

export type { Logger };

/**
 * Logs go to stderr: JSON lines (searchable) when stderr is not a terminal, readable lines when it
 * is. Every message and string field passes through redact(), so no password reaches a log.
 */
export function createLogger(options: { profile?: string; level?: string } = {}): Logger {
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
        JSON.parse(redact(JSON.stringify(object))) as Record<string, unknown>,
    },
  };
  if (process.stderr.isTTY) {
    return pino(common, pretty({ destination: 2, sync: true, colorize: true, ignore: "pid,hostname" }));
  }
  return pino(
    { ...common, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
}
