import { z } from "zod";
import {
  connection,
  exclude,
  graceSeconds,
  include,
  integer,
  nonEmptyString,
  notify,
  PROFILE_NAME,
  positiveInteger,
  retention,
  schedule,
  secret,
  secretSpec,
  size,
  tableName,
  timeouts,
} from "./fields.js";
import { type KNOWN_KEYS, quote } from "./issues.js";
import { maskingSchema, subsetSchema } from "./masking-schema.js";
import type { NotifyInput, ProfileInput, SecretSpec } from "./types.js";

/**
 * The config file's shape, from the value schemas of fields.ts; issues.ts words its problems.
 */

/** The fields of a profile, all optional; also the shape of `defaults`. */
export const profileInputSchema = z.strictObject({
  source: connection.optional(),
  destination: connection.optional(),
  schedule: schedule.optional(),
  retention: retention.optional(),
  timeouts: timeouts.optional(),
  parallelism: integer("expected an integer from 1 to 32", 1, 32).optional(),
  splitTablesLargerThan: size.optional(),
  verify: z.enum(["counts", "checksum"]).optional(),
  include: include.optional(),
  exclude: exclude.optional(),
  structureOnly: z.array(tableName).optional(),
  allowProduction: z.boolean().optional(),
  includePrivileges: z.boolean().optional(),
  copyDatabaseSettings: z.boolean().optional(),
  force: z.boolean().optional(),
  lockWait: z.enum(["fail", "wait"]).optional(),
  notify: notify.optional(),
  misfireGraceSeconds: graceSeconds.optional(),
  masking: maskingSchema(secret("masking-key")).optional(),
  subset: subsetSchema.optional(),
  archive: z
    .strictObject({
      store: nonEmptyString,
      compress: z.enum(["zstd", "gzip", "none"]).optional(),
      retention: z
        .strictObject({ days: positiveInteger.optional(), count: positiveInteger.optional() })
        .optional(),
      key: secret("archive-key").optional(),
    })
    .optional(),
});

/** Keys only a profile may set: `defaults` also reaches the built-in `backup`, which must copy every row as it is. */
const PROFILE_ONLY_KEYS = ["masking", "subset"] as const;

const defaultsSchema = profileInputSchema.superRefine((d, ctx) => {
  for (const key of PROFILE_ONLY_KEYS) {
    if (d[key] !== undefined)
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `only a profile may set "${key}" ("defaults" also reaches the built-in backup profile)`,
      });
  }
});

const profileName = z
  .string()
  .regex(PROFILE_NAME, {
    error: (iss) => `invalid profile name ${quote(iss.input)}: use only letters, digits, "_", "." and "-"`,
  })
  .refine((name) => name !== "__proto__" && !/^\.+$/.test(name), {
    error: (iss) => `invalid profile name ${quote(iss.input)}`,
  });

export const configFileSchema = z.strictObject({
  defaults: defaultsSchema.optional(),
  profiles: z.record(profileName, profileInputSchema).optional(),
  shutdownGraceSeconds: graceSeconds.optional(),
  http: z
    .strictObject({
      port: integer("expected a port number from 0 to 65535", 0, 65_535),
      host: nonEmptyString.optional(),
      token: secretSpec.optional(),
    })
    .optional(),
});

export interface ConfigFileInput {
  readonly defaults?: ProfileInput;
  readonly profiles?: Readonly<Record<string, ProfileInput>>;
  readonly shutdownGraceSeconds?: number;
  readonly http?: { readonly port: number; readonly host?: string; readonly token?: SecretSpec };
}

// The same check for the notify section, whose lists are normalised by a preprocess step.
type NotifyCheck = z.output<typeof notify> extends NotifyInput ? true : never;
const _notifyCheck: NotifyCheck = true;
void _notifyCheck;

// Compile-time check that the schema's output matches the hand-written types.
type SchemaCheck = z.output<typeof configFileSchema> extends ConfigFileInput ? true : never;
const _schemaCheck: SchemaCheck = true;
void _schemaCheck;

// Every key a profile may set is one the "did you mean" hints know.
type KeysKnown = keyof typeof profileInputSchema.shape extends (typeof KNOWN_KEYS)[number] ? true : never;
const _keysKnown: KeysKnown = true;
void _keysKnown;
