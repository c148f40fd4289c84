/**
 * A real S3-compatible server for the archive tests: s3rver (npm), on loopback, storing in a
 * throw-away directory. s3rver 3.7 lacks two calls of the S3 API that the store uses to clean up
 * after a killed dump, ListMultipartUploads and AbortMultipartUpload; this helper adds them over
 * s3rver's own upload directories, as the S3 API documents them, so that path is exercised too.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  status: number;
  body: unknown;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

interface S3rverInstance {
  middleware: Middleware[];
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer: Server;
}

export interface TestS3 {
  readonly bucket: string;
  /** The AWS SDK's standard settings for this server. */
  readonly env: NodeJS.ProcessEnv;
  /** Multipart uploads not completed nor aborted, by key. */
  openUploads(): Promise<string[]>;
  /** Resolves once a multipart upload has been started (the dump is well into a file). */
  uploadStarted(): Promise<void>;
  /** The server goes away: every connection dropped, nothing listening. */
  stop(): Promise<void>;
}

const BUCKET = "archives";

export async function startS3(): Promise<TestS3> {
  const S3rver = require("s3rver") as new (options: Record<string, unknown>) => S3rverInstance;
  const directory = await mkdtemp(join(tmpdir(), "pgsync-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const uploadsDir = join(directory, BUCKET, "._S3rver_uploads");
  const uploads = async (): Promise<{ id: string; key: string }[]> => {
    const ids = await readdir(uploadsDir).catch(() => [] as string[]);
    const out: { id: string; key: string }[] = [];
    for (const id of ids) {
      const key = await readFile(join(uploadsDir, id, "key"), "utf8").catch(() => undefined);
      if (key !== undefined) out.push({ id, key });
    }
    return out;
  };
  let started: () => void = () => {};
  const startedOnce = new Promise<void>((resolve) => {
    started = resolve;
  });
  const multipart: Middleware = async (ctx, next) => {
    const [bucket, ...rest] = ctx.path.split("/").filter((p) => p !== "");
    const key = decodeURIComponent(rest.join("/"));
    if (bucket === BUCKET && ctx.method === "GET" && rest.length === 0 && "uploads" in ctx.query) {
      const prefix = ctx.query.prefix ?? "";
      const found = (await uploads()).filter((u) => u.key.startsWith(prefix));
      ctx.body = {
        ListMultipartUploadsResult: {
          Bucket: BUCKET,
          Prefix: prefix,
          IsTruncated: false,
          Upload: found.map((u) => ({ Key: u.key, UploadId: u.id })),
        },
      };
      return;
    }
    if (bucket === BUCKET && ctx.method === "DELETE" && ctx.query.uploadId) {
      await rm(join(uploadsDir, ctx.query.uploadId), { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = "";
      return;
    }
    await next();
    if (ctx.method === "POST" && "uploads" in ctx.query && key) started();
  };
  // After s3rver's logger, XML encoder and mount handling; before its routes.
  server.middleware.splice(3, 0, multipart);
  const { port } = await server.run();
  let stopped = false;
  return {
    bucket: BUCKET,
    env: {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
    },
    openUploads: async () => (await uploads()).map((u) => u.key),
    uploadStarted: () => startedOnce,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
