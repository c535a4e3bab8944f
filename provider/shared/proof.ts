/**
 * The login proof, whatever the protocol: after a change, the new password logs in and every
 * old one is refused, waited for within a bound. A database may show a change late: an
 * authentication cache keeps the old password working for a while (Cassandra's
 * `credentials_validity`), a node takes the new one a moment after another. Each protocol
 * supplies a `Login` (CQL, Milvus, RESP, Influx HTTP) and the bound it needs; the identity
 * resources' verification, the pair's proofs and GeminiDB's proof of a reset all ask here.
 */
import { DbPasswordError, isTransient } from "./errors";
import { retry } from "./retry";

/**
 * One login with `password`: true when it logs in, false when the database refuses the
 * credentials; a thrown DbPasswordError when it cannot tell (`transient`: worth asking again).
 */
export type Login = (password: string) => Promise<boolean>;

/** How long a proof keeps asking, and its backoff. */
export interface ProofBound {
  boundMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The wait after the first attempt (default baseDelayMs); later waits double from baseDelayMs. */
  firstRetryMs?: number;
}

/** For a database that shows a change at once (Milvus checks credentials on every call): one attempt. */
export const AT_ONCE: ProofBound = { boundMs: 0, baseDelayMs: 0, maxDelayMs: 0 };

/** The wait before attempt `attempt + 1` of a proof. */
export function proofDelay(bound: ProofBound, attempt: number): number {
  if (attempt === 0 && bound.firstRetryMs !== undefined) return bound.firstRetryMs;
  return Math.min(bound.maxDelayMs, bound.baseDelayMs * 2 ** attempt);
}

/** Time, injectable for tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/**
 * Logs in until the answer is `expected` (true: the password works) or the bound has passed;
 * returns whether it came. A login the database cannot answer is tried again within the
 * bound, then thrown; one that will not pass by itself (a TLS failure) is thrown at once.
 */
export async function loginUntil(
  login: Login,
  password: string,
  expected: boolean,
  bound: ProofBound,
  clock: Clock = REAL_CLOCK,
): Promise<boolean> {
  const deadline = clock.now() + bound.boundMs;
  for (let attempt = 0; ; attempt++) {
    let failure: unknown;
    try {
      if ((await login(password)) === expected) return true;
    } catch (err) {
      if (!isTransient(err)) throw err;
      failure = err;
    }
    const delay = proofDelay(bound, attempt);
    if (clock.now() + delay >= deadline) {
      if (failure) throw failure;
      return false;
    }
    await clock.sleep(delay);
  }
}

/** Bounds of the retries of a single login (refresh) after a transient failure. */
export const LOGIN_RETRY = { maxAttempts: 3, maxElapsedMs: 15000, baseDelayMs: 200, maxDelayMs: 2000 };

/** Whether `password` logs in now, asked again after a transient failure: what a refresh asks. */
export async function logsIn(login: Login, password: string): Promise<boolean> {
  const { value } = await retry(() => login(password), {
    ...LOGIN_RETRY,
    classify: (err) => ({ retry: isTransient(err) }),
  });
  return value;
}

export type ProofOutcome =
  /** the new password logs in, every old one is refused */
  | { kind: "proved" }
  /** the new password is refused and an old one still logs in: the database did not change */
  | { kind: "not-applied" }
  /** the new password logs in, but an old one still does too */
  | { kind: "old-still-works" }
  /** neither the new password nor an old one logs in */
  | { kind: "refused" }
  /** the database could not be asked */
  | { kind: "unreachable"; error: DbPasswordError };

/**
 * Asks the database until the change shows (`desired` logs in, every one of `olds` is refused)
 * or the bound has passed, and says what it found last. While the new password is refused the
 * old ones are not asked (a login can cost the server a bcrypt check); the last attempt asks
 * them, to tell "not applied" from "refused". A login the database cannot answer is tried
 * again within the bound; one that will not pass by itself ends the proof.
 */
export async function proveChange(
  login: Login,
  desired: string,
  olds: string[],
  bound: ProofBound,
  clock: Clock = REAL_CLOCK,
): Promise<ProofOutcome> {
  const deadline = clock.now() + bound.boundMs;
  const previous = [...new Set(olds)].filter((o) => o !== desired);
  const oldStillWorks = async () => {
    for (const old of previous) if (await login(old)) return true;
    return false;
  };
  for (let attempt = 0; ; attempt++) {
    const delay = proofDelay(bound, attempt);
    let final = false;
    let last: ProofOutcome;
    try {
      const newWorks = await login(desired);
      final = clock.now() + delay >= deadline;
      if (newWorks || final) {
        const oldWorks = await oldStillWorks();
        if (newWorks && !oldWorks) return { kind: "proved" };
        last = newWorks ? { kind: "old-still-works" } : oldWorks ? { kind: "not-applied" } : { kind: "refused" };
      } else {
        last = { kind: "refused" };
      }
    } catch (err) {
      if (!(err instanceof DbPasswordError)) throw err;
      last = { kind: "unreachable", error: err };
      if (!err.transient) return last;
    }
    if (final || clock.now() + delay >= deadline) return last;
    await clock.sleep(delay);
  }
}

/**
 * The proof of a change the provider made itself: throws `fail(message)` unless `desired` logs
 * in and every old password is refused within the bound.
 */
export async function requireChange(
  login: Login,
  desired: string,
  olds: string[],
  bound: ProofBound,
  fail: (message: string) => DbPasswordError,
): Promise<void> {
  const outcome = await proveChange(login, desired, olds, bound);
  if (outcome.kind === "proved") return;
  if (outcome.kind === "unreachable") throw outcome.error;
  if (outcome.kind === "old-still-works") throw fail("an old password still logs in after the change");
  throw fail("the new password does not log in after the change");
}
