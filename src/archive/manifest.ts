import { createHash } from "node:crypto";
import { z } from "zod";
import { PgsyncError } from "../errors.js";
import { COMPRESSIONS } from "./compression.js";
import { type ArchiveKey, manifestMac } from "./encryption.js";
import { catalogObjects } from "./model-format/catalog.js";
import { amount, text, texts } from "./model-format/common.js";

/**
 * The manifest: what an archive holds and how to check it (docs/archives.md, "The manifest"). It is
 * written last, so an archive without one is incomplete. Its version is MANIFEST_VERSION; a reader
 * accepts every version it knows and refuses the others by name. Its own integrity: a sha256 over
 * its canonical JSON (every key but `integrity`, in order, without spaces), and for an encrypted
 * archive an HMAC keyed from the archive key.
 */
export const MANIFEST_NAME = "manifest.json";
export const MANIFEST_FORMAT = "pgsync-ts archive";
export const MANIFEST_VERSION = 1;
/** The catalog document's own version (src/archive/model-format). */
export const CATALOG_FORMAT = 1;

/** `<time>_<run id>`, as snapshot ids are: `20260101t120000z_0a1b2c3d`. */
export const ARCHIVE_ID = /^\d{8}t\d{6}z_[0-9a-f]{8}$/;
/** Files inside an archive: never a name from the source (which is hostile input), only numbers. */
export const ARCHIVE_FILE =
  /^(data\/\d{6}\.\d{4}|large-objects\/(objects|chunks))\.copy(\.zst|\.gz)?(\.age)?$/;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "expected a sha256 in hex");
const iso = z.string().datetime({ offset: true });
const filePath = z.string().regex(ARCHIVE_FILE, "expected an archive file name");

export const fileEntry = z.strictObject({ path: filePath, bytes: amount, sha256 });

export const tableEntry = z.strictObject({
  schema: text,
  name: text,
  /** Columns COPY carried, in order (generated columns are computed by the destination). */
  columns: texts,
  rows: amount,
  /** The content digest at the snapshot (src/verify/digest.ts), over every column. */
  digest: z.strictObject({ version: z.number().int(), checksum: text }),
  /** One file per part: a big table is split by heap block ranges. */
  parts: z.array(z.strictObject({ file: filePath, rows: amount })),
  /** Created without rows (the profile's structureOnly). */
  structureOnly: z.boolean().optional(),
});

export const largeObjectsEntry = z.strictObject({
  count: amount,
  bytes: amount,
  /** COPY binary of (loid oid, size bigint). */
  objects: filePath,
  /** COPY binary of (loid oid, off bigint, data bytea, md5 text), one row per 256 kB chunk. */
  chunks: filePath,
});

/**
 * A grant on an object of the archived schemas to a role other than its owner, as the source's ACL
 * has it: a restore revokes whatever the destination's defaults grant beyond these (the same rule
 * as a run, src/pipeline/widened-grants.ts).
 */
export const sourceGrant = z.strictObject({
  kind: z.enum(["table", "sequence", "function", "procedure", "type", "schema"]),
  schema: text,
  name: text,
  args: z.array(z.tuple([text, text])),
  target: text,
  grantee: text.nullable(),
  privilege: text,
});

/** What the archive holds; sealed (age-encrypted, base64) in an encrypted archive. */
export const contents = z.strictObject({
  catalog: z.strictObject({ format: z.literal(CATALOG_FORMAT), objects: catalogObjects }),
  tables: z.array(tableEntry),
  largeObjects: largeObjectsEntry.nullable(),
  grants: z.array(sourceGrant),
});
export type ArchiveContents = z.output<typeof contents>;

export const sourceFacts = z.strictObject({
  database: text,
  version: text,
  versionNum: z.number().int(),
  major: z.number().int(),
  /** Server identity and database (src/introspect/queries/server.ts): a restore refuses the source itself. */
  identity: text,
  user: text,
});

export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  version: z.number().int(),
  id: z.string().regex(ARCHIVE_ID),
  tool: text,
  snapshotAt: iso,
  createdAt: iso,
  source: sourceFacts,
  compression: z.enum(COMPRESSIONS),
  encryption: z.strictObject({ method: z.literal("age"), recipient: text }).nullable(),
  summary: z.strictObject({
    tables: amount,
    rows: amount,
    /** Bytes of COPY text the tables' files hold once decompressed. */
    dataBytes: amount,
    /** Bytes the files take in the store. */
    storedBytes: amount,
    largeObjects: amount,
  }),
  files: z.array(fileEntry),
  contents: contents.optional(),
  sealed: z.string().optional(),
  integrity: z.strictObject({
    sha256,
    hmac: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  }),
});
export type Manifest = z.output<typeof manifestSchema>;
export type ManifestBody = Omit<Manifest, "integrity">;

/** The text the manifest's digest and MAC cover. */
export function canonicalManifest(body: ManifestBody): string {
  const { integrity: _left, ...rest } = body as Manifest;
  return JSON.stringify(rest);
}

export function sealManifest(body: ManifestBody, key: ArchiveKey | undefined): Manifest {
  const canonical = canonicalManifest(body);
  const sha = createHash("sha256").update(canonical).digest("hex");
  return { ...body, integrity: { sha256: sha, ...(key ? { hmac: manifestMac(key, canonical) } : {}) } };
}

/**
 * Parses and checks a manifest's text: its shape, its version, its digest, and (with the key) its
 * MAC. `where` names the file in every refusal.
 */
export function parseManifest(textValue: string, where: string, key?: ArchiveKey): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(textValue);
  } catch (error) {
    throw refusal(where, `it is not JSON (${(error as Error).message})`);
  }
  const version = (raw as { version?: unknown })?.version;
  if (typeof version === "number" && version !== MANIFEST_VERSION)
    throw refusal(
      where,
      `its format version is ${version}; this release reads version ${MANIFEST_VERSION} (${version > MANIFEST_VERSION ? "a newer release wrote it: use that release or a later one" : "unknown"})`,
    );
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw refusal(
      where,
      `it is not a valid manifest (${first?.path.join(".") || "top level"}: ${first?.message})`,
    );
  }
  const manifest = parsed.data;
  // Over the text as written (key order as written), not over zod's output.
  const canonical = canonicalManifest(raw as Manifest);
  if (createHash("sha256").update(canonical).digest("hex") !== manifest.integrity.sha256)
    throw refusal(where, "its content does not match its sha256 (the file was changed)");
  if (manifest.encryption) {
    if (!manifest.integrity.hmac) throw refusal(where, "it is encrypted but carries no authentication");
    if (key) {
      if (key.recipient !== manifest.encryption.recipient)
        throw refusal(
          where,
          "the archive was encrypted to another key (its recipient differs from this key's)",
        );
      if (manifestMac(key, canonical) !== manifest.integrity.hmac)
        throw refusal(
          where,
          "its authentication does not match (it was changed, or written with another key)",
        );
    }
  }
  return manifest;
}

function refusal(where: string, why: string): PgsyncError {
  return new PgsyncError("archive", `the archive manifest ${where} cannot be used: ${why}`, {
    object: where,
  });
}
