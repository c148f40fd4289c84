import { PassThrough, type Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { PgsyncError } from "../errors.js";
import { registerSecret } from "../util/redact.js";
import { ARCHIVE_ID } from "./manifest.js";
import { type ArchiveStore, type FileSink, joinKey, type StoredFile, storeError } from "./store-kinds.js";

/**
 * A store in an S3-compatible bucket, through the AWS SDK's standard settings: AWS_ENDPOINT_URL
 * (or AWS_ENDPOINT_URL_S3), AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or a profile
 * (AWS_PROFILE). With an endpoint set (an S3-compatible server rather than AWS), addressing is
 * path-style and checksums are computed only where the API requires them: current SDKs otherwise
 * send trailing CRC32 checksums, which many such servers reject.
 *
 * Files are multipart uploads of PART_BYTES parts, QUEUE at a time: a file's upload holds at most
 * that much in memory, and the COPY stream behind it waits (backpressure) until a part is sent.
 */
const PART_BYTES = 8 * 1024 * 1024;
const QUEUE = 1;

export async function openS3Store(
  location: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ArchiveStore> {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(location);
  if (!match?.[1])
    throw new PgsyncError("usage", `invalid S3 store ${location}: expected s3://bucket/prefix`);
  const bucket = match[1];
  const prefix = (match[2] ?? "").replace(/\/+$/, "");
  const display = `s3://${bucket}${prefix ? `/${prefix}` : ""}`;
  for (const name of ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"])
    registerSecret(env[name], "s3-credential");
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  // The SDK warns on every start that its releases from 2027 on will need Node 22; the version
  // pinned in package.json supports Node 20 (docs/archives.md). Left to the user when set.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const client = new S3Client({
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(accessKeyId && secretAccessKey
      ? {
          credentials: {
            accessKeyId,
            secretAccessKey,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
    ...(endpoint
      ? {
          endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
          region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
        }
      : {}),
  });
  // Credentials from a profile or a credentials file are secrets too.
  const credentials = await client.config.credentials().catch(() => undefined);
  registerSecret(credentials?.secretAccessKey, "s3-credential");
  registerSecret(credentials?.sessionToken, "s3-credential");

  const key = (id: string, path?: string) => joinKey(prefix, id, path ?? "");
  const where = (id: string, path?: string) => `${display}/${joinKey(id, path ?? "")}`;

  async function listKeys(keyPrefix: string): Promise<{ key: string; bytes: number }[]> {
    const out: { key: string; bytes: number }[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: keyPrefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, bytes: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  const store: ArchiveStore = {
    location: display,
    where,
    async listArchives() {
      const ids = new Set<string>();
      let token: string | undefined;
      try {
        do {
          const page = await client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix ? `${prefix}/` : "",
              Delimiter: "/",
              ...(token ? { ContinuationToken: token } : {}),
            }),
          );
          for (const p of page.CommonPrefixes ?? []) {
            const id = (p.Prefix ?? "").slice(prefix ? prefix.length + 1 : 0).replace(/\/$/, "");
            if (ARCHIVE_ID.test(id)) ids.add(id);
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      } catch (error) {
        throw storeError("listing", display, error);
      }
      return [...ids].sort();
    },
    async listFiles(id) {
      const base = `${key(id)}/`;
      const found = await listKeys(base).catch((error: unknown) => {
        throw storeError("listing", where(id), error);
      });
      return found
        .map((o): StoredFile => ({ path: o.key.slice(base.length), bytes: o.bytes }))
        .sort((a, b) => a.path.localeCompare(b.path));
    },
    async create(id, path) {
      const body = new PassThrough({ highWaterMark: 1024 * 1024 });
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key(id, path), Body: body },
        partSize: PART_BYTES,
        queueSize: QUEUE,
        leavePartsOnError: false,
      });
      const done = upload.done();
      // A failed upload (the endpoint gone) ends the stream that feeds it, so the COPY stops too.
      done.catch((error: unknown) => body.destroy(storeError("uploading", where(id, path), error)));
      const sink: FileSink = {
        stream: body,
        async finish() {
          await done.catch((error: unknown) => {
            throw storeError("uploading", where(id, path), error);
          });
        },
        async abort() {
          body.destroy();
          await upload.abort().catch(() => {});
          await done.catch(() => {});
        },
      };
      return sink;
    },
    async put(id, path, data) {
      await client
        .send(new PutObjectCommand({ Bucket: bucket, Key: key(id, path), Body: data }))
        .catch((error: unknown) => {
          throw storeError("writing", where(id, path), error);
        });
    },
    async get(id, path) {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(id, path) }));
        return Buffer.from(
          await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        );
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === "NoSuchKey" || name === "NotFound") return undefined;
        throw storeError("reading", where(id, path), error);
      }
    },
    async open(id, path) {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(id, path) }));
        return r.Body as Readable;
      } catch (error) {
        throw storeError("reading", where(id, path), error);
      }
    },
    async delete(id, path) {
      await client
        .send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: key(id, path) }] } }))
        .catch((error: unknown) => {
          throw storeError("removing", where(id, path), error);
        });
    },
    async remove(id) {
      if (!ARCHIVE_ID.test(id)) throw new PgsyncError("internal", `not an archive id: ${id}`);
      try {
        await abortUploads(`${key(id)}/`);
        const keys = (await listKeys(`${key(id)}/`)).map((o) => o.key);
        for (let i = 0; i < keys.length; i += 1000) {
          await client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) },
            }),
          );
        }
      } catch (error) {
        throw storeError("removing", where(id), error);
      }
    },
    async close() {
      client.destroy();
    },
  };

  /** Multipart uploads a killed dump left: aborted, so their parts stop taking space (and cost). */
  async function abortUploads(keyPrefix: string): Promise<void> {
    let keyMarker: string | undefined;
    let uploadMarker: string | undefined;
    do {
      const page = await client.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          Prefix: keyPrefix,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(uploadMarker ? { UploadIdMarker: uploadMarker } : {}),
        }),
      );
      for (const u of page.Uploads ?? []) {
        if (!u.Key || !u.UploadId) continue;
        await client.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
        );
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
  }

  return store;
}

/** Exposed for the SDK's stream type in `open`. */
export type { Readable };
