/**
 * Password policies and a generator. A policy check returns the rules a password breaks,
 * in words that never include the password itself.
 */
import { randomInt } from "crypto";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGIT = "0123456789";
/** Printable ASCII that is neither a letter, a digit nor white space. */
const ASCII_SPECIAL = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

export interface PasswordPolicy {
  /** Names the service whose rule this is, for messages. */
  name: string;
  minLength: number;
  maxLength: number;
  /** Characters that count as special; only these are allowed besides letters and digits. */
  specials: string;
  /** How many of the four classes (upper, lower, digit, special) must appear. */
  minClasses: number;
  /** Classes that must appear whatever minClasses says. */
  requiredClasses: ReadonlyArray<CharClass>;
  /** Specials a generated password gets (the strictest reading of the rule). */
  generatedSpecials: number;
  /**
   * The specials a generated password draws from: a subset of `specials` without quotes,
   * backslash, `$`, backtick or `&`, so that a generated password survives shells, YAML and
   * connection strings unquoted.
   */
  generatedSpecialSet: string;
  /** Length of a generated password. */
  generatedLength: number;
}

export type CharClass = "upper" | "lower" | "digit" | "special";

/**
 * Milvus: 8–64 characters with at least three of upper, lower, digit, special, as Milvus's docs
 * state the rule for a user's password ("Create Users & Roles", users_and_roles.md); the server
 * itself asks for 6–256 bytes by default (`common.security` in milvus.yaml).
 */
export const MILVUS_PASSWORD_POLICY: PasswordPolicy = {
  name: "Milvus",
  minLength: 8,
  maxLength: 64,
  specials: ASCII_SPECIAL,
  minClasses: 3,
  requiredClasses: [],
  generatedSpecials: 2,
  generatedSpecialSet: "!#%*+-=?@^_~",
  generatedLength: 32,
};

/**
 * GeminiDB rwuser, on every engine the reset API serves (Cassandra, Mongo, Influx, Redis), as
 * Huawei's API reference states it today ("Resetting the Administrator Password of an
 * Instance", nosql_05_0101, updated 2025-12-04): 8–32 characters with at least two of upper,
 * lower, digit and special, specials only from ~!@#$%^&*()-_=+?. Older versions of that page
 * (2023-11-21, still the EU site's) gave a stricter rule: every class, specials only from
 * ~!@#%^*-_=+?. A given password is checked against today's rule (the API refuses what it does
 * not take, with DBS.200029); a generated one satisfies both readings: all four classes, two
 * specials from the older, smaller set.
 */
export const GEMINIDB_PASSWORD_POLICY: PasswordPolicy = {
  name: "GeminiDB",
  minLength: 8,
  maxLength: 32,
  specials: "~!@#$%^&*()-_=+?",
  minClasses: 2,
  requiredClasses: [],
  generatedSpecials: 2,
  generatedSpecialSet: "~!@#%^*-_=+?",
  generatedLength: 24,
};

/** The engines GeminiDB's reset API serves, as the output `engine` names them. */
export const GEMINIDB_ENGINES = ["cassandra", "mongodb", "influxdb", "redis"] as const;
export type GeminiDbEngine = (typeof GEMINIDB_ENGINES)[number];

/** Each engine's rwuser rule: today Huawei publishes the same rule for all four. */
export const GEMINIDB_ENGINE_POLICY: Record<GeminiDbEngine, PasswordPolicy> = {
  cassandra: GEMINIDB_PASSWORD_POLICY,
  mongodb: GEMINIDB_PASSWORD_POLICY,
  influxdb: GEMINIDB_PASSWORD_POLICY,
  redis: GEMINIDB_PASSWORD_POLICY,
};

function classOf(ch: string, policy: PasswordPolicy): CharClass | undefined {
  if (UPPER.includes(ch)) return "upper";
  if (LOWER.includes(ch)) return "lower";
  if (DIGIT.includes(ch)) return "digit";
  if (policy.specials.includes(ch)) return "special";
  return undefined;
}

const CLASS_WORDS: Record<CharClass, string> = {
  upper: "an uppercase letter",
  lower: "a lowercase letter",
  digit: "a digit",
  special: "a special character",
};

/** Returns the broken rules, or an empty list when the password is acceptable. */
export function checkPassword(password: string, policy: PasswordPolicy): string[] {
  const broken: string[] = [];
  const chars = [...password];
  if (chars.length < policy.minLength || chars.length > policy.maxLength) {
    broken.push(`must be ${policy.minLength} to ${policy.maxLength} characters long (it has ${chars.length})`);
  }
  const seen = new Set<CharClass>();
  let disallowed = 0;
  for (const ch of chars) {
    const c = classOf(ch, policy);
    if (c) seen.add(c);
    else disallowed++;
  }
  if (disallowed > 0) {
    broken.push(
      `may contain only letters, digits and the special characters ${policy.specials} ` +
        `(${disallowed} other character${disallowed === 1 ? "" : "s"} found)`,
    );
  }
  for (const required of policy.requiredClasses) {
    if (!seen.has(required)) broken.push(`must contain ${CLASS_WORDS[required]}`);
  }
  if (seen.size < policy.minClasses && policy.requiredClasses.length < policy.minClasses) {
    broken.push(
      `must contain at least ${policy.minClasses} of: uppercase letters, lowercase letters, digits, ` +
        `special characters (it has ${seen.size})`,
    );
  }
  return broken;
}

/**
 * A uniform integer in [0, n): crypto's randomInt by default; seed.ts supplies one drawn from a
 * seed, so that the same seed and label give the same password.
 */
export type RandomInt = (n: number) => number;

/** A password that satisfies the strictest reading of the policy, from a crypto source by default. */
export function generatePassword(
  policy: PasswordPolicy,
  length = policy.generatedLength,
  random: RandomInt = randomInt,
): string {
  if (length < policy.minLength || length > policy.maxLength) {
    throw new RangeError(`generated length must be within ${policy.minLength}..${policy.maxLength}`);
  }
  const pick = (alphabet: string) => alphabet[random(alphabet.length)];
  const chars: string[] = [pick(UPPER), pick(LOWER), pick(DIGIT)];
  for (let i = 0; i < policy.generatedSpecials; i++) chars.push(pick(policy.generatedSpecialSet));
  const all = UPPER + LOWER + DIGIT;
  while (chars.length < length) chars.push(pick(all));
  // Fisher–Yates from the same source, so the required characters are not at fixed places.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join("");
}

/**
 * Cassandra roles (GeminiDB for Cassandra, Apache Cassandra): Cassandra sets no rule of its
 * own by default; this one asks for 8–256 printable ASCII characters with at least three of
 * upper, lower, digit, special. A quote is allowed (it travels in a quoted CQL literal).
 */
export const CASSANDRA_PASSWORD_POLICY: PasswordPolicy = {
  name: "Cassandra",
  minLength: 8,
  maxLength: 256,
  specials: ASCII_SPECIAL,
  minClasses: 3,
  requiredClasses: [],
  generatedSpecials: 2,
  generatedSpecialSet: "!#%*+-=?@^_~",
  generatedLength: 32,
};
