import { existsSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { PgsyncError } from "../errors.js";
import { registerSecret } from "../util/redact.js";
import { BUILTIN_PROFILES, DEFAULT_HTTP_HOST, DEFAULT_SHUTDOWN_GRACE_SECONDS } from "./builtins.js";
import { errorMap, formatIssues, typeName } from "./issues.js";
import { completeProfile, deepFreeze, mergeProfile } from "./profile.js";
import { configFileSchema } from "./schema.js";
import type { LoadedConfig, ProfileConfig, ProfileInput } from "./types.js";
import { checkPostgresUrl } from "./url.js";

/** Files looked for in the working directory, in this order. */
export const CONFIG_FILE_NAMES = ["pgsync.config.json", "pgsync.config.mjs", "pgsync.config.js"] as const;

export const CONFIG_ENV_VAR = "PGSYNC_CONFIG";

export interface FindConfigOptions {
  /** The `--config <file>` flag, relative to cwd. */
  readonly configPath?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * Finds the config file: `--config` (must exist), else `PGSYNC_CONFIG` (must exist), else the first
 * of CONFIG_FILE_NAMES in cwd. Returns an absolute path, or undefined when there is no config file.
 */
export function findConfigFile(opts: FindConfigOptions): string | undefined {
  if (opts.configPath !== undefined && opts.configPath !== "") {
    return requireFile(resolve(opts.cwd, opts.configPath), "--config");
  }
  const fromEnv = opts.env[CONFIG_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== "") {
    return requireFile(resolve(opts.cwd, fromEnv), `environment variable ${CONFIG_ENV_VAR}`);
  }
  for (const name of CONFIG_FILE_NAMES) {
    const file = resolve(opts.cwd, name);
    if (existsSync(file)) return requireFile(file, "working directory");
  }
  return undefined;
}

function requireFile(file: string, origin: string): string {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new PgsyncError("config", `config file ${file} (from ${origin}) does not exist`);
  }
  if (!isFile) throw new PgsyncError("config", `config file ${file} (from ${origin}) is not a file`);
  return file;
}

export interface LoadConfigOptions {
  readonly configPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Finds, reads and validates the config; without a file, the built-in profiles are returned. */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = findConfigFile({ configPath: opts.configPath, env, cwd });
  const config = parseConfig(file === undefined ? {} : await readConfigFile(file), file);
  registerEnvUrls(config, env);
  return config;
}

/** Reads a config file: JSON, or the default export of a JS module. */
export async function readConfigFile(file: string): Promise<unknown> {
  const ext = extname(file).toLowerCase();
  if (ext === ".json") {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new PgsyncError(
        "config",
        `cannot read config file ${file}: ${message(error)}`,
        {},
        { cause: error },
      );
    }
    try {
      return JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (error) {
      throw new PgsyncError(
        "config",
        `config file ${file} is not valid JSON: ${message(error)}`,
        {},
        { cause: error },
      );
    }
  }
  if (ext === ".js" || ext === ".mjs" || ext === ".cjs") {
    // The modification time in the query makes a re-load (e.g. by a long-running `serve`) see edits.
    const { mtimeMs } = await stat(file);
    let mod: { default?: unknown };
    try {
      mod = (await import(`${pathToFileURL(file).href}?mtime=${Math.trunc(mtimeMs)}`)) as {
        default?: unknown;
      };
    } catch (error) {
      throw new PgsyncError(
        "config",
        `cannot load config file ${file}: ${message(error)}`,
        {},
        { cause: error },
      );
    }
    if (mod.default === undefined) {
      throw new PgsyncError("config", `config file ${file} has no default export (export the config object)`);
    }
    return await mod.default;
  }
  throw new PgsyncError(
    "config",
    `config file ${file}: unsupported extension "${ext}" (use .json, .mjs, .js or .cjs)`,
  );
}

/**
 * Validates a config object (the content of a config file) and merges it with the built-in profiles.
 * Throws one PgsyncError listing every problem, each prefixed with its key path.
 */
export function parseConfig(raw: unknown, file?: string): LoadedConfig {
  const where = file === undefined ? "invalid config" : `invalid config file ${file}`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new PgsyncError("config", `${where}: expected an object with "profiles", got ${typeName(raw)}`);
  }
  const parsed = configFileSchema.safeParse(raw, { error: errorMap });
  if (!parsed.success) throw configError(where, formatIssues(parsed.error.issues));

  const defaults: ProfileInput = parsed.data.defaults ?? {};
  const inputs = new Map<string, { input: ProfileInput; path: PropertyKey[] }>();
  for (const [name, input] of BUILTIN_PROFILES) inputs.set(name, { input, path: ["profiles", name] });
  for (const [name, input] of Object.entries(parsed.data.profiles ?? {})) {
    inputs.set(name, { input, path: ["profiles", name] });
  }

  const profiles = new Map<string, ProfileConfig>();
  const issues: string[] = [];
  for (const [name, { input, path }] of inputs) {
    const result = completeProfile(mergeProfile(input, defaults), path);
    if (result.ok) profiles.set(name, result.profile);
    else issues.push(...result.issues);
  }
  if (issues.length > 0) throw configError(where, issues);
  const { http, shutdownGraceSeconds } = parsed.data;
  return Object.freeze({
    ...(file === undefined ? {} : { file }),
    profiles,
    defaults: deepFreeze(defaults),
    service: deepFreeze({
      shutdownGraceSeconds: shutdownGraceSeconds ?? DEFAULT_SHUTDOWN_GRACE_SECONDS,
      ...(http
        ? {
            http: {
              port: http.port,
              host: http.host ?? DEFAULT_HTTP_HOST,
              ...(http.token ? { token: http.token } : {}),
            },
          }
        : {}),
    }),
  });
}

function configError(where: string, issues: readonly string[]): PgsyncError {
  const text = issues.length === 1 ? ` ${issues[0]}` : issues.map((line) => `\n  - ${line}`).join("");
  return new PgsyncError("config", `${where}:${text}`);
}

/**
 * Registers the secrets held by every environment variable the config reads (connection strings,
 * the status page's token), so that they are redacted from any message even before (or without)
 * the profile or the service that reads them being started.
 */
function registerEnvUrls(config: LoadedConfig, env: NodeJS.ProcessEnv): void {
  for (const profile of config.profiles.values()) {
    for (const spec of [profile.source, profile.destination]) {
      if ("env" in spec) {
        const value = env[spec.env];
        if (value) checkPostgresUrl(value); // registers the password; problems are reported on resolve
      }
    }
  }
  const token = config.service.http?.token;
  if (token && "env" in token) registerSecret(env[token.env]?.trim(), "status-token");
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
