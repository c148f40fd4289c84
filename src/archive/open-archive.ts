import { createHash } from "node:crypto";
import { PassThrough, type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PgsyncError } from "../errors.js";
import type { CatalogModel, ServerInfo } from "../introspect/model.js";
import { listArchives } from "./archives.js";
import { decompressor } from "./compression.js";
import { type ArchiveKey, decryptBytes, decryptor } from "./encryption.js";
import {
  ARCHIVE_ID,
  type ArchiveContents,
  contents as contentsSchema,
  MANIFEST_NAME,
  type Manifest,
  parseManifest,
} from "./manifest.js";
import { fromCatalogDocument } from "./model-format.js";
import { type ArchiveStore, openStore } from "./store.js";

/** An archive opened for reading: its manifest checked, its contents decrypted, its model rebuilt. */
export interface OpenedArchive {
  readonly store: ArchiveStore;
  readonly id: string;
  /** `<store>/<id>`. */
  readonly location: string;
  readonly manifest: Manifest;
  readonly contents: ArchiveContents;
  readonly model: CatalogModel;
  /** The source as the manifest recorded it (the guard compares its identity). */
  readonly sourceInfo: ServerInfo;
  /**
   * One file's data as it was written: its bytes hashed as they are read (a sha256 or size that
   * differs from the manifest fails the stream at its end, before the COPY that reads it ends),
   * decrypted, decompressed. Every failure names the file.
   */
  openFile(path: string): Promise<Readable>;
  close(): Promise<void>;
}

/** `<store>/<id>` (a directory or `s3://bucket/prefix`, then the archive id). */
export function splitArchiveLocation(location: string): { store: string; id: string } {
  const trimmed = location.replace(/\/+$/, "");
  const at = trimmed.lastIndexOf("/");
  const id = trimmed.slice(at + 1);
  if (at <= 0 || !ARCHIVE_ID.test(id))
    throw new PgsyncError(
      "usage",
      `--archive ${location}: expected <store>/<id>, the id as "archives" lists it (e.g. 20260101t120000z_0a1b2c3d)`,
    );
  return { store: trimmed.slice(0, at), id };
}

/** The newest complete archive of a store. */
export async function latestArchive(store: ArchiveStore): Promise<string> {
  const complete = (await listArchives(store)).filter((a) => a.state === "complete");
  const newest = complete.at(-1);
  if (newest) return newest.id;
  throw new PgsyncError("archive", `the store ${store.location} holds no complete archive`, {
    object: store.location,
  });
}

export async function openArchive(
  where: { readonly archive: string } | { readonly store: string; readonly latest: true },
  key: ArchiveKey | undefined,
): Promise<OpenedArchive> {
  const storeLocation = "archive" in where ? splitArchiveLocation(where.archive).store : where.store;
  const store = await openStore(storeLocation);
  try {
    const id = "archive" in where ? splitArchiveLocation(where.archive).id : await latestArchive(store);
    return await readArchive(store, id, key);
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Reads and checks an archive's manifest (and, encrypted, its sealed contents) from an open store. */
export async function readArchive(
  store: ArchiveStore,
  id: string,
  key: ArchiveKey | undefined,
): Promise<OpenedArchive> {
  const manifestWhere = store.where(id, MANIFEST_NAME);
  const raw = await store.get(id, MANIFEST_NAME);
  if (!raw)
    throw new PgsyncError(
      "archive",
      `the archive ${store.where(id)} is incomplete: it has no manifest (its dump did not finish)`,
      { object: store.where(id) },
    );
  const manifest = parseManifest(raw.toString("utf8"), manifestWhere, key);
  const contents = await unseal(manifest, manifestWhere, key);
  const sourceInfo: ServerInfo = {
    versionNum: manifest.source.versionNum,
    major: manifest.source.major,
    version: manifest.source.version,
    database: manifest.source.database,
    user: manifest.source.user,
    isSuperuser: false,
    inRecovery: false,
    identity: manifest.source.identity,
  };
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  return {
    store,
    id,
    location: store.where(id),
    manifest,
    contents,
    model: fromCatalogDocument(contents.catalog, sourceInfo),
    sourceInfo,
    async openFile(path) {
      const entry = listed.get(path);
      const where = store.where(id, path);
      if (!entry)
        throw new PgsyncError("archive", `${where} is not listed in the manifest`, { object: where });
      const raw = await store.open(id, path);
      const out = new PassThrough();
      const stages = [
        checkAgainst(entry, where),
        ...(manifest.encryption ? [await decryptor(key as ArchiveKey)] : []),
        await decompressor(manifest.compression),
      ];
      pipeline([raw, ...stages, out]).catch((error: unknown) => out.destroy(fileError(where, error)));
      return out;
    },
    close: () => store.close(),
  };
}

async function unseal(
  manifest: Manifest,
  where: string,
  key: ArchiveKey | undefined,
): Promise<ArchiveContents> {
  if (!manifest.encryption) {
    if (!manifest.contents)
      throw new PgsyncError("archive", `the archive manifest ${where} holds no contents`, { object: where });
    return manifest.contents;
  }
  if (!key)
    throw new PgsyncError(
      "archive",
      `the archive ${where.replace(/\/manifest\.json$/, "")} is encrypted: give its key (--key-file <file>, or PGSYNC_ARCHIVE_KEY)`,
      { object: where },
    );
  let text: string;
  try {
    text = Buffer.from(await decryptBytes(key, Buffer.from(manifest.sealed ?? "", "base64"))).toString(
      "utf8",
    );
  } catch (error) {
    throw new PgsyncError(
      "archive",
      `the archive manifest ${where} cannot be decrypted with this key: ${(error as Error).message}`,
      {
        object: where,
      },
    );
  }
  const parsed = contentsSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new PgsyncError(
      "archive",
      `the archive manifest ${where} holds invalid contents: ${parsed.error.issues[0]?.message}`,
      {
        object: where,
      },
    );
  return parsed.data;
}

/** Hashes and counts the stored bytes; at their end, compares them with the manifest's entry. */
export function checkAgainst(
  entry: { readonly bytes: number; readonly sha256: string },
  where: string,
): Transform {
  const hash = createHash("sha256");
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      const sha = hash.digest("hex");
      if (bytes !== entry.bytes)
        done(
          new PgsyncError(
            "archive",
            `${where} has ${bytes} bytes, the manifest says ${entry.bytes} (the file was cut short or changed)`,
            { object: where },
          ),
        );
      else if (sha !== entry.sha256)
        done(
          new PgsyncError(
            "archive",
            `${where} does not match its sha256 in the manifest (the file was changed)`,
            { object: where },
          ),
        );
      else done();
    },
  });
}

function fileError(where: string, error: unknown): PgsyncError {
  if (error instanceof PgsyncError && error.message.includes(where)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PgsyncError(
    "archive",
    `reading ${where} failed: ${message} (the file was changed or cut short, or the key is not the archive's)`,
    { object: where },
    { cause: error },
  );
}
