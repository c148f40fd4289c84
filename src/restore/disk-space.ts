import { readFile, statfs } from "node:fs/promises";
import { join } from "node:path";
import type pg from "pg";
import { z } from "zod";
import { int, text } from "../db/rows.js";
import { formatBytes } from "../util/format-bytes.js";
import { readDestination } from "./migrations.js";

/**
 * The free space of the destination's data directory, where this process can read it: the server
 * runs on this machine, the role may see `data_directory` (a superuser, or pg_read_all_settings),
 * and the postmaster.pid file there names the server the session is connected to (its port and
 * start time), so a path that exists here only by chance (a container's, another server's) is
 * never taken for it. Undefined otherwise: no SQL function reports free disk space, and the tool
 * never runs a program on the server to find out.
 */
export async function destinationFreeBytes(client: pg.Client): Promise<number | undefined> {
  const [row] = await readDestination(
    client,
    "data directory",
    // pg_settings leaves out the row of a setting the role may not read (no error).
    `SELECT s.setting AS directory, coalesce(pg_catalog.inet_server_port(), 0) AS port,
            pg_catalog.date_part('epoch', pg_catalog.pg_postmaster_start_time())::bigint AS started
     FROM pg_catalog.pg_settings s WHERE s.name = 'data_directory'`,
    [],
    z.object({ directory: text, port: int, started: int }),
  );
  if (!row) return undefined;
  try {
    // postmaster.pid: PID, data directory, start time (epoch seconds), port, ...
    const lines = (await readFile(join(row.directory, "postmaster.pid"), "utf8")).split("\n");
    const started = Number(lines[2]);
    const port = Number(lines[3]);
    if (lines[1] !== row.directory || port !== row.port || Math.abs(started - row.started) > 1)
      return undefined;
    const fs = await statfs(row.directory);
    return fs.bavail * fs.bsize;
  } catch {
    return undefined;
  }
}

/**
 * The free-space warning: the next run builds a whole copy in staging beside the live state and the
 * snapshots, so a disk with less free space than the live size will not hold it.
 */
export function freeSpaceWarning(freeBytes: number | undefined, liveBytes: number): string | undefined {
  if (freeBytes === undefined || freeBytes >= liveBytes) return undefined;
  return `the destination's disk has ${formatBytes(freeBytes)} free, less than the live size (${formatBytes(liveBytes)}) that the next run's staging needs: lower retention.count or retention.days, drop snapshots now with \`pgsync-ts snapshots --prune\`, or give the server more disk`;
}
