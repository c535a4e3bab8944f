/**
 * The MilvusUserPassword lifecycle (docs/ARCHITECTURE.md, sections 2 and 5). The provider
 * module (provider.ts) requires this module by package path when a method runs, in the
 * dynamic provider host.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, MilvusError, isTransient } from "../shared/errors";
import { guarded } from "../shared/guard";
import { compact, failed, issuesToFailures, providerCheck } from "../shared/check";
import { envValue } from "../shared/env";
import { MILVUS_PASSWORD_POLICY, generatePassword } from "../shared/password";
import { retry } from "../shared/retry";
import { passwordForUpdate, scheduleDiff, timestamp, withSchedule } from "../shared/schedule";
import {
  MilvusIdentity,
  MilvusSession,
  MilvusTarget,
  OLD_PASSWORD_NOT_CORRECT,
  canLogin,
  readRetry,
  targetOf,
} from "./client";
import { parseAddress } from "./address";
import { adminSession, createStandby, readPair, removePair, repairPair, rotatePair } from "./pair";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "./schema";

type Outputs = MilvusUserPasswordOutputs;
type Inputs = MilvusUserPasswordInputs;

export const DEFAULT_TIMEOUT_MS = 15000;
/** Bounds of one rotation: tries and elapsed time, for transient failures only. */
export const ROTATION_RETRY = { maxAttempts: 3, maxElapsedMs: 60000, baseDelayMs: 250, maxDelayMs: 2000 };

export interface Context {
  address: string;
  target: MilvusTarget;
  /** Who the provider logs in as for admin calls; undefined: the managed user itself. */
  admin?: MilvusIdentity;
}

/** Resolves the address and the identity from inputs, then from MILVUS_* variables. */
export function resolveContext(inputs: Inputs, env: NodeJS.ProcessEnv = process.env): Context {
  const c = inputs.connection ?? {};
  const address = c.address ?? envValue("MILVUS_URI", env);
  if (!address) {
    throw new ConfigError("no Milvus address: set connection.address or MILVUS_URI", {
      operation: "configure",
      property: "connection.address",
    });
  }
  let parsed: ReturnType<typeof parseAddress>;
  try {
    parsed = parseAddress(address);
  } catch {
    throw new ConfigError("MILVUS_URI must be host:port, http://host:port or https://host:port", {
      operation: "configure",
      property: "connection.address",
    });
  }
  const target: MilvusTarget = {
    hostPort: parsed.hostPort,
    tls: c.tls ?? parsed.tls,
    timeoutMs: c.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  return { address: `${target.tls ? "https://" : ""}${target.hostPort}`, target, admin: adminIdentity(c, env) };
}

/** The admin identity: connection.token or connection.username, then MILVUS_TOKEN or MILVUS_USER. */
export function adminIdentity(
  c: Inputs["connection"] = {},
  env: NodeJS.ProcessEnv = process.env,
): MilvusIdentity | undefined {
  if (c.token) return { token: c.token };
  if (c.username) return { username: c.username, password: c.password ?? envValue("MILVUS_PASSWORD", env) };
  if (envValue("MILVUS_TOKEN", env)) return { token: envValue("MILVUS_TOKEN", env) };
  if (envValue("MILVUS_USER", env)) {
    return { username: envValue("MILVUS_USER", env), password: envValue("MILVUS_PASSWORD", env) };
  }
  return undefined;
}

/** How to give the provider an admin identity, for the messages that ask for one. */
export const ADMIN_IDENTITY_HINT =
  "set connection.username and connection.password, connection.token, or MILVUS_USER/MILVUS_PASSWORD or MILVUS_TOKEN";

/** The secret values of a set of inputs or outputs: passwords and connection credentials. */
function secretsOf(...values: Array<Partial<Outputs> | undefined>): string[] {
  return values
    .flatMap((v) => [
      v?.password,
      v?.currentPassword,
      v?.connection?.password,
      v?.connection?.token,
      v?.standbyPassword,
    ])
    .filter((s): s is string => !!s);
}

function guard<T>(operation: string, sources: Array<Partial<Outputs> | undefined>, fn: () => Promise<T>): Promise<T> {
  return guarded(
    operation,
    () => [...secretsOf(...sources), process.env.MILVUS_PASSWORD, process.env.MILVUS_TOKEN],
    (m, op) => new MilvusError(m, { operation: op }),
    fn,
  );
}

// ---------------------------------------------------------------- check

export const check = providerCheck(checkInputs);

function checkInputs(news: unknown, olds?: Record<string, unknown>): pulumi.dynamic.CheckResult<Inputs> {
  // zod loads only here: refresh and destroy never check, so their processes skip it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { milvusInputsSchema } = require("./schema") as typeof import("./schema");
  const parsed = milvusInputsSchema.safeParse(news);
  if (!parsed.success) {
    return { inputs: news as Inputs, failures: issuesToFailures(parsed.error.issues, news) };
  }
  const inputs = parsed.data;
  if (!inputs.connection?.address && !envValue("MILVUS_URI")) {
    return failed(inputs, "connection.address", "is required: set it or the MILVUS_URI environment variable");
  }
  if (!inputs.connection?.address) {
    try {
      parseAddress(envValue("MILVUS_URI")!);
    } catch {
      return failed(
        inputs,
        "connection.address",
        "MILVUS_URI must be host:port, http://host:port or https://host:port",
      );
    }
  }
  if (inputs.standbyUser !== undefined && !adminIdentity(inputs.connection)) {
    return failed(
      inputs,
      "standbyUser",
      `needs an admin identity (the provider manages both users and their roles): ${ADMIN_IDENTITY_HINT}`,
    );
  }
  const old = olds as Partial<Inputs> | undefined;
  const replaced =
    !!old &&
    (inputs.user !== old.user ||
      inputs.standbyUser !== old.standbyUser ||
      inputs.connection?.address !== old.connection?.address);
  return withSchedule(inputs, old, replaced);
}

// ---------------------------------------------------------------- diff

const STORED_ONLY = ["deleteUserOnDestroy", "createIfMissing", "connection", "rotateAfterDays"] as const;

export async function diff(id: string, olds: Outputs, news: Inputs): Promise<pulumi.dynamic.DiffResult> {
  const replaces: string[] = [];
  let newAddress: string | undefined;
  try {
    newAddress = resolveContext(news).address;
  } catch {
    newAddress = undefined;
  }
  if (newAddress !== undefined && newAddress !== olds.address) replaces.push("connection.address");
  if (news.user !== olds.user) replaces.push("user");
  if (news.standbyUser !== olds.standbyUser) replaces.push("standbyUser");

  const changed: string[] = [];
  if (news.password !== undefined && news.password !== olds.password) changed.push("password");
  if (news.rotationTrigger !== olds.rotationTrigger) changed.push("rotationTrigger");
  if (olds.passwordVerified === false && !changed.includes("password")) changed.push("password");
  for (const key of STORED_ONLY) {
    if (JSON.stringify(news[key] ?? null) !== JSON.stringify(olds[key] ?? null)) changed.push(key);
  }
  changed.push(...scheduleDiff(`MilvusUserPassword ${id}`, olds, news, replaces.length > 0));
  return {
    changes: replaces.length > 0 || changed.length > 0,
    replaces,
    stables: replaces.length ? [] : ["user", "address", "standbyUser"],
    deleteBeforeReplace: false,
  };
}

// ---------------------------------------------------------------- rotation core

/** The session that makes the change: the admin identity, or the user with `oldPassword`. */
function sessionFor(ctx: Context, user: string, oldPassword: string | undefined): MilvusSession {
  if (ctx.admin) return new MilvusSession(ctx.target, ctx.admin);
  if (oldPassword === undefined) {
    throw new ConfigError(
      "no connection identity: set connection.username/password, connection.token or MILVUS_USER/MILVUS_PASSWORD, " +
        "or give currentPassword so the user can change its own password",
      { operation: "configure", target: targetOf(ctx.target, user), property: "connection" },
    );
  }
  return new MilvusSession(ctx.target, { username: user, password: oldPassword });
}

/**
 * Changes the password of `user` from one of `oldCandidates` to `desired`. After an
 * ambiguous failure (timeout, reset) it asks the server which password works before it
 * retries, so a change the server already applied is never retried into "old password not
 * correct".
 */
export async function rotate(ctx: Context, user: string, oldCandidates: string[], desired: string): Promise<void> {
  const target = targetOf(ctx.target, user);
  const olds = [...new Set(oldCandidates)].filter((o) => o !== desired);
  if (olds.length === 0) {
    if (await canLogin(ctx.target, user, desired)) return;
    throw new MilvusError(
      "the password is not the one the user has, and no old password is known: " +
        "set currentPassword to the user's present password",
      {
        operation: "UpdateCredential",
        target,
        serverCode: String(OLD_PASSWORD_NOT_CORRECT),
      },
    );
  }
  let lastStale: MilvusError | undefined;
  for (const old of olds) {
    try {
      await retry(
        async () => {
          try {
            await sessionFor(ctx, user, old).updatePassword(user, old, desired);
          } catch (err) {
            if (!(err instanceof MilvusError)) throw err;
            // Without an admin identity the call logs in with the old password: a stale one
            // shows as a failed login.
            const stale =
              err.serverCode === String(OLD_PASSWORD_NOT_CORRECT) ||
              (!ctx.admin && err.serverCode === "UNAUTHENTICATED");
            if (stale || err.ambiguous) {
              // Either the old password is stale or we cannot tell what happened: ask the server.
              if (await canLogin(ctx.target, user, desired)) return;
            }
            if (stale && err.serverCode !== String(OLD_PASSWORD_NOT_CORRECT)) {
              throw new MilvusError("old password not correct", {
                operation: "UpdateCredential",
                target,
                serverCode: String(OLD_PASSWORD_NOT_CORRECT),
              });
            }
            throw err;
          }
        },
        { ...ROTATION_RETRY, classify: (err) => ({ retry: isTransient(err) }) },
      );
      return;
    } catch (err) {
      if (err instanceof MilvusError && err.serverCode === String(OLD_PASSWORD_NOT_CORRECT)) {
        lastStale = err;
        continue; // try the next candidate (currentPassword)
      }
      throw err;
    }
  }
  throw new MilvusError(
    "the user's password is neither the one in state nor currentPassword " +
      "(changed outside Pulumi, or the user does not exist): " +
      "set currentPassword to the user's present password and run `pulumi up` again",
    { operation: "UpdateCredential", target, serverCode: lastStale?.serverCode },
  );
}

/** Proves the new password logs in and the old ones no longer do. */
async function verify(ctx: Context, user: string, desired: string, olds: string[]): Promise<void> {
  const target = targetOf(ctx.target, user);
  if (!(await canLogin(ctx.target, user, desired))) {
    throw new MilvusError("the new password does not log in after the change", { operation: "verify", target });
  }
  for (const old of new Set(olds)) {
    if (old !== desired && (await canLogin(ctx.target, user, old))) {
      throw new MilvusError("an old password still logs in after the change", { operation: "verify", target });
    }
  }
}

export async function userExists(ctx: Context, user: string): Promise<boolean | undefined> {
  if (!ctx.admin) return undefined;
  try {
    // only reads: a transient failure (say, a connection reset by a restart) is tried again
    const admin = new MilvusSession(ctx.target, ctx.admin);
    return (await readRetry(() => admin.listUsers())).includes(user);
  } catch (err) {
    if (err instanceof MilvusError && err.serverCode === "PERMISSION_DENIED") return undefined;
    throw err;
  }
}

function outputs(inputs: Inputs, ctx: Context, password: string, rotatedAt: string | undefined): Outputs {
  return compact({ ...inputs, password, address: ctx.address, passwordVerified: true, rotatedAt }) as Outputs;
}

// ---------------------------------------------------------------- create

export async function create(inputs: Inputs): Promise<pulumi.dynamic.CreateResult<Outputs>> {
  return guard("create", [inputs], async () => {
    const ctx = resolveContext(inputs);
    const user = inputs.user;
    const desired = inputs.password ?? generatePassword(MILVUS_PASSWORD_POLICY);
    const target = targetOf(ctx.target, user);
    const exists = await userExists(ctx, user);

    if (inputs.standbyUser !== undefined) adminSession(ctx, user); // a clear error before any call
    if (exists === false) {
      if (!inputs.createIfMissing) {
        throw new ConfigError(`user ${user} does not exist: set createIfMissing: true to create it`, {
          operation: "create",
          target,
          property: "user",
        });
      }
      try {
        await new MilvusSession(ctx.target, ctx.admin!).createUser(user, desired);
      } catch (err) {
        // After an unknown outcome, the user may exist with the desired password already.
        if (!(err instanceof MilvusError && err.ambiguous && (await canLogin(ctx.target, user, desired)))) throw err;
      }
    } else if (inputs.currentPassword !== undefined) {
      await rotate(ctx, user, [inputs.currentPassword], desired);
    } else if (!(await canLogin(ctx.target, user, desired))) {
      // No old password: adopt the user only if it has the desired password already.
      throw new ConfigError(
        `user ${user} exists${exists === undefined ? " (or cannot be listed)" : ""}: ` +
          "set currentPassword to its present password so that it can be changed",
        { operation: "create", target, property: "currentPassword" },
      );
    }
    await verify(ctx, user, desired, inputs.currentPassword !== undefined ? [inputs.currentPassword] : []);
    const rotatedAt = inputs.rotatedAt ?? timestamp(new Date());
    const outs = outputs(inputs, ctx, desired, rotatedAt);
    if (inputs.standbyUser !== undefined) {
      // `user` is active first; the standby gets its own password and the same roles
      Object.assign(outs, { activeUser: user, standbyPassword: await createStandby(ctx, inputs) });
    }
    return { id: `${user}@${ctx.target.hostPort}`, outs };
  });
}

// ---------------------------------------------------------------- update

export async function update(_id: string, olds: Outputs, news: Inputs): Promise<pulumi.dynamic.UpdateResult<Outputs>> {
  return guard("update", [olds, news], async () => {
    const ctx = resolveContext(news);
    const user = news.user;
    const {
      password: desired,
      sets,
      rotatedAt,
    } = passwordForUpdate(olds, news, () => generatePassword(MILVUS_PASSWORD_POLICY), targetOf(ctx.target, user));
    const drifted = olds.passwordVerified === false;
    if (news.standbyUser !== undefined) {
      let pair = {
        activeUser: olds.activeUser ?? user,
        password: olds.password,
        standbyPassword: olds.standbyPassword,
      };
      if (sets) pair = await rotatePair(ctx, olds, news, desired);
      else if (drifted) await repairPair(ctx, olds, news);
      return { outs: { ...outputs(news, ctx, pair.password, rotatedAt), ...pair } as Outputs };
    }
    if (sets || drifted) {
      const candidates = [olds.password, news.currentPassword].filter((p): p is string => p !== undefined);
      await rotate(ctx, user, candidates, desired);
      await verify(ctx, user, desired, candidates);
    }
    return { outs: outputs(news, ctx, desired, rotatedAt) };
  });
}

// ---------------------------------------------------------------- read

export async function read(id: string, props: Outputs): Promise<pulumi.dynamic.ReadResult<Outputs>> {
  return guard("read", [props], async () => {
    const ctx = resolveContext(props);
    if (props.standbyUser !== undefined) {
      const found = await readPair(ctx, props);
      if (found === "gone") return { id: "", props: undefined };
      return { id, props: { ...props, address: ctx.address, passwordVerified: found === "ok" } };
    }
    // A password that logs in proves the user exists: one call. Only a refused one asks
    // whether the user is gone (removed from state) or its password changed (drift).
    const verified = await canLogin(ctx.target, props.user, props.password);
    if (!verified && (await userExists(ctx, props.user)) === false) return { id: "", props: undefined };
    return { id, props: { ...props, address: ctx.address, passwordVerified: verified } };
  });
}

// ---------------------------------------------------------------- delete

export async function remove(_id: string, props: Outputs): Promise<void> {
  if (!props.deleteUserOnDestroy) return; // documented: the user and its password stay as they are
  await guard("delete", [props], async () => {
    const ctx = resolveContext(props);
    const target = targetOf(ctx.target, props.user);
    if (!ctx.admin) {
      throw new ConfigError("deleteUserOnDestroy needs a connection identity with the right to delete users", {
        operation: "delete",
        target,
        property: "connection",
      });
    }
    if (props.standbyUser !== undefined) return removePair(ctx, props);
    if ((await userExists(ctx, props.user)) === false) return;
    await new MilvusSession(ctx.target, ctx.admin).deleteUser(props.user);
  });
}
