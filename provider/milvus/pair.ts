/**
 * Two Milvus users that take turns (`standbyUser`): the pair algorithm of shared/pair.ts over
 * Milvus. The grants of a user are its roles (SelectUser with role info, OperateUserRole);
 * a password changes with UpdateCredential from the old one (Milvus always checks it). The
 * user that is not active gets the new password and exactly the roles of the active one, then
 * becomes active. Everything here needs an admin identity (check refuses a standby user
 * without one).
 */
import { ConfigError, MilvusError, isTransient } from "../shared/errors";
import { MILVUS_PASSWORD_POLICY, generatePassword } from "../shared/password";
import * as pair from "../shared/pair";
import { MilvusSession, OLD_PASSWORD_NOT_CORRECT, canLogin, readRetry, targetOf } from "./client";
import { ADMIN_IDENTITY_HINT, Context, rotate, userExists } from "./core";
import type { MilvusUserPasswordInputs as Inputs, MilvusUserPasswordOutputs as Outputs } from "./schema";

/** The admin session every pair operation needs. */
export function adminSession(ctx: Context, user: string): MilvusSession {
  if (!ctx.admin) {
    throw new ConfigError(`standbyUser needs an admin identity: ${ADMIN_IDENTITY_HINT}`, {
      operation: "configure",
      target: targetOf(ctx.target, user),
      property: "standbyUser",
    });
  }
  return new MilvusSession(ctx.target, ctx.admin);
}

/** The pair's view of Milvus. */
export function milvusPairAdapter(ctx: Context): pair.PairAdapter {
  const login = (user: string, password: string) => canLogin(ctx.target, user, password);
  return {
    kind: "user",
    standbyField: "standbyUser",
    target: (user) => targetOf(ctx.target, user),
    requireAdmin: (user) => void adminSession(ctx, user),
    canLogin: login,
    // Milvus checks credentials on every call: a change shows at once
    proveWorks: login,
    proveRefused: async (user, password) => !(await login(user, password)),
    exists: (user) => userExists(ctx, user),
    setPassword: (user, olds, desired) => rotate(ctx, user, olds, desired),
    isStale: (err) => err instanceof MilvusError && err.serverCode === String(OLD_PASSWORD_NOT_CORRECT),
    create: async (user, password) => {
      try {
        await adminSession(ctx, user).createUser(user, password);
      } catch (err) {
        // after an unknown outcome the user may exist with the password already
        if (!(err instanceof MilvusError && err.ambiguous && (await login(user, password)))) throw err;
      }
    },
    drop: (user) => adminSession(ctx, user).deleteUser(user),
    grants: (user) => readRetry(() => adminSession(ctx, user).userRoles(user)),
    setGrant: (user, role, on) => adminSession(ctx, user).setUserRole(user, role, on),
    retryable: (err) => err instanceof MilvusError && (err.ambiguous || isTransient(err)),
    error: (message, operation, user) => new MilvusError(message, { operation, target: targetOf(ctx.target, user) }),
  };
}

const stateOf = (props: Outputs, news: { user: string; standbyUser?: string } = props): pair.PairState => ({
  primary: news.user,
  standby: news.standbyUser!,
  active: props.activeUser ?? props.user,
  password: props.password,
  standbyPassword: props.standbyPassword,
});

/** After create has set up `user`: the standby user with its own generated password and the same roles. */
export function createStandby(ctx: Context, inputs: Inputs): Promise<string> {
  return pair.createStandby(
    milvusPairAdapter(ctx),
    { primary: inputs.user, standby: inputs.standbyUser! },
    inputs.createIfMissing,
    generatePassword(MILVUS_PASSWORD_POLICY),
  );
}

/** A rotation of the pair; returns the outputs' pair fields. */
export async function rotatePair(
  ctx: Context,
  olds: Outputs,
  news: Inputs,
  desired: string,
): Promise<{ activeUser: string; password: string; standbyPassword: string }> {
  const r = await pair.rotatePair(milvusPairAdapter(ctx), stateOf(olds, news), desired, news.currentPassword);
  return { activeUser: r.active, password: r.password, standbyPassword: r.standbyPassword };
}

/** Drift repair without a rotation; returns the standby password state keeps. */
export function repairPair(ctx: Context, olds: Outputs, news: Inputs): Promise<string> {
  return pair.repairPair(
    milvusPairAdapter(ctx),
    stateOf(olds, news),
    () => generatePassword(MILVUS_PASSWORD_POLICY),
    news.currentPassword,
  );
}

/** Refresh: both users must exist and both stored passwords must log in. */
export function readPair(ctx: Context, props: Outputs): Promise<"ok" | "drift" | "gone"> {
  return pair.readPair(milvusPairAdapter(ctx), stateOf(props));
}

/** deleteUserOnDestroy: both users go. */
export function removePair(ctx: Context, props: Outputs): Promise<void> {
  return pair.removePair(milvusPairAdapter(ctx), { primary: props.user, standby: props.standbyUser! });
}
