/**
 * The server's configuration, rewritten before every start: our settings in an include file that
 * postgresql.conf pulls in last, and the caller's pg_hba.conf lines in a marked block on top.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PgsyncError } from "../errors.js";
import { HOST, type SettingValue } from "./options.js";
import { giveToServerUser, type ServerOsUser } from "./os-user.js";

const CONF_FILE = "pgsync-ts.conf";
const HBA_BEGIN = "# --- pgsync-ts: begin (rewritten on every start) ---";
const HBA_END = "# --- pgsync-ts: end ---";

export interface ServerConfig {
  readonly dataDir: string;
  readonly port: number;
  /** fsync, synchronous_commit and full_page_writes off. */
  readonly fast: boolean;
  readonly settings?: Record<string, SettingValue>;
  readonly hbaLines?: readonly string[];
  readonly user: ServerOsUser;
}

/** Checks the caller's settings and hba lines before anything is created on disk. */
export function validateConfig(
  settings: Record<string, SettingValue> = {},
  hbaLines: readonly string[] = [],
): void {
  for (const [key, value] of Object.entries(settings)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key)) {
      throw new PgsyncError("usage", `invalid setting name: ${JSON.stringify(key)}`, {
        object: "postgresql.conf",
      });
    }
    formatSetting(key, value);
  }
  if (hbaLines.some((line) => line.includes("\n") || line.includes("\r"))) {
    throw new PgsyncError("usage", "hbaLines entries must be single lines", { object: "pg_hba.conf" });
  }
}

export async function writeServerConfig(config: ServerConfig): Promise<void> {
  validateConfig(config.settings, config.hbaLines);
  const settings: Record<string, SettingValue> = {
    listen_addresses: HOST,
    port: config.port,
    // No Unix socket: its path length limit (107 bytes) would break long data dir paths.
    unix_socket_directories: "",
    max_connections: 100,
    shared_buffers: "128MB",
    ...(config.fast ? { fsync: false, synchronous_commit: false, full_page_writes: false } : {}),
    ...config.settings,
  };
  const lines = ["# Written by pgsync-ts (src/embedded/config-files.ts) before every start."];
  for (const [key, value] of Object.entries(settings)) lines.push(`${key} = ${formatSetting(key, value)}`);
  const confFile = join(config.dataDir, CONF_FILE);
  await writeFile(confFile, `${lines.join("\n")}\n`, { mode: 0o600 });
  await giveToServerUser(confFile, config.user, 0o600);

  // Later lines win in postgresql.conf, so our include goes last (added once).
  const mainConf = join(config.dataDir, "postgresql.conf");
  const conf = await readFile(mainConf, "utf8");
  const include = `include_if_exists = '${CONF_FILE}'`;
  if (!conf.includes(include)) {
    await writeFile(mainConf, `${conf}${conf.endsWith("\n") ? "" : "\n"}${include}\n`);
  }

  // pg_hba.conf is first-match, so extra lines go on top, in a block we can replace next time.
  const hbaFile = join(config.dataDir, "pg_hba.conf");
  let hba = await readFile(hbaFile, "utf8");
  const begin = hba.indexOf(HBA_BEGIN);
  const end = hba.indexOf(HBA_END);
  if (begin !== -1 && end > begin) hba = hba.slice(0, begin) + hba.slice(end + HBA_END.length + 1);
  const extra = config.hbaLines ?? [];
  const block = extra.length > 0 ? `${HBA_BEGIN}\n${extra.join("\n")}\n${HBA_END}\n` : "";
  await writeFile(hbaFile, block + hba);
}

function formatSetting(key: string, value: SettingValue): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new PgsyncError("usage", `invalid numeric value for ${key}: ${value}`, {
        object: "postgresql.conf",
      });
    }
    return String(value);
  }
  // A line break would end the setting's line and start another one of the value's choosing.
  if (/[\r\n]/.test(value)) {
    throw new PgsyncError("usage", `the value of ${key} must be a single line`, {
      object: "postgresql.conf",
    });
  }
  // postgresql.conf strings: single quotes, with ' doubled and backslashes escaped.
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}
