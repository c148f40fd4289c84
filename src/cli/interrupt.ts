import { EXIT } from "../output/exit.js";

/**
 * Turns SIGINT/SIGTERM into an abort of the running operation, so it can clean up and leave the
 * destination in its previous state. A second signal exits at once (the server still rolls back the
 * open transactions when the connections drop). `say` prints the notice (above a live progress
 * display, when there is one).
 */
export function abortOnSignals(options: { readonly say?: (line: string) => void } = {}): {
  signal: AbortSignal;
  /** The signal received, if any. */
  received: () => NodeJS.Signals | undefined;
  exitCode: () => number | undefined;
  dispose: () => void;
} {
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (received) process.exit(sig === "SIGINT" ? EXIT.sigint : EXIT.sigterm);
    received = sig;
    say(
      `pgsync-ts: ${sig} received: interrupting; the synced schemas keep their previous state (again to exit at once)`,
    );
    controller.abort();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    received: () => received,
    exitCode: () => (received === "SIGINT" ? EXIT.sigint : received === "SIGTERM" ? EXIT.sigterm : undefined),
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
