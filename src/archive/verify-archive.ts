import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { errorMessage } from "../errors.js";
import type { ArchiveKey } from "./encryption.js";
import { MANIFEST_NAME, type Manifest, parseManifest } from "./manifest.js";
import { readArchive } from "./open-archive.js";
import { IN_PROGRESS } from "./partials.js";
import type { ArchiveStore } from "./store.js";

/**
 * The full check of one archive, made before a restore is started: the manifest reads (and with
 * the key, is authenticated and decrypts), every file it lists is there, and every file's bytes
 * are read again and match their size and sha256. No file outside the list is expected, but the
 * in-progress marker. Returns every problem found (none: the archive is sound).
 */
export async function verifyArchive(store: ArchiveStore, id: string, key?: ArchiveKey): Promise<string[]> {
  let manifest: Manifest;
  try {
    manifest = key
      ? (await readArchive(store, id, key)).manifest
      : parseManifest(
          ((await store.get(id, MANIFEST_NAME)) ?? Buffer.from("")).toString("utf8"),
          store.where(id, MANIFEST_NAME),
        );
  } catch (error) {
    return [errorMessage(error)];
  }
  const problems: string[] = [];
  const stored = new Map((await store.listFiles(id)).map((f) => [f.path, f.bytes]));
  for (const f of manifest.files) {
    const where = store.where(id, f.path);
    if (!stored.has(f.path)) {
      problems.push(`${where} is missing`);
      continue;
    }
    try {
      const hash = createHash("sha256");
      let bytes = 0;
      await pipeline(
        await store.open(id, f.path),
        new Writable({
          write(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            bytes += chunk.length;
            done();
          },
        }),
      );
      if (bytes !== f.bytes) problems.push(`${where} has ${bytes} bytes, the manifest says ${f.bytes}`);
      else if (hash.digest("hex") !== f.sha256)
        problems.push(`${where} does not match its sha256 in the manifest`);
    } catch (error) {
      problems.push(`${where} cannot be read: ${errorMessage(error)}`);
    }
  }
  const listed = new Set([...manifest.files.map((f) => f.path), MANIFEST_NAME, IN_PROGRESS]);
  for (const path of stored.keys())
    if (!listed.has(path)) problems.push(`${store.where(id, path)} is not listed in the manifest`);
  return problems;
}
