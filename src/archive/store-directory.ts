import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { finished } from "node:stream/promises";
import { PgsyncError } from "../errors.js";
import { ARCHIVE_ID } from "./manifest.js";
import { type ArchiveStore, type FileSink, type StoredFile, storeError } from "./store-kinds.js";

/**
 * A store in a local directory (or a mounted filesystem). Files are written in place and synced to
 * disk when complete; small files (the manifest) are written beside and renamed over, so a reader
 * sees the old file or the new one whole.
 */
export async function openDirectoryStore(location: string): Promise<ArchiveStore> {
  const root = resolve(location);
  const where = (id: string, path?: string) => (path ? join(root, id, path) : join(root, id));

  const store: ArchiveStore = {
    location: root,
    where,
    async listArchives() {
      const entries = await readdir(root, { withFileTypes: true }).catch((error: unknown) => {
        if ((error as { code?: string }).code === "ENOENT") return [];
        throw storeError("listing", root, error);
      });
      return entries
        .filter((e) => e.isDirectory() && ARCHIVE_ID.test(e.name))
        .map((e) => e.name)
        .sort();
    },
    async listFiles(id) {
      const base = where(id);
      const out: StoredFile[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const e of await readdir(dir, { withFileTypes: true })) {
          const full = join(dir, e.name);
          if (e.isDirectory()) await walk(full);
          else if (e.isFile())
            out.push({ path: relative(base, full).split(sep).join("/"), bytes: (await stat(full)).size });
        }
      };
      await walk(base).catch((error: unknown) => {
        if ((error as { code?: string }).code !== "ENOENT") throw storeError("listing", base, error);
      });
      return out.sort((a, b) => a.path.localeCompare(b.path));
    },
    async create(id, path) {
      const file = where(id, path);
      await mkdir(dirname(file), { recursive: true }).catch((error: unknown) => {
        throw storeError("creating the directory of", file, error);
      });
      const stream = createWriteStream(file, { flags: "wx" });
      const sink: FileSink = {
        stream,
        async finish() {
          await finished(stream).catch((error: unknown) => {
            throw storeError("writing", file, error);
          });
          await syncFile(file).catch((error: unknown) => {
            throw storeError("writing", file, error);
          });
        },
        async abort() {
          stream.destroy();
          await rm(file, { force: true }).catch(() => {});
        },
      };
      return sink;
    },
    async put(id, path, data) {
      const file = where(id, path);
      const beside = `${file}.new`;
      try {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(beside, data);
        await syncFile(beside);
        await rename(beside, file);
        await syncFile(dirname(file));
      } catch (error) {
        await rm(beside, { force: true }).catch(() => {});
        throw storeError("writing", file, error);
      }
    },
    async get(id, path) {
      const file = where(id, path);
      try {
        return await readFile(file);
      } catch (error) {
        if ((error as { code?: string }).code === "ENOENT") return undefined;
        throw storeError("reading", file, error);
      }
    },
    async open(id, path) {
      const file = where(id, path);
      await stat(file).catch((error: unknown) => {
        throw storeError("reading", file, error);
      });
      return createReadStream(file);
    },
    async delete(id, path) {
      await rm(where(id, path), { force: true }).catch((error: unknown) => {
        throw storeError("removing", where(id, path), error);
      });
    },
    async remove(id) {
      if (!ARCHIVE_ID.test(id)) throw new PgsyncError("internal", `not an archive id: ${id}`);
      await rm(where(id), { recursive: true, force: true }).catch((error: unknown) => {
        throw storeError("removing", where(id), error);
      });
    },
    async close() {},
  };
  return store;
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
