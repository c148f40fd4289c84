/**
 * Source against destination as the independent oracle (test/oracle) sees them, for the fidelity
 * suites: catalog and data fingerprints of both, compared line by line after the documented
 * differences of the version pair are taken out. Each documented difference says why it exists.
 */
import { diffFingerprints, formatDiff, isToolSchema, parseLine } from "../oracle/index.js";
import { oracleState, TOOL_SETTINGS } from "./db-state.js";
import { withClient } from "./pg-servers.js";

/**
 * A difference the version pair shows by design (or a known gap of the tool, said so in `why`):
 * lines of either side it takes out (`matches`), or rewrites before they are compared (`rewrite`,
 * for a difference in one part of a line only).
 */
export interface DocumentedDifference {
  readonly why: string;
  readonly matches?: (line: string, from: number, to: number) => boolean;
  readonly rewrite?: (line: string, from: number, to: number) => string;
  /** For a difference spread over several lines of one object: the whole fingerprint, rewritten. */
  readonly transform?: (lines: readonly string[], from: number, to: number) => string[];
}

/**
 * 14 keeps an ICU collation's locale in collcollate and collctype; 15 and later keep it in their
 * own column (the oracle prints it as `locale`) and leave those two NULL. The same collation: when
 * the pair crosses 15, each ICU collation's three lines become one `locale` line on both sides.
 */
export const ICU_LOCALE_COLUMNS: DocumentedDifference = {
  why: "14 stores an ICU collation's locale in collcollate and collctype, 15 and later in a column of its own",
  transform: (lines, from, to) => {
    if (from < 15 === to < 15) return [...lines];
    const field = (line: string) => line.split("\t");
    const icu = new Set(
      lines.filter((l) => /^collation\.attributes\t[^\t]*\tcollprovider\ti$/.test(l)).map((l) => field(l)[1]),
    );
    const locale = new Map<string, string>();
    const rest = lines.filter((l) => {
      const [cls, object = "", property, value = ""] = field(l);
      if (cls !== "collation.attributes" || !icu.has(object)) return true;
      if (property === "locale" || (property === "collcollate" && value !== "NULL"))
        locale.set(object, value);
      return property !== "locale" && property !== "collcollate" && property !== "collctype";
    });
    return [
      ...rest,
      ...[...locale].map(([object, value]) => `collation.attributes\t${object}\tlocale\t${value}`),
    ];
  },
};

/**
 * The tool's own schemas (the safety snapshot, the previous copy kept by design; staging a failed
 * run could not drop). The oracle leaves those schemas out, but database-wide rows about their
 * objects name them (a cast between snapshot types, the members of a snapshot operator family,
 * comments on them, an extension installed in a staging schema): left out too.
 */
export const TOOL_SCHEMA_OBJECTS: DocumentedDifference = {
  why: "objects in pgsync-ts's own schemas (the safety snapshot, leftover staging)",
  matches: (line) => (parseLine(line).object.match(/\w+/g) ?? []).some(isToolSchema),
  transform: (lines) => {
    const inToolSchema = new Set(
      lines
        .map(parseLine)
        .filter(
          (l) => l.cls === "extension.attributes" && l.property === "extnamespace" && isToolSchema(l.value),
        )
        .map((l) => l.object),
    );
    // Its lines, and those about it (its comment, its owner): `extension <name>`.
    return lines.filter((line) => {
      const l = parseLine(line);
      const name = l.cls.startsWith("extension.") ? l.object : /^extension (.*)$/.exec(l.object)?.[1];
      return name === undefined || !inToolSchema.has(name);
    });
  },
};

/** Kinds a run reports and does not carry (docs/schema.md, "What is reported, not carried"). */
export const NOT_CARRIED_CLASSES: DocumentedDifference = {
  why: "publications, subscriptions, event triggers, user mappings and settings for one role are reported, not carried",
  matches: (line) =>
    /^(publication\.|subscription\.|event-trigger\.|foreign\.user-mapping\t|database\.role-setting\t)/.test(
      line,
    ) || /^privilege\.(owner|acl)\t(publication|event trigger) /.test(line),
};

/**
 * A run creates an extension at the destination's default version (CREATE EXTENSION without
 * VERSION): another major ships other versions (btree_gist 1.8 on 18, 1.6 on 14).
 */
export const EXTENSION_VERSIONS: DocumentedDifference = {
  why: "an extension is created at the destination's default version, which differs between majors",
  matches: (line, from, to) => from !== to && /^extension\.attributes\t[^\t]*\textversion\t/.test(line),
};

/**
 * 16 and later deparse a view's query without the qualifier of a column's relation when only one
 * relation is in scope (`SELECT id` for 15's `SELECT people.id`): the same query, printed
 * differently. Lines of view and materialized view definitions are compared with such qualifiers
 * (a lowercase word and a dot, not a schema name) removed, when the pair crosses 16.
 */
export function viewDeparseRewrite(schemas: readonly string[], from: number, to: number) {
  const known = new Set(schemas);
  return (line: string): string => {
    if (from < 16 === to < 16 || !/^(view|matview)\.definition\t/.test(line)) return line;
    // Only the value (after the last tab; tabs inside a field are escaped).
    const at = line.lastIndexOf("\t") + 1;
    const value = line
      .slice(at)
      .replace(/\b([a-z_][a-z0-9_]*)\.(?=[a-z_"])/g, (match, word: string) => (known.has(word) ? match : ""));
    return line.slice(0, at) + value;
  };
}

export interface OracleComparison {
  /** The differences no documented difference covers, formatted ("" when none). */
  readonly unexpected: string;
  /** How many lines each documented difference took out (a stale one takes out none). */
  readonly documented: ReadonlyMap<string, number>;
  readonly sourceLines: readonly string[];
  readonly destinationLines: readonly string[];
}

async function serverMajor(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const r = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return Math.floor(Number(r.rows[0]?.v) / 10_000);
  });
}

/**
 * A fingerprint with the documented differences applied: rewritten, and the lines they cover
 * taken out (`count` hears of each). Both sides of a comparison go through the same rules.
 */
export function normalized(
  lines: readonly string[],
  pair: { readonly from: number; readonly to: number; readonly schemas: readonly string[] },
  documented: readonly DocumentedDifference[],
  count: (why: string) => void = () => {},
): string[] {
  const { from, to } = pair;
  const rewrite = viewDeparseRewrite(pair.schemas, from, to);
  const rules = [TOOL_SCHEMA_OBJECTS, ...documented];
  let whole = lines;
  for (const d of rules.filter((r) => r.transform)) {
    const before = new Set(whole);
    whole = d.transform?.(whole, from, to) ?? whole;
    if (whole.some((l) => !before.has(l))) count(d.why);
  }
  const rewritten = (line: string) =>
    rules.reduce((text, d) => {
      const next = d.rewrite?.(text, from, to) ?? text;
      if (next !== text) count(d.why);
      return next;
    }, rewrite(line));
  return whole.map(rewritten).filter((line) => {
    const doc = rules.find((d) => d.matches?.(line, from, to));
    if (doc) count(doc.why);
    return !doc;
  });
}

/** The schemas a fingerprint names (for the view deparse rewrite). */
export function schemasOf(lines: readonly string[]): string[] {
  return lines.filter((l) => l.startsWith("schema\t")).map((l) => parseLine(l).object);
}

export async function compareWithOracle(
  sourceUrl: string,
  destinationUrl: string,
  opts: {
    readonly documented?: readonly DocumentedDifference[];
    readonly privileges?: boolean;
    /** Database settings a run does not carry (pgsync-ts's own markers always). */
    readonly withholdSettings?: (name: string) => boolean;
  } = {},
): Promise<OracleComparison> {
  const [from, to] = await Promise.all([serverMajor(sourceUrl), serverMajor(destinationUrl)]);
  const withhold = (name: string) => TOOL_SETTINGS(name) || (opts.withholdSettings?.(name) ?? false);
  const common = { withholdSettings: withhold, ...(opts.privileges ? { privileges: true } : {}) };
  const [a, b] = await Promise.all([
    oracleState(sourceUrl, { ...common, peerMajor: to }),
    oracleState(destinationUrl, { ...common, peerMajor: from }),
  ]);
  const documented = new Map<string, number>();
  const count = (why: string) => documented.set(why, (documented.get(why) ?? 0) + 1);
  const pair = { from, to, schemas: schemasOf(a) };
  const diff = diffFingerprints(
    normalized(a, pair, opts.documented ?? [], count),
    normalized(b, pair, opts.documented ?? [], count),
  );
  return {
    unexpected: diff.onlyInA.length + diff.onlyInB.length === 0 ? "" : formatDiff(diff, 40),
    documented,
    sourceLines: a,
    destinationLines: b,
  };
}

/**
 * A database's state for comparisons across the pair from -> to (the fault suite's old or new
 * state): fingerprinted against the older major (catalog rows only newer majors have are left
 * out), with the pair's documented differences applied, so that the destination's states and the
 * source's compare line by line.
 */
export async function pairState(url: string, from: number, to: number): Promise<string[]> {
  const lines = await oracleState(url, { peerMajor: Math.min(from, to), withholdSettings: TOOL_SETTINGS });
  return normalized(lines, { from, to, schemas: schemasOf(lines) }, [EXTENSION_VERSIONS]);
}
