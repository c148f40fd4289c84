import { EXIT } from "../output/exit.js";

/**
 * Turns SIGINT/SIGTERM into an abort of the running operation, so it can clean up and leave the
 * destination in its previous state. A second signal exits at once (the server still rolls back the
 * open transactions when the connections drop).
 */
export function abortOnSignals(): {
  signal: AbortSignal;
  exitCode: () => number | undefined;
  dispose: () => void;
} {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (received) process.exit(sig === "SIGINT" ? EXIT.sigint : EXIT.sigterm);
    received = sig;
    process.stderr.write(`pgsync-ts: ${sig} received, stopping; the destination keeps its previous state\n`);
    controller.abort();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    exitCode: () => (received === "SIGINT" ? EXIT.sigint : received === "SIGTERM" ? EXIT.sigterm : undefined),
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
