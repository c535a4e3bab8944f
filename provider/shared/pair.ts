/**
 * Two identities that take turns (rotation without downtime), whatever the database: a Milvus
 * user and its standby user, a Cassandra role and its standby role. The identity that is not
 * active gets the new password and exactly the grants of the active one, then becomes active;
 * the previously active identity keeps its password for one more rotation period. What differs
 * per database (how to set a password, prove a login, list, grant and revoke, create and drop)
 * is a PairAdapter (each database's adapter.ts); the identity lifecycle (lifecycle.ts) runs the
 * algorithm, written once, here. docs/ARCHITECTURE.md, section 2.
 */
import { ConfigError, DbPasswordError } from "./errors";
import {
  Login,
  NodeLogin,
  NodeResult,
  ProofBound,
  combineNodeResults,
  describeNodes,
  loginOnNodes,
  logsInOnNodes,
  verdictOf,
} from "./login-proof";

/** What the pair algorithm asks of a database. Every method may throw the database's typed error. */
export interface PairAdapter {
  /** How messages name an identity: "user", "role". */
  readonly kind: string;
  /** The address outputs record (`host:port`, or with a scheme where the database has one). */
  readonly address: string;
  /** The input that names the standby identity, for errors: "standbyUser", "standbyRole". */
  readonly standbyField: string;
  /** How errors name `name` on this database ("milvus host:port user x"). Never a secret. */
  target(name: string): string;
  /** Throws a ConfigError naming `standbyField` when there is no admin identity to manage both. */
  requireAdmin(name: string): void;
  /**
   * Whether `name` logs in with `password` now (true, false; throws when it cannot tell): on every
   * node a proof asks (`nodeLogins`), false when one refuses it.
   */
  canLogin(name: string, password: string): Promise<boolean>;
  /**
   * The nodes a proof logs in on, each with `name`'s logins there (a database whose address
   * serves it whole: one, `canLogin`, which is what omitting this gives). `passwords`: what
   * `name` may log in with now, for a node list that must first be read from the database.
   */
  nodeLogins?(name: string, passwords: string[]): Promise<NodeLogin[]>;
  /** How long a login proof waits for this database to show a change (auth caches): login-proof.ts. */
  readonly proofBound: ProofBound;
  /** Whether `name` exists; undefined when it cannot be told. */
  exists(name: string): Promise<boolean | undefined>;
  /**
   * Gives `name` the password `desired`, from one of `olds` where the database needs the old
   * one; throws an error `isStale` recognizes when none of them is the present password.
   */
  setPassword(name: string, olds: string[], desired: string): Promise<void>;
  isStale(err: unknown): boolean;
  /** Creates `name` as an identity that can log in, with `password` (resolving a lost answer). */
  create(name: string, password: string): Promise<void>;
  drop(name: string): Promise<void>;
  /** What `name` has been granted (roles, permissions), as comparable strings. */
  grants(name: string): Promise<string[]>;
  /** Grants (`on`) or revokes one item of `grants` to or from `name`. */
  setGrant(name: string, item: string, on: boolean): Promise<void>;
  /** Whether a failed grant or revoke may have passed or may pass by itself (read again and retry). */
  retryable(err: unknown): boolean;
  /** The database's typed error for a failed proof or sync. */
  error(message: string, operation: string, name: string): DbPasswordError;
}

/** A pair as state holds it. */
export interface PairState {
  /** The two names: the resource's identity and its standby. */
  primary: string;
  standby: string;
  /** The one services log in as now (primary when state has none yet). */
  active: string;
  /** The active identity's password. */
  password: string;
  /** The other identity's password (undefined when state lost it). */
  standbyPassword?: string;
}

export interface PairResult {
  active: string;
  password: string;
  standbyPassword: string;
  /** What each node showed of the rotation's proofs (combined). */
  nodes: NodeResult[];
}

/** The identity of the pair that is not `active`. */
export function otherOf(pair: { primary: string; standby: string }, active: string): string {
  return active === pair.primary ? pair.standby : pair.primary;
}

/**
 * Gives `to` exactly the grants `from` holds: grants the missing ones, revokes the extra ones.
 * Reads both again after each pass, so that a grant whose answer was lost is not made twice,
 * and fails unless the two end up equal.
 */
export async function syncGrants(db: PairAdapter, from: string, to: string): Promise<string[]> {
  db.requireAdmin(to);
  let lastFailure: unknown;
  for (let pass = 0; ; pass++) {
    const want = await db.grants(from);
    const have = await db.grants(to);
    const missing = want.filter((g) => !have.includes(g));
    const extra = have.filter((g) => !want.includes(g));
    if (missing.length === 0 && extra.length === 0) return want;
    if (pass === 3) {
      if (lastFailure) throw lastFailure; // what the server last said is the better message
      throw db.error(`the grants of ${db.kind} ${to} could not be made those of ${from}`, "sync grants", to);
    }
    for (const [item, on] of [...missing.map((g) => [g, true] as const), ...extra.map((g) => [g, false] as const)]) {
      try {
        await db.setGrant(to, item, on);
      } catch (err) {
        // an unknown outcome or a transient refusal: the next pass reads what the server holds
        if (!db.retryable(err)) throw err;
        lastFailure = err;
      }
    }
  }
}

/**
 * Makes `name` have `desired`, whatever it has now: from one of the known old passwords, and
 * when none of them works (a generated password lost in a crash, a change outside Pulumi) by
 * re-creating it, which only the standby side of the pair may need: its grants are synced
 * right after. Returns whether it was re-created.
 */
export async function forcePassword(db: PairAdapter, name: string, olds: string[], desired: string): Promise<boolean> {
  db.requireAdmin(name);
  if ((await db.exists(name)) === false) {
    await db.create(name, desired);
    return true;
  }
  try {
    await db.setPassword(name, olds, desired);
    return false;
  } catch (err) {
    if (!db.isStale(err)) throw err;
  }
  await db.drop(name);
  await db.create(name, desired);
  return true;
}

/** `name`'s logins, for the login proofs. */
export const loginOf =
  (db: PairAdapter, name: string): Login =>
  (password) =>
    db.canLogin(name, password);

/** The nodes a proof of `name` logs in on: the database's (`nodeLogins`), or its one address. */
export function nodeLoginsOf(db: PairAdapter, name: string, passwords: string[]): Promise<NodeLogin[]> {
  if (db.nodeLogins) return db.nodeLogins(name, passwords);
  // one address serves the whole database; its canLogin retries a transient failure itself
  return Promise.resolve([{ address: db.address, login: loginOf(db, name), retries: true }]);
}

/**
 * Fails unless every node that answered agrees (and one answered at all), naming the nodes that
 * do not; returns the results, in which nodes that could not be asked stay for the caller to
 * report (a warning, passwordVerified false).
 */
export function requireNodes(db: PairAdapter, name: string, results: NodeResult[], what: string): NodeResult[] {
  const verdict = verdictOf(results);
  if (verdict.against.length > 0) throw db.error(`${what}: ${describeNodes(verdict.against)}`, "verify", name);
  if (verdict.noneAnswered) throw verdict.noneAnswered;
  return results;
}

/** That `name` logs in with `password` on every node that answers, within the bound. */
async function proveLogin(db: PairAdapter, name: string, password: string, who: string): Promise<NodeResult[]> {
  const nodes = await nodeLoginsOf(db, name, [password]);
  const results = await loginOnNodes(nodes, password, true, db.proofBound, "refuses the password");
  return requireNodes(db, name, results, `${who} does not log in with its password after the change`);
}

/**
 * After the primary is set up (create): the standby with its own generated password and the
 * same grants. An existing standby is taken over: its password is not known, so it is
 * re-created.
 */
export async function createStandby(
  db: PairAdapter,
  pair: { primary: string; standby: string },
  createIfMissing: boolean | undefined,
  password: string,
): Promise<{ password: string; nodes: NodeResult[] }> {
  db.requireAdmin(pair.standby);
  const exists = await db.exists(pair.standby);
  if (exists === false && !createIfMissing) {
    throw new ConfigError(`standby ${db.kind} ${pair.standby} does not exist: set createIfMissing: true to create it`, {
      operation: "create",
      target: db.target(pair.standby),
      property: db.standbyField,
    });
  }
  if (exists !== false) await db.drop(pair.standby);
  await db.create(pair.standby, password);
  await syncGrants(db, pair.primary, pair.standby);
  const nodes = await proveLogin(db, pair.standby, password, `the standby ${db.kind}`);
  return { password, nodes };
}

/**
 * What a run that died may have left on an identity: the generated password derived from the
 * same seed (seed.ts), offered as one more candidate old password.
 */
export type Pending = (name: string) => string[];

/**
 * A rotation of the pair: the inactive identity gets `desired` and the active one's grants,
 * then becomes active. The previously active identity keeps its password (it is repaired first
 * if it no longer logs in with it). `currentPassword`: the user's hint for drift.
 *
 * The switch is proved on every node (`nodeLogins`): the new active identity logs in with
 * `desired` on every node that can be asked, the previously active one still logs in with its
 * password there, and the password from two rotations ago is refused; a node that answers
 * otherwise within the bound fails the rotation, naming it, before anything is switched (state
 * keeps the pair as it was, and its seed: the next run derives the same password and tries
 * again). Nodes that could not be asked stay in the result for the caller to report.
 */
export async function rotatePair(
  db: PairAdapter,
  state: PairState,
  desired: string,
  currentPassword?: string,
  pending: Pending = () => [],
): Promise<PairResult> {
  const previous = state.active;
  const next = otherOf(state, previous);
  const given = currentPassword ? [currentPassword] : [];
  const candidates = [
    ...(state.standbyPassword !== undefined ? [state.standbyPassword] : []),
    ...given,
    ...pending(next),
  ];
  if (!(await db.canLogin(previous, state.password))) {
    // drift on the active identity: services expect state.password, so that is what it gets back
    if (await forcePassword(db, previous, [...given, ...pending(previous)], state.password)) {
      await syncGrants(db, next, previous);
    }
  }
  await forcePassword(db, next, candidates, desired);
  await syncGrants(db, previous, next);
  const nextNodes = await proveLogin(db, next, desired, `the new active ${db.kind}`);
  const previousNodes = await proveLogin(db, previous, state.password, `the previously active ${db.kind}`);
  const checks = [nextNodes, previousNodes];
  if (state.standbyPassword && state.standbyPassword !== desired) {
    const nodes = await nodeLoginsOf(db, next, [desired]);
    const twoAgo = await loginOnNodes(
      nodes,
      state.standbyPassword,
      false,
      db.proofBound,
      "still takes the password from two rotations ago",
    );
    checks.push(requireNodes(db, next, twoAgo, "the password from two rotations ago still logs in"));
  }
  return { active: next, password: desired, standbyPassword: state.password, nodes: combineNodeResults(...checks) };
}

/**
 * Drift repair without a rotation: each identity gets its stored password back, grants from
 * the active one. Returns the standby password state should keep (a new one when state had
 * lost it).
 */
export async function repairPair(
  db: PairAdapter,
  state: PairState,
  newStandbyPassword: () => string,
  currentPassword?: string,
  pending: Pending = () => [],
): Promise<{ standbyPassword: string; nodes: NodeResult[] }> {
  const active = state.active;
  const standby = otherOf(state, active);
  const given = currentPassword ? [currentPassword] : [];
  const activeRecreated =
    !(await db.canLogin(active, state.password)) &&
    (await forcePassword(db, active, [...given, ...pending(active)], state.password));
  const standbyPassword = state.standbyPassword ?? newStandbyPassword();
  if (!(await db.canLogin(standby, standbyPassword))) {
    await forcePassword(db, standby, [...given, ...pending(standby)], standbyPassword);
  }
  if (activeRecreated) await syncGrants(db, standby, active);
  else await syncGrants(db, active, standby);
  const activeNodes = await proveLogin(db, active, state.password, `the active ${db.kind}`);
  const standbyNodes = await proveLogin(db, standby, standbyPassword, `the standby ${db.kind}`);
  return { standbyPassword, nodes: combineNodeResults(activeNodes, standbyNodes) };
}

/**
 * Refresh: both identities must exist and both stored passwords must log in, on every node (one
 * that refuses either is drift). Throws when not one node could be asked, or asking one failed for
 * good (TLS).
 */
export async function readPair(
  db: PairAdapter,
  state: PairState,
): Promise<{ status: "ok" | "drift" | "gone"; nodes: NodeResult[] }> {
  const standby = otherOf(state, state.active);
  const activeNodes = await nodeLoginsOf(db, state.active, [state.password]);
  const active = await logsInOnNodes(activeNodes, state.password, `refuses the password of ${state.active}`);
  const standbyNodes =
    state.standbyPassword === undefined
      ? undefined
      : await logsInOnNodes(
          await nodeLoginsOf(db, standby, [state.standbyPassword]),
          state.standbyPassword,
          `refuses the password of ${standby}`,
        );
  const nodes = combineNodeResults(active, ...(standbyNodes ? [standbyNodes] : []));
  const verdict = verdictOf(nodes);
  if (verdict.failure) throw verdict.failure;
  if (verdict.noneAnswered) {
    if (nodes.length === 1) throw verdict.noneAnswered;
    throw db.error(`no node could be asked: ${describeNodes(nodes)}`, "read", state.active);
  }
  const agrees = (results: NodeResult[] | undefined) =>
    !!results && results.some((r) => r.answer.kind === "agrees") && results.every((r) => r.answer.kind !== "disagrees");
  if (standbyNodes !== undefined && verdict.verified) return { status: "ok", nodes };
  if (!agrees(active) && !agrees(standbyNodes)) {
    const [a, s] = [await db.exists(state.active), await db.exists(standby)];
    if (a === false && s === false) return { status: "gone", nodes };
  }
  return { status: "drift", nodes };
}
