/**
 * Two users that take turns (`standbyUser`): rotation without downtime. The user that is not
 * active gets the new password and exactly the roles of the active one, then becomes active;
 * the previously active user keeps its password for one more rotation period. Everything
 * here needs an admin identity (check refuses a standby user without one).
 * docs/ARCHITECTURE.md, section 2.
 */
import { ConfigError, MilvusError, isTransient } from "../shared/errors";
import { MILVUS_PASSWORD_POLICY, generatePassword } from "../shared/password";
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

/** The user of the pair that is not `active`. */
export function otherOf(inputs: { user: string; standbyUser?: string }, active: string): string {
  return active === inputs.user ? inputs.standbyUser! : inputs.user;
}

/**
 * Gives `to` exactly the roles `from` holds: binds the missing ones, unbinds the extra ones.
 * Reads both again after each pass, so a bind whose answer was lost is not done twice, and
 * fails unless the two end up equal.
 */
export async function syncRoles(ctx: Context, from: string, to: string): Promise<string[]> {
  const admin = adminSession(ctx, to);
  let lastFailure: MilvusError | undefined;
  for (let pass = 0; ; pass++) {
    const want = await readRetry(() => admin.userRoles(from));
    const have = await readRetry(() => admin.userRoles(to));
    const missing = want.filter((r) => !have.includes(r));
    const extra = have.filter((r) => !want.includes(r));
    if (missing.length === 0 && extra.length === 0) return want;
    if (pass === 3) {
      if (lastFailure) throw lastFailure; // what the server last said is the better message
      throw new MilvusError(`the roles of ${to} could not be made those of ${from}`, {
        operation: "OperateUserRole",
        target: targetOf(ctx.target, to),
      });
    }
    for (const [role, bound] of [...missing.map((r) => [r, true] as const), ...extra.map((r) => [r, false] as const)]) {
      try {
        await admin.setUserRole(to, role, bound);
      } catch (err) {
        // an unknown outcome or a transient refusal: the next pass reads what the server holds
        if (!(err instanceof MilvusError && (err.ambiguous || isTransient(err)))) throw err;
        lastFailure = err;
      }
    }
  }
}

/**
 * Makes `user` have `desired`, whatever it has now: from one of the known old passwords, and
 * when none of them works (a generated password lost in a crash, a change outside Pulumi) by
 * re-creating the user, which only the standby side of the pair may need: its roles are
 * synced right after. Returns whether the user was re-created.
 */
export async function forcePassword(ctx: Context, user: string, olds: string[], desired: string): Promise<boolean> {
  const admin = adminSession(ctx, user);
  if ((await userExists(ctx, user)) === false) {
    await createUser(ctx, admin, user, desired);
    return true;
  }
  try {
    await rotate(ctx, user, olds, desired);
    return false;
  } catch (err) {
    if (!(err instanceof MilvusError && err.serverCode === String(OLD_PASSWORD_NOT_CORRECT))) throw err;
  }
  await admin.deleteUser(user);
  await createUser(ctx, admin, user, desired);
  return true;
}

async function createUser(ctx: Context, admin: MilvusSession, user: string, password: string): Promise<void> {
  try {
    await admin.createUser(user, password);
  } catch (err) {
    // after an unknown outcome the user may exist with the password already
    if (!(err instanceof MilvusError && err.ambiguous && (await canLogin(ctx.target, user, password)))) throw err;
  }
}

/** After create has set up `user`: the standby user with its own generated password and the same roles. */
export async function createStandby(ctx: Context, inputs: Inputs): Promise<string> {
  const standby = inputs.standbyUser!;
  const password = generatePassword(MILVUS_PASSWORD_POLICY);
  const admin = adminSession(ctx, standby);
  const exists = await userExists(ctx, standby);
  if (exists === false && !inputs.createIfMissing) {
    throw new ConfigError(`standby user ${standby} does not exist: set createIfMissing: true to create it`, {
      operation: "create",
      target: targetOf(ctx.target, standby),
      property: "standbyUser",
    });
  }
  // An existing standby user is taken over: its password is not known, so it is re-created.
  if (exists !== false) await admin.deleteUser(standby);
  await createUser(ctx, admin, standby, password);
  await syncRoles(ctx, inputs.user, standby);
  await proveLogin(ctx, standby, password, "the standby user");
  return password;
}

async function proveLogin(ctx: Context, user: string, password: string, who: string): Promise<void> {
  if (!(await canLogin(ctx.target, user, password))) {
    throw new MilvusError(`${who} does not log in with its password after the change`, {
      operation: "verify",
      target: targetOf(ctx.target, user),
    });
  }
}

/**
 * A rotation of the pair: the inactive user gets `desired` and the active user's roles,
 * then becomes active. The previously active user keeps its password (it is repaired first
 * if it no longer logs in with it). Returns the outputs' pair fields.
 */
export async function rotatePair(
  ctx: Context,
  olds: Outputs,
  news: Inputs,
  desired: string,
): Promise<{ activeUser: string; password: string; standbyPassword: string }> {
  const previous = olds.activeUser ?? olds.user;
  const next = otherOf(news, previous);
  const candidates = [olds.standbyPassword, news.currentPassword].filter((p): p is string => p !== undefined);
  if (!(await canLogin(ctx.target, previous, olds.password))) {
    // drift on the active user: services expect olds.password, so that is what it gets back
    if (await forcePassword(ctx, previous, news.currentPassword ? [news.currentPassword] : [], olds.password)) {
      await syncRoles(ctx, next, previous);
    }
  }
  await forcePassword(ctx, next, candidates, desired);
  await syncRoles(ctx, previous, next);
  await proveLogin(ctx, next, desired, "the new active user");
  await proveLogin(ctx, previous, olds.password, "the previously active user");
  if (
    olds.standbyPassword &&
    olds.standbyPassword !== desired &&
    (await canLogin(ctx.target, next, olds.standbyPassword))
  ) {
    throw new MilvusError("the password from two rotations ago still logs in", {
      operation: "verify",
      target: targetOf(ctx.target, next),
    });
  }
  return { activeUser: next, password: desired, standbyPassword: olds.password };
}

/** Drift repair without a rotation: each user gets its stored password back, roles from the active one. */
export async function repairPair(ctx: Context, olds: Outputs, news: Inputs): Promise<void> {
  const active = olds.activeUser ?? olds.user;
  const standby = otherOf(news, active);
  const given = news.currentPassword ? [news.currentPassword] : [];
  const activeRecreated =
    !(await canLogin(ctx.target, active, olds.password)) && (await forcePassword(ctx, active, given, olds.password));
  const standbyPassword = olds.standbyPassword ?? generatePassword(MILVUS_PASSWORD_POLICY);
  if (!(await canLogin(ctx.target, standby, standbyPassword))) {
    await forcePassword(ctx, standby, given, standbyPassword);
  }
  if (activeRecreated) await syncRoles(ctx, standby, active);
  else await syncRoles(ctx, active, standby);
  await proveLogin(ctx, active, olds.password, "the active user");
  await proveLogin(ctx, standby, standbyPassword, "the standby user");
}

/** Refresh: both users must exist and both stored passwords must log in. */
export async function readPair(ctx: Context, props: Outputs): Promise<"ok" | "drift" | "gone"> {
  const active = props.activeUser ?? props.user;
  const standby = otherOf(props, active);
  const okActive = await canLogin(ctx.target, active, props.password);
  const okStandby = props.standbyPassword !== undefined && (await canLogin(ctx.target, standby, props.standbyPassword));
  if (okActive && okStandby) return "ok";
  if (!okActive && !okStandby) {
    const [a, s] = [await userExists(ctx, active), await userExists(ctx, standby)];
    if (a === false && s === false) return "gone";
  }
  return "drift";
}

/** deleteUserOnDestroy: both users go. */
export async function removePair(ctx: Context, props: Outputs): Promise<void> {
  const admin = adminSession(ctx, props.user);
  for (const user of [props.user, props.standbyUser!]) {
    if ((await userExists(ctx, user)) !== false) await admin.deleteUser(user);
  }
}
