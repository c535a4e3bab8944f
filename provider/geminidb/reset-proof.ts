/**
 * What proves a reset on the database: after the API's 2xx, the database itself must show the
 * change through the inputs' proof block (proof-blocks.ts; on every node with `cql`,
 * docs/clusters.md), and what the outputs then record (`passwordVerified`, `nodeProofs`); and
 * the one login a refresh, or a block newly added, makes with the stored password.
 */
import {
  type NodeProof,
  type NodeResult,
  type ProofBound,
  type ProofOutcome,
  describeNodes,
  logsIn,
  logsInOnNodes,
  proveChange,
  proveChangeOnNodes,
  verdictOf,
} from "../shared/login-proof";
import type { DbPasswordError } from "../shared/errors";
import { type BlockProof, blockProof } from "./proof-blocks";
import { PASSWORD_FREE, passwordFree, passwordFreeHere } from "./password-free";
import type { ApiContext } from "./reset";
import type { GeminiDbAdminPasswordInputs as Inputs } from "./schema";

/** What state records when a reset was made and its proof failed (`partial`). */
export type Recorded = (
  passwordVerified: boolean,
  nodeProofs?: NodeProof[],
) => { id: string; properties: Record<string, unknown> };

/** What a proof found, as the outputs record it, and what the user should read in the log. */
export interface Proved {
  notes: string[];
  verified: boolean;
  /** With `cql`: per node. */
  nodeProofs?: NodeProof[];
}

/**
 * With a proof block (`cql`, `redis`, `influx`, `mongo`), after the API's 2xx: the database must
 * show the reset. When it does not, the operation fails with an error that names the block.
 * When the database kept the old password (the API answered without acting), state stays as it
 * was; otherwise the API's word stands and state records the new password with
 * `passwordVerified` telling whether it logs in (`partial`), so that state matches what the
 * database most likely holds and the next `pulumi up` proves or repairs it. Whatever else fails
 * after the reset (the password-free check, an unexpected error) fails the same way: the reset
 * is recorded, unproved. Returns what the outputs record and what the user should read in the
 * log (a proof that cannot be made from this address, nodes that could not be asked).
 */
export async function proveOnDatabase(
  ctx: ApiContext,
  projectId: string,
  inputs: Inputs,
  bound: ProofBound | undefined,
  password: string,
  olds: Array<string | undefined>,
  partial: Recorded,
): Promise<Proved> {
  const proof = blockProof(inputs, bound);
  if (!proof) return { notes: [], verified: true };
  const { block, where } = proof;
  const after = "after the API reset the password";
  const known = olds.filter((o): o is string => o !== undefined);
  if (proof.nodes) return proveOnNodes(proof, inputs, password, known, partial);
  let outcome: ProofOutcome;
  let free: string | undefined;
  try {
    outcome = await proveChange(proof.login, password, known, proof.bound);
    if (block === "redis" && (outcome.kind === "old-still-works" || passwordFree(outcome))) {
      // any password logs in: from an address with password-free access nothing can be proved
      free = await passwordFreeHere(ctx.client, projectId, inputs.instanceId, proof.hostPort);
    }
  } catch (err) {
    const e = err as Partial<DbPasswordError>;
    throw proof.error(`${after}, the proof (${block}) failed: ${e?.message ?? String(err)}`, {
      operation: "verify",
      target: where,
      serverCode: e?.serverCode,
      requestId: e?.requestId,
      partial: partial(false),
    });
  }
  if (free) {
    return {
      verified: true,
      notes: [
        `GeminiDbAdminPassword ${inputs.instanceId}: the reset cannot be proved from this address: ${free} has ` +
          "password-free access to the instance (passwordless-config), so every password logs in; the API's " +
          "answer is the evidence",
      ],
    };
  }
  switch (outcome.kind) {
    case "proved":
      return { notes: [], verified: true };
    case "not-applied":
      throw notApplied(proof);
    case "old-still-works":
      throw proof.error(
        `${after}, the old password still logs in too (${block}: is address this instance's database?)`,
        { operation: "verify", target: where, partial: partial(true) },
      );
    case "refused":
      throw proof.error(`${after}, rwuser logs in with neither the new nor the old password (${block})`, {
        operation: "verify",
        target: where,
        partial: partial(false),
      });
    case "unreachable":
      throw unreachable(proof, outcome.error, partial(false));
  }
}

/** The reset did not show: the database kept the old password (state keeps it too). */
const notApplied = (proof: BlockProof) =>
  proof.error(
    "after the API reset the password, the login proof (" +
      proof.block +
      ") finds rwuser still logging in with the old password and not with the new one: the database did not " +
      "change (state keeps the old password); check the instance, then run `pulumi up` again",
    { operation: "verify", target: proof.where },
  );

const unreachable = (proof: BlockProof, error: DbPasswordError, partial: ReturnType<Recorded>) =>
  proof.error(
    `after the API reset the password, the login proof could not reach the database (${proof.block}): ${error.message}`,
    { operation: "verify", target: proof.where, serverCode: error.serverCode, partial },
  );

/**
 * The proof of a `cql` block, on every node (docs/clusters.md): each node shows the reset, or
 * the operation fails naming the nodes that answered otherwise, the reset recorded unproved;
 * every answering node still on the old password and none on the new one: the database did not
 * change (state keeps the old password); nodes that could not be asked: a warning, the reset
 * recorded with passwordVerified false; not one node reached: as a proof that cannot reach the
 * database.
 */
async function proveOnNodes(
  proof: BlockProof,
  inputs: Inputs,
  password: string,
  olds: string[],
  partial: Recorded,
): Promise<Proved> {
  let results: NodeResult[];
  try {
    const nodes = await proof.nodes!([password, ...olds]);
    results = await proveChangeOnNodes(nodes, password, olds, proof.bound);
  } catch (err) {
    const e = err as Partial<DbPasswordError>;
    throw proof.error(
      `after the API reset the password, the proof (${proof.block}) failed: ${e?.message ?? String(err)}`,
      {
        operation: "verify",
        target: proof.where,
        serverCode: e?.serverCode,
        partial: partial(false),
      },
    );
  }
  const verdict = verdictOf(results);
  const notes = proof.notes?.() ?? [];
  if (verdict.verified) return { notes, verified: true, nodeProofs: verdict.nodeProofs };
  const answered = results.filter((r) => r.answer.kind !== "unreachable");
  if (
    answered.length > 0 &&
    answered.every((r) => r.answer.kind === "disagrees" && r.answer.outcome?.kind === "not-applied")
  ) {
    throw notApplied(proof);
  }
  const failure = verdict.failure;
  if (failure && verdict.against.every((r) => r.answer.kind === "failed")) {
    // no node answered otherwise; asking failed for good (TLS): what it says, with its code
    throw proof.error(
      "after the API reset the password, the login proof could not reach the database " +
        `(${proof.block}): ${results.length === 1 ? failure.message : describeNodes(verdict.against)}`,
      {
        operation: "verify",
        target: proof.where,
        serverCode: failure.serverCode,
        partial: partial(false, verdict.nodeProofs),
      },
    );
  }
  if (verdict.against.length > 0) {
    throw proof.error(
      `after the API reset the password, the login proof (${proof.block}) finds that not every node shows it: ` +
        describeNodes(verdict.against),
      { operation: "verify", target: proof.where, partial: partial(false, verdict.nodeProofs) },
    );
  }
  if (verdict.noneAnswered) {
    const error = results.length === 1 ? verdict.noneAnswered : undefined;
    throw proof.error(
      "after the API reset the password, the login proof could not reach the database " +
        `(${proof.block}): ${error ? error.message : describeNodes(results)}`,
      {
        operation: "verify",
        target: proof.where,
        serverCode: verdict.noneAnswered.serverCode,
        partial: partial(false, verdict.nodeProofs),
      },
    );
  }
  return {
    verified: false,
    nodeProofs: verdict.nodeProofs,
    notes: [
      ...notes,
      `GeminiDbAdminPassword ${inputs.instanceId}: the reset is made, and not proved on every node (${proof.block}): ` +
        `${describeNodes(verdict.unreachable)}; passwordVerified is false until a \`pulumi up\` proves it there`,
    ],
  };
}

/**
 * One login with the stored password through the inputs' proof block (refresh, a block added):
 * whether it logs in (with `cql`: on every node, one that refuses it is drift; nodes that cannot
 * be asked leave it unverified; not one node: the error). From an address with password-free
 * access (Redis) every password logs in and nothing can be told: the stored password stands,
 * with a note.
 */
export async function loginProof(inputs: Inputs, password: string): Promise<Proved> {
  const proof = blockProof(inputs)!;
  if (proof.nodes) {
    const results = await logsInOnNodes(await proof.nodes([password]), password, "refuses the password in state");
    const verdict = verdictOf(results);
    if (verdict.failure) throw verdict.failure;
    if (verdict.noneAnswered) {
      if (results.length === 1) throw verdict.noneAnswered;
      throw proof.error(`no node could be asked: ${describeNodes(results)}`, {
        operation: "read",
        target: proof.where,
        serverCode: verdict.noneAnswered.serverCode,
      });
    }
    return { verified: verdict.verified, nodeProofs: verdict.nodeProofs, notes: proof.notes?.() ?? [] };
  }
  try {
    return { verified: await logsIn(proof.login, password), notes: [] };
  } catch (err) {
    if ((err as DbPasswordError).serverCode !== PASSWORD_FREE) throw err;
    return {
      verified: true,
      notes: [
        `GeminiDbAdminPassword ${inputs.instanceId}: the password cannot be checked from this address: the ` +
          "instance lets it in without one (password-free access), so every password logs in",
      ],
    };
  }
}
