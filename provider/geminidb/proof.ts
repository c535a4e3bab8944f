/**
 * The login proof of a GeminiDB reset (`cql`): after the API's 2xx, the database itself must
 * show the change. rwuser logs in over CQL with the new password, and no longer with the old
 * one. Authentication caches can keep the old password working for a while on a node (in
 * Cassandra, `credentials_validity`, 2 s by default) and a node may take the new one a moment
 * later, so both logins are tried again with backoff within PROOF_BOUND_MS.
 */
import { CqlTarget, cqlLogin } from "../cql/client";
import { CqlError } from "../shared/errors";

/** How long a proof keeps trying, and its backoff. */
export const PROOF = { boundMs: 10000, baseDelayMs: 200, maxDelayMs: 2000 };

/** The role whose password the GeminiDB API resets. */
export const RWUSER = "rwuser";

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
  | { kind: "unreachable"; error: CqlError };

export interface ProofOptions {
  bound?: typeof PROOF;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Asks the database until the change shows or PROOF.boundMs have passed. A login the
 * database cannot answer (refused connection, timeout) is tried again within the bound;
 * a TLS failure is not (it will not pass by itself).
 */
export async function proveReset(
  target: CqlTarget,
  desired: string,
  olds: string[],
  options: ProofOptions = {},
): Promise<ProofOutcome> {
  const bound = options.bound ?? PROOF;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const deadline = now() + bound.boundMs;
  const previous = [...new Set(olds)].filter((o) => o !== desired);
  let last: ProofOutcome;
  for (let attempt = 0; ; attempt++) {
    try {
      const newWorks = await cqlLogin(target, RWUSER, desired);
      let oldWorks = false;
      for (const old of previous) if (!oldWorks) oldWorks = await cqlLogin(target, RWUSER, old);
      if (newWorks && !oldWorks) return { kind: "proved" };
      last = newWorks ? { kind: "old-still-works" } : oldWorks ? { kind: "not-applied" } : { kind: "refused" };
    } catch (err) {
      if (!(err instanceof CqlError)) throw err;
      last = { kind: "unreachable", error: err };
      if (!err.transient) return last;
    }
    const delay = Math.min(bound.maxDelayMs, bound.baseDelayMs * 2 ** attempt);
    if (now() + delay > deadline) return last;
    await sleep(delay);
  }
}
