import type { Transform } from "node:stream";
import { PassThrough } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";

/**
 * How a file's bytes are compressed. zstd (the default) compresses COPY text better than gzip and
 * several times faster; Node 20 has no zstd of its own, so it comes from zstd-napi (a native
 * module built at install from the zstd sources it ships, loaded only when a zstd file is
 * written or read). gzip is built in, the fallback where the native module is unavailable. Every
 * file is one standard stream that `zstd -d` or `gzip -d` reads.
 */
export const COMPRESSIONS = ["zstd", "gzip", "none"] as const;
export type Compression = (typeof COMPRESSIONS)[number];
export const DEFAULT_COMPRESSION: Compression = "zstd";

/** zstd level 3 (its default): the best ratio per CPU second on COPY text; gzip level 6 (pg_dump's default). */
const ZSTD_LEVEL = 3;
const GZIP_LEVEL = 6;

export function compressionSuffix(compression: Compression): string {
  return compression === "zstd" ? ".zst" : compression === "gzip" ? ".gz" : "";
}

type ZstdModule = typeof import("zstd-napi");
let zstd: Promise<ZstdModule> | undefined;

function loadZstd(): Promise<ZstdModule> {
  zstd ??= import("zstd-napi").then((m) => ((m as { default?: ZstdModule }).default ?? m) as ZstdModule);
  return zstd;
}

export async function compressor(compression: Compression): Promise<Transform> {
  if (compression === "zstd") return new (await loadZstd()).CompressStream({ compressionLevel: ZSTD_LEVEL });
  if (compression === "gzip") return createGzip({ level: GZIP_LEVEL });
  return new PassThrough();
}

export async function decompressor(compression: Compression): Promise<Transform> {
  if (compression === "zstd") return new (await loadZstd()).DecompressStream();
  if (compression === "gzip") return createGunzip();
  return new PassThrough();
}
