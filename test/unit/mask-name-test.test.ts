/**
 * The personal-data name test (whole words of a documented list, two refinements) and the name
 * transformer's lists, without a server.
 */
import { describe, expect, it } from "vitest";
import { personalDataWords } from "../../src/mask/name-test.js";
import { FAMILY_NAMES, GIVEN_NAMES } from "../../src/mask/names.js";

describe("the personal-data name test", () => {
  it("matches whole words of the documented list, in any case and separator style", () => {
    const cases: Record<string, string[]> = {
      email: ["email"],
      billing_email: ["email"],
      contactEmail: ["email"],
      e_mail: ["mail"],
      phone_number: ["phone"],
      MobilePhone: ["mobile", "phone"],
      first_name: ["name"],
      first: ["first"],
      name_last: ["name", "last"],
      surname: ["surname"],
      username: ["username"],
      ip_address: ["ip", "address"],
      userIP: ["ip"],
      zip: ["zip"],
      zipCode: ["zip"],
      postcode: ["postcode"],
      date_of_birth: ["birth"],
      dob: ["dob"],
      ssn: ["ssn"],
      tax_id: ["tax"],
      iban: ["iban"],
      card_number: ["card"],
      password_hash: ["password"],
      api_token: ["token"],
      client_secret: ["secret"],
      street2: ["street"],
      city: ["city"],
    };
    for (const [column, words] of Object.entries(cases))
      expect(personalDataWords(column), column).toEqual(words);
  });

  it("does not match names that only contain a listed word, or name a thing", () => {
    for (const column of [
      "description",
      "table_name",
      "column_name",
      "file_name",
      "hostName",
      "zipped",
      "shipping_fee",
      "recipient_count",
      "tipping",
      "last_login_at",
      "first_seen",
      "emails_sent_total",
      "cardinality",
      "tokenizer",
      "id",
      "created_at",
    ])
      expect(personalDataWords(column), column).toEqual([]);
  });
});

describe("the name lists", () => {
  it("hold 256 distinct names each, so one keyed byte picks one", () => {
    expect(new Set(GIVEN_NAMES).size).toBe(256);
    expect(new Set(FAMILY_NAMES).size).toBe(256);
    for (const n of [...GIVEN_NAMES, ...FAMILY_NAMES]) expect(n).toMatch(/^[A-Z][a-z]+$/);
  });
});
