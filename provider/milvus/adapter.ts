/**
 * What the MilvusUserPassword lifecycle (operations.ts) and two users taking turns (pair.ts)
 * share: the context of a call (address, target, the admin identity) and the change of one
 * user's password, with its proof. docs/ARCHITECTURE.md, sections 2 and 6.
 */
import { ConfigError, MilvusError, isTransient } from "../shared/errors";
import { envValue } from "../shared/env";
import { retry } from "../shared/retry";
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
import type { MilvusUserPasswordInputs as Inputs } from "./schema";

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
export async function verify(ctx: Context, user: string, desired: string, olds: string[]): Promise<void> {
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
