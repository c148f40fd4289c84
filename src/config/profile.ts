import {
  DEFAULT_LOCK_WAIT,
  DEFAULT_PARALLELISM,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_TIMEOUTS,
  DEFAULT_VERIFY,
} from "./builtins.js";
import { formatPath } from "./issues.js";

/**
 * A table with more data than this (heap and TOAST) is copied in ranges, one per worker
 * (docs/config.md, `splitTablesLargerThan`).
 */
export const DEFAULT_SPLIT_TABLES_LARGER_THAN = 256 * 1024 ** 2;

import type {
  ConnectionSpec,
  MaskingConfig,
  MaskingInput,
  NotifyConfig,
  NotifyInput,
  ProfileConfig,
  ProfileInput,
  SubsetConfig,
  SubsetInput,
} from "./types.js";

/**
 * Applies `defaults` to a profile: each field the profile does not set is taken from `defaults`.
 * `timeouts` is merged key by key (its four settings are independent); every other field, objects
 * included, is taken whole from one side.
 */
export function mergeProfile(profile: ProfileInput, defaults: ProfileInput): ProfileInput {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(profile)) {
    if (value !== undefined) merged[key] = value;
  }
  if (defaults.timeouts || profile.timeouts) merged.timeouts = { ...defaults.timeouts, ...profile.timeouts };
  return merged as ProfileInput;
}

export type CompleteResult =
  | { readonly ok: true; readonly profile: ProfileConfig }
  | { readonly ok: false; readonly issues: readonly string[] };

/** Fills the built-in default of every field still unset; source and destination are required. */
export function completeProfile(input: ProfileInput, path: readonly PropertyKey[]): CompleteResult {
  const issues: string[] = [];
  for (const side of ["source", "destination"] as const) {
    if (input[side] === undefined) {
      issues.push(`${formatPath([...path, side])}: required (set it in the profile or in "defaults")`);
    }
  }
  // A masked or subsetted copy is no backup, and an archive of the raw source would hold what masking hides.
  if (input.archive && (input.masking || input.subset))
    issues.push(
      `${formatPath([...path, "archive"])}: a profile that masks or subsets cannot also write an archive`,
    );
  if (input.source === undefined || input.destination === undefined || issues.length > 0)
    return { ok: false, issues };
  const profile: ProfileConfig = {
    source: copyConnection(input.source),
    destination: copyConnection(input.destination),
    ...(input.schedule ? { schedule: { cron: input.schedule.cron, timezone: input.schedule.timezone } } : {}),
    retention: input.retention
      ? {
          days: input.retention.days,
          ...(input.retention.count === undefined ? {} : { count: input.retention.count }),
        }
      : { days: DEFAULT_RETENTION_DAYS },
    timeouts: { ...DEFAULT_TIMEOUTS, ...definedOnly(input.timeouts ?? {}) },
    parallelism: input.parallelism ?? DEFAULT_PARALLELISM,
    splitTablesLargerThan: input.splitTablesLargerThan ?? DEFAULT_SPLIT_TABLES_LARGER_THAN,
    verify: input.verify ?? DEFAULT_VERIFY,
    ...(input.include
      ? {
          include: {
            ...(input.include.schemas ? { schemas: [...input.include.schemas] } : {}),
            ...(input.include.tables ? { tables: [...input.include.tables] } : {}),
          },
        }
      : {}),
    exclude: { schemas: [...(input.exclude?.schemas ?? [])], tables: [...(input.exclude?.tables ?? [])] },
    structureOnly: [...(input.structureOnly ?? [])],
    allowProduction: input.allowProduction ?? false,
    includePrivileges: input.includePrivileges ?? false,
    copyDatabaseSettings: input.copyDatabaseSettings ?? false,
    force: input.force ?? false,
    lockWait: input.lockWait ?? DEFAULT_LOCK_WAIT,
    ...(input.notify ? { notify: completeNotify(input.notify) } : {}),
    ...(input.misfireGraceSeconds === undefined ? {} : { misfireGraceSeconds: input.misfireGraceSeconds }),
    ...(input.masking ? { masking: completeMasking(input.masking) } : {}),
    ...(input.subset ? { subset: completeSubset(input.subset) } : {}),
    ...(input.archive
      ? {
          archive: {
            store: input.archive.store,
            compress: input.archive.compress ?? "zstd",
            ...(input.archive.retention ? { retention: { ...input.archive.retention } } : {}),
            ...(input.archive.key ? { key: { ...input.archive.key } } : {}),
          },
        }
      : {}),
  };
  return { ok: true, profile: deepFreeze(profile) };
}

function completeNotify(input: NotifyInput): NotifyConfig {
  return {
    onSuccess: input.onSuccess ?? false,
    webhook: (input.webhook ?? []).map((w) => ({
      url: { ...w.url },
      ...(w.headers ? { headers: { ...w.headers } } : {}),
    })),
    slack: (input.slack ?? []).map((s) => ({ url: { ...s.url } })),
    smtp: (input.smtp ?? []).map((m) => ({ url: { ...m.url }, from: m.from, to: [...m.to] })),
  };
}

function completeMasking(input: MaskingInput): MaskingConfig {
  return {
    key: "env" in input.key ? { env: input.key.env } : { value: input.key.value },
    strict: input.strict ?? false,
    rules: Object.fromEntries(
      Object.entries(input.rules).map(([column, rule]) => [
        column,
        typeof rule === "string" ? rule : { ...rule },
      ]),
    ),
    keep: [...(input.keep ?? [])],
  };
}

function completeSubset(input: SubsetInput): SubsetConfig {
  return { roots: { ...input.roots }, follow: input.follow ?? "references", others: input.others ?? "whole" };
}

function copyConnection(spec: ConnectionSpec): ConnectionSpec {
  return "url" in spec ? { url: spec.url } : { env: spec.env };
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
