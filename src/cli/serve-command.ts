import { loadConfig } from "../config/index.js";
import { EXIT } from "../output/exit.js";
import { createLogger } from "../output/logger.js";
import { startService } from "../schedule/service.js";

/**
 * `pgsync-ts serve`: runs the scheduler until SIGTERM or SIGINT, then stops scheduling, lets a running
 * sync finish within `shutdownGraceSeconds`, aborts it otherwise (the destination keeps its previous
 * state), and exits 0. A second signal exits at once.
 */
export async function serveCommand(flags: { config?: string; profile?: string[] }): Promise<number> {
  const config = await loadConfig({
    ...(flags.config ? { configPath: flags.config } : {}),
    env: process.env,
  });
  const log = createLogger({ profile: "*" });
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    let received: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      if (received) {
        log.warn(`${sig} received again: exiting now`);
        process.exit(sig === "SIGINT" ? EXIT.sigint : EXIT.sigterm);
      }
      received = sig;
      resolve(sig);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  const service = await startService({
    config,
    env: process.env,
    log,
    ...(flags.profile ? { profiles: flags.profile } : {}),
  });
  const signal = await stopRequested;
  log.info({ signal }, `${signal} received`);
  await service.stop();
  return EXIT.ok;
}
