/**
 * The login proof of a GeminiDB reset (`cql`): after the API's 2xx, the database itself must
 * show the change. rwuser logs in over CQL with the new password, and no longer with the old
 * one, waited for within the CQL bound (provider/shared/proof.ts, AUTH_SETTLE): an
 * authentication cache can keep the old password working for a while on a node, and a node may
 * take the new one a moment later.
 */
import { AUTH_SETTLE, CqlTarget, cqlLoginOf } from "../cql/client";
import { Clock, ProofBound, ProofOutcome, REAL_CLOCK, proveChange } from "../shared/proof";

export type { ProofOutcome } from "../shared/proof";

/** How long a proof keeps trying, and its backoff: as every CQL login proof. */
export const PROOF: ProofBound = AUTH_SETTLE;

/** The role whose password the GeminiDB API resets. */
export const RWUSER = "rwuser";

/** What the database shows of a reset to `desired` from `olds`. */
export function proveReset(
  target: CqlTarget,
  desired: string,
  olds: string[],
  bound: ProofBound = PROOF,
  clock: Clock = REAL_CLOCK,
): Promise<ProofOutcome> {
  return proveChange(cqlLoginOf(target, RWUSER), desired, olds, bound, clock);
}
