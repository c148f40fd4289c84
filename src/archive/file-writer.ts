import { createHash } from "node:crypto";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PgsyncError } from "../errors.js";
import { type Compression, compressionSuffix, compressor } from "./compression.js";
import { type ArchiveKey, encryptor } from "./encryption.js";
import { type ArchiveStore, storeError } from "./store.js";

/** One file as the manifest lists it. */
export interface WrittenFile {
  readonly path: string;
  /** Bytes in the store (compressed, encrypted). */
  readonly bytes: number;
  readonly sha256: string;
  /** Bytes before compression (the COPY data). */
  readonly dataBytes: number;
}

export interface FileOptions {
  readonly compression: Compression;
  readonly key: ArchiveKey | undefined;
  /** Cut the file when the source sends nothing for this long. */
  readonly stallSeconds: number;
  /** Awaited after each chunk is counted (fault injection). */
  readonly onChunk?: () => Promise<void>;
}

/** `data/000001.0000.copy.zst.age`: the suffixes say how to read it back. */
export function fileName(
  stem: string,
  options: { readonly compression: Compression; readonly key?: ArchiveKey | undefined },
): string {
  return `${stem}.copy${compressionSuffix(options.compression)}${options.key ? ".age" : ""}`;
}

/**
 * Streams `source` into one file of the archive: counted, compressed, encrypted, hashed as it is
 * stored, with backpressure all the way (nothing is held whole, nothing goes through a temporary
 * file). A failure removes what was written of the file and names it; `describeSource` names a
 * failure of the source itself.
 */
export async function writeArchiveFile(
  store: ArchiveStore,
  id: string,
  path: string,
  source: Readable,
  options: FileOptions & { readonly describeSource: (error: unknown) => Error },
): Promise<WrittenFile> {
  const where = store.where(id, path);
  let dataBytes = 0;
  let lastData = Date.now();
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      dataBytes += chunk.length;
      lastData = Date.now();
      if (options.onChunk) options.onChunk().then(() => done(null, chunk), done);
      else done(null, chunk);
    },
  });
  const hash = createHash("sha256");
  let bytes = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const sink = await store.create(id, path);
  const stall = setInterval(
    () => {
      if (Date.now() - lastData > options.stallSeconds * 1000)
        meter.destroy(
          new PgsyncError(
            "archive",
            `writing ${where} stalled: no data for ${options.stallSeconds} seconds`,
            {
              object: where,
            },
          ),
        );
    },
    Math.min(5000, options.stallSeconds * 250),
  );
  try {
    const stages = [
      meter,
      await compressor(options.compression),
      ...(options.key ? [await encryptor(options.key)] : []),
    ];
    await pipeline([source, ...stages, hasher, sink.stream]);
    await sink.finish();
  } catch (error) {
    await sink.abort();
    // pipeline() hands one error to every stream: the server's own errors are the source's.
    if (fromServer(error)) throw options.describeSource(error);
    throw storeError("writing", where, error);
  } finally {
    clearInterval(stall);
  }
  return { path, bytes, sha256: hash.digest("hex"), dataBytes };
}

function fromServer(error: unknown): boolean {
  return typeof error === "object" && error !== null && "severity" in error && "code" in error;
}
