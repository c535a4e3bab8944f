/**
 * Generated passwords that outlive the process that set them.
 *
 * A provider sets a password on the database before Pulumi can record it: Pulumi writes
 * state only after the operation returns. A process that dies in between (SIGKILL, an OOM kill,
 * a cancelled CI job, a preempted runner) would take the only copy of a randomly drawn password
 * with it, and a database that checks the old password (Milvus always; a Cassandra role that
 * changes its own) would then refuse every password the next run knows: the identity locked out.
 *
 * So a generated password is never drawn at the moment it is set. It is derived with
 * HMAC-SHA256 from a seed that the next run has too, and a label naming the resource type, the
 * address and the identity it is for. The next run, reading the same state, derives the same
 * password: it sets that one again (or finds it set), and offers it as a candidate old password
 * wherever it changes that identity. Where the seed comes from:
 *
 * - State's `passwordSeed`: 32 random bytes, secret, replaced with fresh ones by every operation
 *   that sets a password, so that one seed derives the passwords of at most one change.
 * - A state from before `passwordSeed`: a hash of the secrets that state holds (its password,
 *   the connection's password...), which a crash leaves as they were.
 * - A create (no state yet): a hash of the secrets of the inputs and the environment (the
 *   connection identity's password or token, `currentPassword`, GeminiDB's credentials). Whoever
 *   knows all of those can compute the resource's first generated password; a create that has
 *   none of them cannot set a password a crash could lose (nothing logs in to set it), and draws
 *   at random.
 *
 * For a reader of state: state holds the seed of the next change, so whoever reads it can
 * compute the password the next generated rotation sets, as they can read the present one.
 * After a suspected leak of state, rotate twice: the second rotation's seed was drawn after it.
 * docs/crash-safety.md has the whole account.
 */
import { createHash, createHmac, randomBytes } from "crypto";
import { type PasswordPolicy, type RandomInt, generatePassword } from "./password";

/** Fresh random bytes for state's `passwordSeed` (base64). */
export function freshSeed(): string {
  return randomBytes(32).toString("base64");
}

/** A seed from secret values (base64 of a SHA-256), or undefined when there are none. */
export function seedFromSecrets(secrets: ReadonlyArray<string | undefined>): string | undefined {
  const values = secrets.filter((s): s is string => typeof s === "string" && s.length > 0);
  if (values.length === 0) return undefined;
  const hash = createHash("sha256").update("pulumi-db-passwords seed v1");
  // each value with its length first, so that ["ab", "c"] and ["a", "bc"] differ
  for (const v of values) hash.update(`\0${Buffer.byteLength(v)}\0${v}`);
  return hash.digest("base64");
}

/**
 * Uniform integers from `seed` and `label`: the bytes of HMAC-SHA256(seed, label, block n) for
 * n = 0, 1, ..., read 32 bits at a time, with rejection sampling so that no value is likelier.
 */
export function seededRandom(seed: string, label: string): RandomInt {
  const key = Buffer.from(seed, "base64");
  let block = 0;
  let bytes = Buffer.alloc(0);
  let at = 0;
  const word = () => {
    if (at + 4 > bytes.length) {
      bytes = createHmac("sha256", key).update(`${label}\0${block++}`).digest();
      at = 0;
    }
    const w = bytes.readUInt32BE(at);
    at += 4;
    return w;
  };
  return (n) => {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError("n must be an integer in 1..2^32");
    const limit = Math.floor(2 ** 32 / n) * n;
    for (;;) {
      const w = word();
      if (w < limit) return w % n;
    }
  };
}

/** The password `seed` gives for `label` under `policy`: the same for the same three, always. */
export function derivePassword(policy: PasswordPolicy, seed: string, label: string): string {
  return generatePassword(policy, policy.generatedLength, seededRandom(seed, label));
}

/**
 * The passwords one operation generates. `forName(name)` is the password generated for the
 * identity `name`, the same for the whole operation (and, derived, on every run from the same
 * seed: what a run that died may have set). `drawn` lists every password handed out, so that
 * errors are redacted of them.
 */
export interface PasswordSource {
  forName(name: string): string;
  /**
   * What a run that died may have set on `name` from the same seed, as a candidate old
   * password; none when the passwords are random (nothing could know them).
   */
  pending(name: string): string[];
  readonly drawn: string[];
}

/**
 * A source of generated passwords: derived from `seed` with labels `labelOf(name)`, or random
 * when there is no seed.
 */
export function passwordSource(
  policy: PasswordPolicy,
  seed: string | undefined,
  labelOf: (name: string) => string,
): PasswordSource {
  const byName = new Map<string, string>();
  const forName = (name: string) => {
    let password = byName.get(name);
    if (password === undefined) {
      password = seed !== undefined ? derivePassword(policy, seed, labelOf(name)) : generatePassword(policy);
      byName.set(name, password);
    }
    return password;
  };
  return {
    forName,
    pending: (name) => (seed !== undefined ? [forName(name)] : []),
    get drawn() {
      return [...byName.values()];
    },
  };
}

/** The label of an identity's generated password: the resource type, where it is, and who. */
export function passwordLabel(type: string, where: string, name: string): string {
  return `${type}\0${where}\0${name}`;
}
