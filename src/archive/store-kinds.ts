import type { Readable, Writable } from "node:stream";
import { PgsyncError } from "../errors.js";

/**
 * Where archives live: a directory, or an S3-compatible bucket and prefix. Each archive is
 * `<store>/<id>/`; its files are streamed in and out, never held whole in memory nor staged in a
 * temporary file. Every failure names the file (or the store) and the cause.
 */
export interface StoredFile {
  /** Inside the archive, e.g. `data/000001.0000.copy.zst`. */
  readonly path: string;
  readonly bytes: number;
}

/** One file being written: stream into `stream`, then `finish` (stored) or `abort` (nothing kept). */
export interface FileSink {
  readonly stream: Writable;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

export interface ArchiveStore {
  /** The store as the user named it: an absolute directory or `s3://bucket/prefix`. */
  readonly location: string;
  /** An archive, or a file in it, as messages name it. */
  where(id: string, path?: string): string;
  /** The ids of every archive in the store, complete or not. */
  listArchives(): Promise<string[]>;
  listFiles(id: string): Promise<StoredFile[]>;
  create(id: string, path: string): Promise<FileSink>;
  /** Writes a small file whole, replacing it (the manifest, the in-progress marker). */
  put(id: string, path: string, data: Buffer): Promise<void>;
  /** A small file's bytes; undefined when it does not exist. */
  get(id: string, path: string): Promise<Buffer | undefined>;
  open(id: string, path: string): Promise<Readable>;
  /** Removes a small file (the in-progress marker); no error when it is gone already. */
  delete(id: string, path: string): Promise<void>;
  /** Removes an archive: every file, and (S3) the multipart uploads left unfinished under it. */
  remove(id: string): Promise<void>;
  close(): Promise<void>;
}

/** A store failure, naming the file or the store. */
export function storeError(what: string, where: string, error: unknown): PgsyncError {
  if (error instanceof PgsyncError) return error;
  const code = (error as { code?: string })?.code;
  const message = error instanceof Error ? error.message : String(error);
  const hint =
    code === "ENOSPC"
      ? " (the filesystem is full)"
      : code === "ECONNREFUSED" || code === "ECONNRESET"
        ? " (the storage endpoint cannot be reached)"
        : "";
  return new PgsyncError(
    "archive",
    `${what} ${where} failed: ${message}${hint}`,
    { object: where },
    { cause: error },
  );
}

/** `<archive id>/<path>` parts are checked names (ids and numbered files): never a name from the source. */
export function joinKey(...parts: readonly string[]): string {
  return parts.filter((p) => p !== "").join("/");
}
