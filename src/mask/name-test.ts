/**
 * Does a column's name look like personal data? The test splits the name into words (at `_`, `-`,
 * spaces, digits and lower-to-upper case changes, then lower-cases them) and matches whole words
 * against PERSONAL_WORDS, never substrings: `description` does not match `ip`, `zipper` does not
 * match `zip`. docs/masking.md lists the words and the two refinements below.
 */

/** The documented word list. */
export const PERSONAL_WORDS = [
  "email",
  "mail",
  "phone",
  "mobile",
  "name",
  "first",
  "last",
  "surname",
  "address",
  "street",
  "city",
  "zip",
  "postcode",
  "birth",
  "dob",
  "ssn",
  "tax",
  "iban",
  "card",
  "ip",
  "password",
  "token",
  "secret",
] as const;

/** Words written as one that hold a listed word (a column called `username` is a name). */
export const PERSONAL_COMPOUNDS = [
  "username",
  "firstname",
  "lastname",
  "fullname",
  "nickname",
  "birthday",
  "birthdate",
  "zipcode",
  "emailaddress",
  "phonenumber",
  "passwd",
] as const;

/**
 * `name` after one of these words names a thing, not a person (`table_name`, `file_name`): such a
 * `name` does not count. A person's name (`first_name`, `user_name`, `display_name`) still does.
 */
export const THING_WORDS = [
  "table",
  "column",
  "schema",
  "relation",
  "index",
  "constraint",
  "database",
  "db",
  "file",
  "host",
  "domain",
  "server",
  "type",
  "class",
  "key",
  "field",
  "attribute",
  "product",
  "company",
  "brand",
  "app",
  "application",
  "event",
  "job",
  "task",
  "queue",
  "tag",
  "category",
  "feature",
  "plan",
  "setting",
  "metric",
  "bucket",
  "branch",
] as const;

const personal = new Set<string>([...PERSONAL_WORDS, ...PERSONAL_COMPOUNDS]);
const things = new Set<string>(THING_WORDS);

/** The words of a column name, lower-cased. */
export function nameWords(column: string): string[] {
  return column
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w !== "");
}

/**
 * The listed words a column name matches (empty: it does not look like personal data). Two
 * refinements keep common names that are not personal data out: `name` after a thing word
 * (THING_WORDS), and `first` or `last` leading another word (`last_login_at`, `first_seen`: a
 * moment, not a name; `first_name` still matches through `name`).
 */
export function personalDataWords(column: string): string[] {
  const words = nameWords(column);
  return words.filter((w, i) => {
    if (!personal.has(w)) return false;
    if (w === "name" && i > 0 && things.has(words[i - 1] as string)) return false;
    if ((w === "first" || w === "last") && i < words.length - 1) return false;
    return true;
  });
}

export function looksPersonal(column: string): boolean {
  return personalDataWords(column).length > 0;
}
