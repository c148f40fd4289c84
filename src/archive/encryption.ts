import { createHmac, hkdfSync } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Duplex, PassThrough, Readable } from "node:stream";
import { PgsyncError } from "../errors.js";
import { registerSecret } from "../util/redact.js";

/**
 * Encryption at rest with age (age-encryption.org/v1, the npm package age-encryption), so an
 * encrypted archive can still be restored by hand with Debian's `age`. The key is an age identity
 * (`AGE-SECRET-KEY-1...`, as `age-keygen` writes it): every file is encrypted to its recipient,
 * and the manifest is authenticated with an HMAC keyed from the identity. age alone would not do
 * for the manifest: anyone holding the public recipient could write a new one that decrypts.
 */
export interface ArchiveKey {
  /** The secret identity (registered for redaction as soon as it is read). */
  readonly identity: string;
  /** Its public recipient, `age1...`, recorded in the manifest. */
  readonly recipient: string;
}

type AgeModule = typeof import("age-encryption");
let age: Promise<AgeModule> | undefined;
const loadAge = (): Promise<AgeModule> => {
  age ??= import("age-encryption");
  return age;
};

const IDENTITY = /^AGE-SECRET-KEY-1[0-9A-Z]+$/;

/**
 * Reads a key from the text of an identity file or variable: the first line that is not a
 * comment. A malformed key is refused without quoting it.
 */
export async function parseArchiveKey(text: string, where: string): Promise<ArchiveKey> {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== "" && !l.startsWith("#"));
  if (line) registerSecret(line, "archive-key");
  if (!line || !IDENTITY.test(line))
    throw new PgsyncError(
      "config",
      `the archive key in ${where} is not an age identity (expected a line "AGE-SECRET-KEY-1...", as age-keygen writes it)`,
    );
  try {
    return { identity: line, recipient: await (await loadAge()).identityToRecipient(line) };
  } catch {
    throw new PgsyncError("config", `the archive key in ${where} is not a valid age identity`);
  }
}

export async function readArchiveKeyFile(path: string): Promise<ArchiveKey> {
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw new PgsyncError("config", `cannot read the archive key file ${path}: ${(error as Error).message}`);
  });
  return parseArchiveKey(text, `file ${path}`);
}

/** A new random key (tests, and `age-keygen` for people). */
export async function generateArchiveKey(): Promise<ArchiveKey> {
  const identity = await (await loadAge()).generateX25519Identity();
  return parseArchiveKey(identity, "a generated key");
}

/** A stream that encrypts what is written to it, to the key's recipient. */
export async function encryptor(key: ArchiveKey): Promise<Duplex> {
  const { Encrypter } = await loadAge();
  const encrypter = new Encrypter();
  encrypter.addRecipient(key.recipient);
  const input = new PassThrough();
  const encrypted = await encrypter.encrypt(webStream(input));
  return Duplex.from({ writable: input, readable: Readable.from(chunksOf(encrypted)) });
}

/**
 * A stream that decrypts what is written to it. The header is read first: a wrong key fails on the
 * first bytes; a changed or cut byte anywhere fails at the chunk that holds it (each chunk carries
 * its own authentication tag, and the last one is marked as last).
 */
export async function decryptor(key: ArchiveKey): Promise<Duplex> {
  const { Decrypter } = await loadAge();
  const decrypter = new Decrypter();
  decrypter.addIdentity(key.identity);
  const input = new PassThrough();
  async function* plaintext(): AsyncGenerator<Uint8Array> {
    yield* chunksOf(await decrypter.decrypt(webStream(input)));
  }
  return Duplex.from({ writable: input, readable: Readable.from(plaintext()) });
}

/**
 * A Node stream as the web stream age reads, pulled one chunk at a time (so backpressure holds).
 * Built by hand: Readable.toWeb's type is not the global ReadableStream that age's types name.
 */
function webStream(input: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const chunks = input[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel(reason: unknown) {
      await chunks.return?.(reason);
    },
  });
}

/** The chunks of a web stream, for Readable.from. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    reader.releaseLock();
  }
}

export async function encryptBytes(key: ArchiveKey, data: Uint8Array): Promise<Uint8Array> {
  const { Encrypter } = await loadAge();
  const encrypter = new Encrypter();
  encrypter.addRecipient(key.recipient);
  return encrypter.encrypt(data);
}

export async function decryptBytes(key: ArchiveKey, data: Uint8Array): Promise<Uint8Array> {
  const { Decrypter } = await loadAge();
  const decrypter = new Decrypter();
  decrypter.addIdentity(key.identity);
  return decrypter.decrypt(data);
}

/** HMAC-SHA256 of the manifest, keyed from the identity (HKDF, so the key itself is never the MAC key). */
export function manifestMac(key: ArchiveKey, canonical: string): string {
  const macKey = Buffer.from(
    hkdfSync("sha256", key.identity, "pgsync-ts archive", "manifest authentication", 32),
  );
  return createHmac("sha256", macKey).update(canonical).digest("hex");
}

/** A profile's `archive.key`: the identity itself, or the environment variable that holds it. */
export async function resolveArchiveKey(
  spec: { readonly value: string } | { readonly env: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<ArchiveKey> {
  if ("value" in spec) return parseArchiveKey(spec.value, 'the profile\'s "archive.key"');
  const text = env[spec.env];
  if (text === undefined || text === "")
    throw new PgsyncError(
      "config",
      `the archive key is missing: environment variable ${spec.env} is ${text === undefined ? "not set" : "empty"}`,
    );
  return parseArchiveKey(text, `environment variable ${spec.env}`);
}
