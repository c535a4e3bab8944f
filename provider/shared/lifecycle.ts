/**
 * The lifecycle of a resource that manages one database identity (a Milvus user, a Cassandra
 * role, and whatever database comes next), written once: check, diff, create, update, read,
 * remove and adopt. A database supplies an `IdentityDatabase`: its spec, its zod schema, how
 * to connect and, once connected, an `IdentityConnection` (exists, set a password as the admin
 * or as the identity itself, log in, prove a login, grants, create, drop, close). The inputs
 * are mapped once, here at the edge, to a typed `Identity`; nothing below reads a field by
 * its database's name. Two identities that take turns (a standby) run the pair algorithm of
 * pair.ts over the same connection. docs/ARCHITECTURE.md, sections 2 and 6.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { ConfigError, DbPasswordError, ErrorDetails } from "./errors";
import { CheckFailure, compact, failed, issuesToFailures, providerCheck } from "./check";
import { guarded } from "./guard";
import * as pair from "./pair";
import type { PasswordPolicy } from "./password";
import { PasswordSource, freshSeed, passwordLabel, passwordSource, seedFromSecrets } from "./seed";
import { Diff, Scheduled, passwordForUpdate, timestamp, withSchedule } from "./schedule";
import { ResourceSpec, replacedFields, secretValues } from "./spec";
import { resourceDiff } from "./diff";
import {
  NodeResult,
  combineNodeResults,
  describeNodes,
  logsInOnNodes,
  proveChangeOnNodes,
  verdictOf,
} from "./login-proof";
import type { NodeProof } from "./login-proof";

/** What a database connection offers the lifecycle: the pair's view of it, and a little more. */
export interface IdentityConnection extends pair.PairAdapter {
  /** Whether there is an admin identity (the connection's own login). */
  readonly hasAdmin: boolean;
  /** Whether `setPassword` needs no old password (an admin that sets passwords outright). */
  readonly setsWithoutOld: boolean;
  /** The resource id of identity `name` at this address. */
  id(name: string): string;
  /** Ends whatever the operation opened (a shared session); called however the operation ends. */
  close(): Promise<void>;
  /** What the user should read in the log about the operation's nodes (a discovery that failed). */
  notes?(): string[];
  /**
   * Drops `name` if it exists, in one statement (Cassandra's DROP ROLE IF EXISTS): a destroy
   * then asks nothing first. Without it, a destroy asks `exists` and drops what is there.
   */
  dropIfExists?(name: string): Promise<void>;
}

/** How a database names the fields of an identity resource. */
export interface IdentityFieldNames {
  /** The input naming the identity ("user", "role"). */
  name: string;
  /** The input naming the standby identity ("standbyUser"). */
  standby: string;
  /** The output naming the active one of the two ("activeUser"). */
  active: string;
  /** The input that deletes the identity on destroy ("deleteUserOnDestroy"). */
  deleteOnDestroy: string;
}

/** What the lifecycle reads of every identity resource's inputs, whatever the database. */
export interface IdentityInputs extends Scheduled {
  password?: string;
  currentPassword?: string;
  rotationTrigger?: string;
  createIfMissing?: boolean;
  connection?: { address?: string };
}

/** What state holds beside the inputs, on every identity resource. */
export interface IdentityState {
  /** The password the identity has now (generated or given). Secret. */
  password: string;
  /** The resolved address. */
  address: string;
  /**
   * False when the last refresh found that the password no longer logs in, or the last change
   * was not proved on every node.
   */
  passwordVerified: boolean;
  /** Per node, what the last proof or refresh showed (databases that prove on each node). */
  nodeProofs?: NodeProof[];
  /** When the resource last set the password (RFC 3339 UTC); absent on stacks from before it. */
  rotatedAt?: string;
  /** With a standby: the password of the identity that is not active. Secret. */
  standbyPassword?: string;
  /** What the next generated password derives from (seed.ts); absent on stacks from before it. Secret. */
  passwordSeed?: string;
}

/** ...and of its outputs. */
export type IdentityOutputs = IdentityInputs & IdentityState;

/** A database, as the lifecycle needs it. `S`: what tests may inject (short waits). */
export interface IdentityDatabase<S = unknown> {
  spec: ResourceSpec;
  /** Whether outputs record `nodeProofs` (a database proved on each of its nodes). */
  nodeProofs?: boolean;
  fields: IdentityFieldNames;
  /** How messages name an identity: "user", "role"; and what the standby's grants are ("roles"). */
  kind: string;
  grantsNoun: string;
  /** "an admin identity", "a connection identity"; and how to give one. */
  adminNoun: string;
  adminHint: string;
  policy: PasswordPolicy;
  /** The inputs' zod schema, loaded on first use (refresh and destroy never check). */
  schema(): z.ZodType;
  /** A failure of the address and its environment default, or undefined. */
  checkAddress(inputs: Record<string, unknown>): CheckFailure | undefined;
  /** Whether the inputs' connection (or the environment) gives an admin identity. */
  hasAdmin(inputs: Record<string, unknown>): boolean;
  /** Secret values of the environment, kept out of every error message. */
  environmentSecrets(): Array<string | undefined>;
  /** The database's typed error for an operation that failed unexpectedly. */
  error(message: string, operation: string): DbPasswordError;
  /** The address outputs record for these inputs (with the environment's default); throws ConfigError when none. */
  address(inputs: Record<string, unknown>): string;
  /** Connects for one operation (lazily: nothing is opened until asked). Throws ConfigError on bad addresses. */
  connect(inputs: Record<string, unknown>, settings: S): IdentityConnection;
  /** The inputs an import id names (`name@host:port`), or undefined when it is not one. */
  importInputs(id: string): Record<string, unknown> | undefined;
}

/** One identity resource, as its inputs or outputs describe it. */
export interface Identity {
  name: string;
  standby?: string;
  /** The one services log in as now: `name` without a standby, or before state names one. */
  active: string;
}

/** What a proof found, as the outputs record it. */
interface Proof {
  verified: boolean;
  nodeProofs?: NodeProof[];
}

/**
 * `err`, carrying what the resource is now (a change made, then its proof failed), as a
 * DbPasswordError constructed with `partial` would: so that state records the change while the
 * operation fails (Pulumi's initialization failure). The outputs are not enumerable (they hold a
 * password).
 */
function withPartial<E extends DbPasswordError>(err: E, partial: NonNullable<ErrorDetails["partial"]>): E {
  const e = err as unknown as { id?: string; reasons?: string[] };
  e.id = partial.id;
  e.reasons = [err.message];
  Object.defineProperty(err, "properties", { value: partial.properties, enumerable: false, configurable: true });
  return err;
}

/** The lifecycle, shaped like the provider (the plugin's table and the dynamic provider). */
export interface Lifecycle<I, O> {
  check(olds: unknown, news: unknown, unknowns?: string[]): Promise<pulumi.dynamic.CheckResult<I>>;
  diff(id: string, olds: O, news: I): Promise<Diff>;
  /** `notes`: what the user should read in the log (each face delivers them). */
  create(inputs: I): Promise<pulumi.dynamic.CreateResult<O> & { notes?: string[] }>;
  update(id: string, olds: O, news: I): Promise<pulumi.dynamic.UpdateResult<O> & { notes?: string[] }>;
  read(id: string, props: O): Promise<pulumi.dynamic.ReadResult<O>>;
  remove(id: string, props: O): Promise<void>;
  /** `pulumi import`: the resource with this id as it is, with the inputs that describe it; undefined when missing. */
  adopt(id: string): Promise<{ id: string; props: O; inputs: I } | undefined>;
}

/** The lifecycle of one database, with the defaults, and `withSettings` for what tests inject. */
export type IdentityLifecycle<I, O, S> = Lifecycle<I, O> & { withSettings(settings: S): Lifecycle<I, O> };

export function identityLifecycle<I extends IdentityInputs, O extends IdentityOutputs & I, S>(
  db: IdentityDatabase<S>,
  defaults: S,
): IdentityLifecycle<I, O, S> {
  const f = db.fields;
  const field = (props: object, name: string) => (props as Record<string, unknown>)[name] as string | undefined;
  const identityOf = (props: I | O): Identity => ({
    name: field(props, f.name)!,
    standby: field(props, f.standby),
    active: field(props, f.active) ?? field(props, f.name)!,
  });
  const stateOf = (id: Identity, props: O): pair.PairState => ({
    primary: id.name,
    standby: id.standby!,
    active: id.active,
    password: props.password,
    standbyPassword: props.standbyPassword,
  });
  const outputs = (
    inputs: I,
    conn: IdentityConnection,
    password: string,
    rotatedAt: string | undefined,
    passwordSeed: string,
    proof: Proof = { verified: true },
  ): O =>
    compact({
      ...(inputs as Record<string, unknown>),
      password,
      address: conn.address,
      passwordVerified: proof.verified,
      rotatedAt,
      passwordSeed,
      nodeProofs: db.nodeProofs ? proof.nodeProofs : undefined,
    }) as unknown as O;

  // Generated passwords are derived (seed.ts), so that a run after a crash knows what a dead one
  // set. A create derives them from the secrets it has; an update from state's seed (on a stack
  // from before passwordSeed, from state's secrets), which the crash left as it was.
  const labelOf = (conn: IdentityConnection) => (name: string) => passwordLabel(db.spec.name, conn.address, name);
  const createSource = (inputs: I, conn: IdentityConnection) =>
    passwordSource(
      db.policy,
      seedFromSecrets([...secretValues(db.spec, inputs), ...db.environmentSecrets()]),
      labelOf(conn),
    );
  const stateSource = (olds: O, conn: IdentityConnection) =>
    passwordSource(db.policy, olds.passwordSeed ?? seedFromSecrets(secretValues(db.spec, olds)), labelOf(conn));

  /** What one operation is given: connections it opens (closed when it ends) and the passwords it generates. */
  interface Operation {
    connect(props: I | O): IdentityConnection;
    /** Registers a source of generated passwords, so that errors are redacted of what it hands out. */
    generates(source: PasswordSource): PasswordSource;
  }

  /** Runs one operation: no secret in its errors, and the connections it opened closed when it ends. */
  function guard<T>(operation: string, sources: unknown[], fn: (op: Operation) => Promise<T>, settings: S): Promise<T> {
    const opened: IdentityConnection[] = [];
    const generated: PasswordSource[] = [];
    const op: Operation = {
      connect: (props) => {
        const conn = db.connect(props as unknown as Record<string, unknown>, settings);
        opened.push(conn);
        return conn;
      },
      generates: (source) => (generated.push(source), source),
    };
    return guarded(
      operation,
      () => [...secretValues(db.spec, ...sources), ...db.environmentSecrets(), ...generated.flatMap((g) => g.drawn)],
      (m, op) => db.error(m, op),
      async () => {
        try {
          return await fn(op);
        } finally {
          await Promise.all(opened.map((c) => c.close()));
        }
      },
    );
  }

  /** That the new password logs in and every old one is refused on every node, each within the database's bound. */
  async function verify(conn: IdentityConnection, name: string, desired: string, olds: string[]) {
    const nodes = await pair.nodeLoginsOf(conn, name, [desired, ...olds]);
    return proveChangeOnNodes(nodes, desired, olds, conn.proofBound);
  }

  /**
   * The policy for what the nodes showed of a change the provider made (docs/clusters.md): nodes
   * that answered and disagree (or failed for good) fail the operation, naming them, and so does
   * a proof that reached no node, with the change recorded (`partial`: what `recorded` gives,
   * passwordVerified false); nodes that could not be asked make a warning and passwordVerified
   * false. Returns what the outputs record, and the warnings.
   */
  function settle(
    conn: IdentityConnection,
    name: string,
    results: NodeResult[],
    recorded: (proof: Proof) => { id: string; properties: O },
    what = "the change does not show on every node",
  ): { proof: Proof; notes: string[] } {
    const verdict = verdictOf(results);
    const unproved = { verified: false, nodeProofs: verdict.nodeProofs };
    const partial = () => {
      const { id, properties } = recorded(unproved);
      return { id, properties: properties as unknown as Record<string, unknown> };
    };
    if (verdict.against.length > 0) {
      // one node (a database one address serves): what it showed, as a proof of that address says it
      const only = results.length === 1 ? results[0].answer : undefined;
      if (only?.kind === "failed") throw withPartial(only.error, partial());
      const message =
        only?.kind === "disagrees"
          ? only.outcome?.kind === "old-still-works"
            ? `an old password still logs in after the change (${only.answer})`
            : `the new password does not log in after the change (${only.answer})`
          : `${what}: ${describeNodes(verdict.against)}`;
      throw withPartial(conn.error(message, "verify", name), partial());
    }
    if (verdict.noneAnswered) {
      const none =
        results.length === 1
          ? verdict.noneAnswered
          : conn.error(`the change could not be proved on any node: ${describeNodes(results)}`, "verify", name);
      throw withPartial(none, partial());
    }
    const notes = verdict.unreachable.length
      ? [
          `${db.spec.name} ${conn.id(name)}: the password is set, and not proved on every node: ` +
            `${describeNodes(verdict.unreachable)}; passwordVerified is false until a \`pulumi up\` proves it there`,
        ]
      : [];
    return { proof: { verified: verdict.verified, nodeProofs: verdict.nodeProofs }, notes };
  }

  /** The warnings of an operation: its own, then what the connection says of its nodes. */
  const notesOf = (conn: IdentityConnection, own: string[]) => {
    const all = [...(conn.notes?.() ?? []), ...own];
    return all.length ? { notes: all } : {};
  };

  // ---------------------------------------------------------------- check

  const check = providerCheck((news: unknown, olds?: Record<string, unknown>) => {
    const parsed = db.schema().safeParse(news);
    if (!parsed.success) return { inputs: news as I, failures: issuesToFailures(parsed.error.issues, news) };
    const inputs = parsed.data as I & Record<string, unknown>;
    const address = db.checkAddress(inputs);
    if (address) return failed(inputs, address.property, address.reason);
    if (inputs[f.standby] !== undefined && !db.hasAdmin(inputs)) {
      return failed(
        inputs,
        f.standby,
        `needs ${db.adminNoun} (the provider manages both ${db.kind}s and their ${db.grantsNoun}): ${db.adminHint}`,
      );
    }
    const old = olds as Partial<I> | undefined;
    return withSchedule(inputs, old, !!old && replacedFields(db.spec, old, inputs).length > 0);
  });

  // ---------------------------------------------------------------- diff

  async function diff(id: string, olds: O, news: I): Promise<Diff> {
    const resolvers = {
      // the address the new inputs resolve to (with the environment's default) against the one
      // in state; inputs that do not resolve yet (an unknown) are not compared
      "connection.address": {
        news: () => db.address(news as unknown as Record<string, unknown>),
        olds: () => olds.address,
      },
    };
    const result = resourceDiff(db.spec, id, olds, news, resolvers, [f.name, "address", f.standby]);
    // a rotation of a pair switches the active identity; the previous password becomes the standby's
    if (identityOf(news).standby !== undefined && result.diffs.includes("password")) {
      result.diffs.push(f.active, "standbyPassword");
    }
    // drift: the next update sets the stored password again, and it logs in
    if (olds.passwordVerified === false) result.diffs.push("passwordVerified");
    return { ...result, changes: result.replaces.length > 0 || result.diffs.length > 0 };
  }

  // ---------------------------------------------------------------- create

  async function create(inputs: I, settings: S): Promise<pulumi.dynamic.CreateResult<O>> {
    return guard(
      "create",
      [inputs],
      async (op) => {
        const conn = op.connect(inputs);
        const { name, standby } = identityOf(inputs);
        const generated = op.generates(createSource(inputs, conn));
        const desired = inputs.password ?? generated.forName(name);
        const given = inputs.currentPassword !== undefined ? [inputs.currentPassword] : [];
        if (standby !== undefined) conn.requireAdmin(name); // a clear error before any call
        const exists = await conn.exists(name);
        if (exists === false) {
          if (!inputs.createIfMissing) {
            throw new ConfigError(`${db.kind} ${name} does not exist: set createIfMissing: true to create it`, {
              operation: "create",
              target: conn.target(name),
              property: f.name,
            });
          }
          await conn.create(name, desired);
        } else if (given.length > 0 || conn.setsWithoutOld) {
          await conn.setPassword(name, given, desired);
        } else if (!(await conn.canLogin(name, desired))) {
          // no old password and no admin that sets one outright: take the identity over only
          // if it has the desired password already
          throw new ConfigError(
            `${db.kind} ${name} exists${exists === undefined ? " (or cannot be listed)" : ""}: ` +
              `set currentPassword to its present password so that it can be changed`,
            { operation: "create", target: conn.target(name), property: "currentPassword" },
          );
        }
        const id = conn.id(name);
        const rotatedAt = inputs.rotatedAt ?? timestamp(new Date());
        const seed = freshSeed();
        const record = (proof: Proof) => ({ id, properties: outputs(inputs, conn, desired, rotatedAt, seed, proof) });
        const proved = await verify(conn, name, desired, given);
        let { proof, notes } = settle(conn, name, proved, record);
        const outs = outputs(inputs, conn, desired, rotatedAt, seed, proof);
        if (standby !== undefined) {
          // `name` is active first; the standby gets its own password and the same grants
          const created = await pair.createStandby(
            conn,
            { primary: name, standby },
            inputs.createIfMissing,
            generated.forName(standby),
          );
          ({ proof, notes } = settle(conn, name, combineNodeResults(proved, created.nodes), record));
          Object.assign(outs, outputs(inputs, conn, desired, rotatedAt, seed, proof), {
            [f.active]: name,
            standbyPassword: created.password,
          });
        }
        return { id, outs, ...notesOf(conn, notes) };
      },
      settings,
    );
  }

  // ---------------------------------------------------------------- update

  async function update(_id: string, olds: O, news: I, settings: S): Promise<pulumi.dynamic.UpdateResult<O>> {
    return guard(
      "update",
      [olds, news],
      async (op) => {
        const conn = op.connect(news);
        const id = identityOf(news);
        const generated = op.generates(stateSource(olds, conn));
        // a new generated password goes to the identity that is not active (with a standby)
        const active = identityOf(olds).active;
        const receiver =
          id.standby === undefined ? id.name : pair.otherOf({ primary: id.name, standby: id.standby }, active);
        const {
          password: desired,
          sets,
          rotatedAt,
        } = passwordForUpdate(olds, news, () => generated.forName(receiver), conn.target(id.name));
        const drifted = olds.passwordVerified === false;
        // a password set makes the seed used up: the next change derives from fresh bytes
        const seed = sets || drifted ? freshSeed() : (olds.passwordSeed ?? freshSeed());
        // without a change the last proof stands
        let proof: Proof = { verified: true, nodeProofs: olds.nodeProofs };
        let notes: string[] = [];
        const record = (p: Proof) => ({ id: _id, properties: outputs(news, conn, desired, rotatedAt, seed, p) });
        if (id.standby !== undefined) {
          const state = stateOf({ ...id, active }, olds);
          let result = { active: state.active, password: olds.password, standbyPassword: olds.standbyPassword };
          if (sets) {
            const rotated = await pair.rotatePair(conn, state, desired, news.currentPassword, generated.pending);
            result = rotated;
            ({ proof, notes } = settle(conn, rotated.active, rotated.nodes, record));
          } else if (drifted) {
            const repaired = await pair.repairPair(
              conn,
              state,
              () => generated.forName(pair.otherOf(state, active)),
              news.currentPassword,
              generated.pending,
            );
            result.standbyPassword = repaired.standbyPassword;
            ({ proof, notes } = settle(conn, active, repaired.nodes, record));
          }
          const outs = outputs(news, conn, result.password, rotatedAt, seed, proof);
          return {
            outs: { ...outs, [f.active]: result.active, standbyPassword: result.standbyPassword },
            ...notesOf(conn, notes),
          };
        }
        if (sets || drifted) {
          const known = [olds.password, news.currentPassword].filter((p): p is string => p !== undefined);
          // and what a run that died after setting a generated password left there
          await conn.setPassword(id.name, [...known, ...generated.pending(id.name)], desired);
          ({ proof, notes } = settle(conn, id.name, await verify(conn, id.name, desired, known), record));
        }
        return { outs: outputs(news, conn, desired, rotatedAt, seed, proof), ...notesOf(conn, notes) };
      },
      settings,
    );
  }

  // ---------------------------------------------------------------- read

  async function read(id: string, props: O, settings: S): Promise<pulumi.dynamic.ReadResult<O>> {
    return guard(
      "read",
      [props],
      async (op) => {
        const conn = op.connect(props);
        const identity = identityOf(props);
        let results: NodeResult[] = [];
        if (identity.standby !== undefined) {
          const found = await pair.readPair(conn, stateOf(identity, props));
          if (found.status === "gone") return { id: "", props: undefined };
          results = found.nodes;
        } else if (props.password !== undefined) {
          // A password that logs in proves the identity exists: one login per node. Only a
          // refusal everywhere asks whether it is gone (removed from state) or its password
          // changed (drift); a refusal on one node is drift. An imported identity has no
          // password in state until the next `up` sets one.
          const nodes = await pair.nodeLoginsOf(conn, identity.name, [props.password]);
          results = await logsInOnNodes(nodes, props.password, "refuses the password in state");
          const verdict = verdictOf(results);
          if (verdict.failure) throw verdict.failure;
          if (verdict.noneAnswered) {
            if (results.length === 1) throw verdict.noneAnswered;
            throw conn.error(`no node could be asked: ${describeNodes(results)}`, "read", identity.name);
          }
        }
        const verdict = verdictOf(results);
        const anyAgrees = results.some((r) => r.answer.kind === "agrees");
        if (identity.standby === undefined && !anyAgrees && (await conn.exists(identity.name)) === false) {
          return { id: "", props: undefined };
        }
        const proof = { verified: verdict.verified, nodeProofs: results.length ? verdict.nodeProofs : undefined };
        const { nodeProofs: _stale, ...rest } = props as O & { nodeProofs?: unknown };
        void _stale;
        return {
          id,
          props: compact({
            ...rest,
            address: conn.address,
            passwordVerified: proof.verified,
            nodeProofs: db.nodeProofs ? proof.nodeProofs : undefined,
          }) as unknown as O,
        };
      },
      settings,
    );
  }

  // ---------------------------------------------------------------- delete

  async function remove(_id: string, props: O, settings: S): Promise<void> {
    // documented: without deleteOnDestroy the identity and its password stay as they are
    if (!(props as Record<string, unknown>)[f.deleteOnDestroy]) return;
    await guard(
      "delete",
      [props],
      async (op) => {
        const conn = op.connect(props);
        const { name, standby } = identityOf(props);
        if (!conn.hasAdmin) {
          throw new ConfigError(
            `${f.deleteOnDestroy} needs a connection identity with the right to delete ${db.kind}s`,
            { operation: "delete", target: conn.target(name), property: "connection" },
          );
        }
        for (const n of [name, standby]) {
          if (n === undefined) continue;
          if (conn.dropIfExists) await conn.dropIfExists(n);
          else if ((await conn.exists(n)) !== false) await conn.drop(n);
        }
      },
      settings,
    );
  }

  // ---------------------------------------------------------------- adopt (pulumi import)

  /**
   * `pulumi import` by id, `name@host:port` (the id the resource has in state): the identity as
   * it is, its password unknown (`passwordVerified: false`) until the next `pulumi up` sets it.
   * The admin identity comes from the environment, as an import has no inputs; without one the
   * identity cannot be looked up and is taken as it is.
   */
  async function adopt(id: string, settings: S): Promise<{ id: string; props: O; inputs: I } | undefined> {
    return guard(
      "import",
      [],
      async (op) => {
        const inputs = db.importInputs(id) as I | undefined;
        if (!inputs) {
          throw new ConfigError(`the import id must be ${f.name}@host:port (the id the resource has in state)`, {
            operation: "import",
            property: "id",
          });
        }
        const conn = op.connect(inputs);
        const { name } = identityOf(inputs);
        if ((await conn.exists(name)) === false) return undefined;
        const props = { ...inputs, address: conn.address, passwordVerified: false } as unknown as O;
        return { id: conn.id(name), props, inputs };
      },
      settings,
    );
  }

  const withSettings = (settings: S): Lifecycle<I, O> => ({
    check,
    diff,
    create: (inputs) => create(inputs, settings),
    update: (id, olds, news) => update(id, olds, news, settings),
    read: (id, props) => read(id, props, settings),
    remove: (id, props) => remove(id, props, settings),
    adopt: (id) => adopt(id, settings),
  });
  return { ...withSettings(defaults), withSettings };
}
