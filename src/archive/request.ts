import type { SecretSpec } from "../config/types.js";
import type { ArchiveRetention } from "./archives.js";
import type { Compression } from "./compression.js";
import type { ArchiveKey } from "./encryption.js";

/** A profile run's archive: written from the sync's own snapshot once the sync has cut over. */
export interface ArchiveRequest {
  /** A directory or `s3://bucket/prefix`. */
  readonly store: string;
  readonly compression: Compression;
  /** The key itself, or where the profile says it is (read when the archive is written). */
  readonly key?: ArchiveKey | SecretSpec;
  /** Where an `{ "env": ... }` key is read from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Applied after the archive is written. */
  readonly retention?: ArchiveRetention;
}

/** What a run's report says about its archive. */
export interface ArchiveReport {
  readonly ok: boolean;
  readonly id?: string;
  /** `<store>/<id>`. */
  readonly location?: string;
  readonly tables?: number;
  readonly rows?: number;
  /** Bytes in the store, and of COPY data before compression. */
  readonly storedBytes?: number;
  readonly dataBytes?: number;
  readonly manifestSha256?: string;
  readonly seconds: number;
  /** Archives the retention removed after this one was written. */
  readonly pruned?: readonly string[];
  readonly error?: string;
}
