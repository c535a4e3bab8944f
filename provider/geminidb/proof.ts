/**
 * The login proof of a GeminiDB reset (`cql`): after the API's 2xx, the database itself must
 * show the change. rwuser logs in over CQL with the new password, and no longer with the old
 * one. Authentication caches can keep the old password working for a while on a node (in
 * Cassandra, `credentials_validity`, 2 s by default) and a node may take the new one a moment
 * later, so both logins are tried again with backoff within PROOF_BOUND_MS.
 */
import { AUTH_SETTLE, CqlTarget, ProofBound, cqlLogin, proofDelay } from "../cql/client";
import { CqlError } from "../shared/errors";

/** How long a proof keeps trying, and its backoff: as every CQL login proof (AUTH_SETTLE). */
export const PROOF: ProofBound = AUTH_SETTLE;

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
  bound?: ProofBound;
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
  // While the new password is refused the old ones are not asked (each login costs the server
  // a bcrypt check); only the last attempt asks them, to tell "not applied" from "refused".
  const oldStillWorks = async () => {
    for (const old of previous) if (await cqlLogin(target, RWUSER, old)) return true;
    return false;
  };
  for (let attempt = 0; ; attempt++) {
    const delay = proofDelay(bound, attempt);
    let final = false;
    try {
      const newWorks = await cqlLogin(target, RWUSER, desired);
      final = now() + delay > deadline;
      if (newWorks || final) {
        const oldWorks = await oldStillWorks();
        if (newWorks && !oldWorks) return { kind: "proved" };
        last = newWorks ? { kind: "old-still-works" } : oldWorks ? { kind: "not-applied" } : { kind: "refused" };
      } else {
        last = { kind: "refused" };
      }
    } catch (err) {
      if (!(err instanceof CqlError)) throw err;
      last = { kind: "unreachable", error: err };
      if (!err.transient) return last;
    }
    if (final || now() + delay > deadline) return last;
    await sleep(delay);
  }
}
