/**
 * The login proof, whatever the protocol: after a change, the new password logs in and every
 * old one is refused, waited for within a bound. A database may show a change late: an
 * authentication cache keeps the old password working for a while (Cassandra's
 * `credentials_validity`), a node takes the new one a moment after another. Each protocol
 * supplies a `Login` (CQL, Milvus, RESP, Influx HTTP) and the bound it needs; the identity
 * resources' verification, the pair's proofs and GeminiDB's proof of a reset all ask here.
 *
 * A cluster whose nodes each check passwords themselves (Cassandra) is proved on every node
 * (`NodeLogin`s, one per node, each given the whole bound, side by side), and what the nodes
 * showed becomes one verdict (`verdictOf`) by the policy every resource applies
 * (docs/clusters.md): nodes that answer otherwise fail the change, nodes that cannot be asked
 * leave it unverified, not one node answering fails it.
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

// ---------------------------------------------------------------- per node

/**
 * One node of a database, with one identity's logins there (a fresh connection to that node
 * for each). A database that one address serves whole (Milvus: the proxy checks every call
 * against the coordinator's credentials) has one.
 */
export interface NodeLogin {
  /** How the node is named in outputs and messages (`host:port`). Never a secret. */
  address: string;
  login: Login;
  /**
   * The login asks again by itself after a transient failure (Milvus's client does): a refresh
   * then asks it once, instead of multiplying its tries (and a down server's time to an error).
   */
  retries?: boolean;
}

/** What one node showed, as the outputs record it (`nodeProofs`). Never a secret. */
export interface NodeProof {
  address: string;
  verified: boolean;
  /** What the node answered, when not verified. */
  answer?: string;
}

/** How one node answered a proof. */
export type NodeAnswer =
  /** it shows what was asked */
  | { kind: "agrees" }
  /** it answered, and after the bound still not as asked */
  | { kind: "disagrees"; answer: string; outcome?: ProofOutcome }
  /** it could not be asked (not reachable, or it could not read the role) throughout the bound */
  | { kind: "unreachable"; error: DbPasswordError }
  /** asking it failed in a way that does not pass by itself (TLS, protocol) */
  | { kind: "failed"; error: DbPasswordError };

export interface NodeResult {
  address: string;
  answer: NodeAnswer;
}

/** Every node at once, each on its own: the results in the order of `nodes`. */
async function eachNode(
  nodes: readonly NodeLogin[],
  ask: (node: NodeLogin) => Promise<NodeAnswer>,
): Promise<NodeResult[]> {
  return Promise.all(
    nodes.map(async (node) => {
      try {
        return { address: node.address, answer: await ask(node) };
      } catch (err) {
        if (!(err instanceof DbPasswordError)) throw err;
        const answer: NodeAnswer = err.transient ? { kind: "unreachable", error: err } : { kind: "failed", error: err };
        return { address: node.address, answer };
      }
    }),
  );
}

/** What a node's ProofOutcome says, as a NodeAnswer (`hasOlds`: whether old passwords were asked). */
export function answerOf(outcome: ProofOutcome, hasOlds: boolean): NodeAnswer {
  switch (outcome.kind) {
    case "proved":
      return { kind: "agrees" };
    case "not-applied":
      return { kind: "disagrees", answer: "refuses the new password and takes the old one", outcome };
    case "old-still-works":
      return { kind: "disagrees", answer: "takes the new password and still an old one", outcome };
    case "refused":
      return {
        kind: "disagrees",
        answer: hasOlds ? "refuses the new password and the old one" : "refuses the new password",
        outcome,
      };
    case "unreachable":
      return outcome.error.transient
        ? { kind: "unreachable", error: outcome.error }
        : { kind: "failed", error: outcome.error };
  }
}

/**
 * A change proved on every node at once (proveChange on each: the new password logs in and every
 * old one is refused, within the bound, which each node gets whole).
 */
export function proveChangeOnNodes(
  nodes: readonly NodeLogin[],
  desired: string,
  olds: string[],
  bound: ProofBound,
  clock: Clock = REAL_CLOCK,
): Promise<NodeResult[]> {
  const hasOlds = olds.some((o) => o !== desired);
  return eachNode(nodes, async (n) => answerOf(await proveChange(n.login, desired, olds, bound, clock), hasOlds));
}

/**
 * `password` logs in (`expected` true) or is refused (false) on every node at once, each waited
 * for within the bound (loginUntil); `otherwise` is what a node that does not comply answers.
 */
export function loginOnNodes(
  nodes: readonly NodeLogin[],
  password: string,
  expected: boolean,
  bound: ProofBound,
  otherwise: string,
  clock: Clock = REAL_CLOCK,
): Promise<NodeResult[]> {
  return eachNode(nodes, async (n) =>
    (await loginUntil(n.login, password, expected, bound, clock))
      ? { kind: "agrees" }
      : { kind: "disagrees", answer: otherwise },
  );
}

/**
 * Whether `password` logs in now on every node (a refresh: one login each, asked again after a
 * transient failure, logsIn); `otherwise` is what a node that refuses it answers.
 */
export function logsInOnNodes(nodes: readonly NodeLogin[], password: string, otherwise: string): Promise<NodeResult[]> {
  return eachNode(nodes, async (n) =>
    (await (n.retries ? n.login(password) : logsIn(n.login, password)))
      ? { kind: "agrees" }
      : { kind: "disagrees", answer: otherwise },
  );
}

/** The results of several checks of the same nodes, per node: a node agrees when it agrees to every one. */
export function combineNodeResults(...checks: NodeResult[][]): NodeResult[] {
  const [first, ...rest] = checks;
  return (first ?? []).map((r, i) => {
    const all = [r, ...rest.map((c) => c[i])].filter((x): x is NodeResult => !!x);
    const pick =
      all.find((x) => x.answer.kind === "failed") ??
      all.find((x) => x.answer.kind === "disagrees") ??
      all.find((x) => x.answer.kind === "unreachable") ??
      r;
    return { address: r.address, answer: pick.answer };
  });
}

/** What a cluster showed, by the policy the proofs share (docs/clusters.md). */
export interface ClusterVerdict {
  /** Per node, for the outputs. */
  nodeProofs: NodeProof[];
  /** Every node agrees. */
  verified: boolean;
  /** Nodes that answered and disagree, or failed for good: the operation fails, naming them. */
  against: NodeResult[];
  /** Nodes that could not be asked: a warning names them, and passwordVerified is false. */
  unreachable: NodeResult[];
  /** Not one node answered: its error (the first node's), which the operation throws. */
  noneAnswered?: DbPasswordError;
  /** The first error that does not pass by itself (TLS, protocol): a refresh throws it. */
  failure?: DbPasswordError;
}

/** A node's answer as a text of its own (the error's message for one that could not be asked). */
export function answerText(a: NodeAnswer): string | undefined {
  switch (a.kind) {
    case "agrees":
      return undefined;
    case "disagrees":
      return a.answer;
    case "unreachable":
      return `could not be asked: ${a.error.message}`;
    case "failed":
      return `failed: ${a.error.message}`;
  }
}

/** The verdict on a cluster's results. */
export function verdictOf(results: NodeResult[]): ClusterVerdict {
  const nodeProofs = results.map((r) => {
    const answer = answerText(r.answer);
    return answer === undefined
      ? { address: r.address, verified: true }
      : { address: r.address, verified: false, answer };
  });
  const against = results.filter((r) => r.answer.kind === "disagrees" || r.answer.kind === "failed");
  const unreachable = results.filter((r) => r.answer.kind === "unreachable");
  const first = results[0]?.answer;
  const noneAnswered =
    results.length > 0 && unreachable.length === results.length && first?.kind === "unreachable"
      ? first.error
      : undefined;
  const failed = results.map((r) => r.answer).find((a) => a.kind === "failed");
  return {
    nodeProofs,
    verified: results.length > 0 && nodeProofs.every((p) => p.verified),
    against,
    unreachable,
    noneAnswered,
    failure: failed?.kind === "failed" ? failed.error : undefined,
  };
}

/** "node 127.0.0.4:9042 refuses the new password; node 127.0.0.3:9042 could not be asked: ...". */
export function describeNodes(results: NodeResult[]): string {
  return results.map((r) => `node ${r.address} ${answerText(r.answer) ?? "agrees"}`).join("; ");
}
