import { PgsyncError } from "../errors.js";
import type { ArchiveStore } from "./store-kinds.js";

export type { ArchiveStore, FileSink, StoredFile } from "./store-kinds.js";
export { joinKey, storeError } from "./store-kinds.js";

/** `s3://bucket/prefix` or a directory. The AWS SDK is loaded only for an S3 store. */
export async function openStore(
  location: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ArchiveStore> {
  if (/^s3:\/\//i.test(location)) {
    const { openS3Store } = await import("./store-s3.js");
    return openS3Store(location, env);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location))
    throw new PgsyncError("usage", `unsupported store ${location}: give a directory or s3://bucket/prefix`);
  const { openDirectoryStore } = await import("./store-directory.js");
  return openDirectoryStore(location);
}
