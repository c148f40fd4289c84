/**
 * Which OS account runs the server processes. PostgreSQL refuses to run as root, so under root the
 * server runs as `nobody`; everybody else runs it as themselves.
 */
import { execFile } from "node:child_process";
import { chmod, chown, stat } from "node:fs/promises";
import { dirname, parse, resolve } from "node:path";
import { promisify } from "node:util";
import { PgsyncError } from "../errors.js";

const execFileAsync = promisify(execFile);

/** The OS account the server processes run as; `undefined` fields mean "the current user". */
export interface ServerOsUser {
  readonly name: string;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

const SERVER_USER_WHEN_ROOT = "nobody";
let osUserPromise: Promise<ServerOsUser> | undefined;

/** Root gets `nobody` (looked up with `id`), everybody else runs the server as themselves. */
export function serverOsUser(): Promise<ServerOsUser> {
  osUserPromise ??= (async () => {
    if (process.getuid?.() !== 0) {
      return { name: process.env.USER ?? "current user", uid: undefined, gid: undefined };
    }
    const lookup = async (flag: string) => {
      const { stdout } = await execFileAsync("id", [flag, SERVER_USER_WHEN_ROOT]);
      const id = Number.parseInt(stdout.trim(), 10);
      // A plain Error: wrapped just below, naming the user that could not be looked up.
      if (!Number.isInteger(id)) throw new Error(`unexpected output of id ${flag}: ${stdout}`);
      return id;
    };
    try {
      return { name: SERVER_USER_WHEN_ROOT, uid: await lookup("-u"), gid: await lookup("-g") };
    } catch (error) {
      throw new PgsyncError(
        "config",
        `running as root, but PostgreSQL must run as an unprivileged user and "${SERVER_USER_WHEN_ROOT}" could not be looked up: ${String(error)}`,
        { object: `OS user "${SERVER_USER_WHEN_ROOT}"` },
        { cause: error },
      );
    }
  })();
  return osUserPromise;
}

/** Hands a file or directory we created to the server's user (a no-op when that is us). */
export async function giveToServerUser(path: string, user: ServerOsUser, mode?: number): Promise<void> {
  if (user.uid !== undefined && user.gid !== undefined) await chown(path, user.uid, user.gid);
  if (mode !== undefined) await chmod(path, mode);
}

/** The first ancestor directory of `path` that other users cannot enter (no o+x), if any. */
export async function unenterableAncestor(path: string): Promise<string | undefined> {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) return dir;
    if (dir === parse(dir).root) return undefined;
  }
}
