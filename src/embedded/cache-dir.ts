/** The directory of pgsync-ts's own copy of the server binaries' packages (`demo --install`). */
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/**
 * `$XDG_CACHE_HOME/pgsync-ts/embedded`, else `~/.cache/pgsync-ts/embedded`. The packages can be
 * downloaded again at any time, which is what a cache directory is for. A relative XDG_CACHE_HOME
 * is ignored, as the XDG base directory specification asks.
 */
export function embeddedCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), ".cache");
  return join(base, "pgsync-ts", "embedded");
}
