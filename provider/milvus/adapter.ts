/**
 * Milvus as the identity lifecycle (provider/shared/lifecycle.ts) sees it: a user is an
 * identity, its grants are its roles (SelectUser with role info, OperateUserRole), a password
 * changes with UpdateCredential from the old one (Milvus always checks it, even for an admin),
 * and a login is proved at once (Milvus checks credentials on every call). The context of a
 * call is its address, target and admin identity, from the inputs, then MILVUS_* variables.
 * docs/ARCHITECTURE.md, sections 2 and 6.
 */
import { ConfigError, MilvusError, isTransient } from "../shared/errors";
import { envValue } from "../shared/env";
import { retry } from "../shared/retry";
import type { IdentityConnection, IdentityDatabase } from "../shared/lifecycle";
import { MILVUS_PASSWORD_POLICY } from "../shared/password";
import { AT_ONCE } from "../shared/login-proof";
import { milvusSpec } from "./spec";
import {
  MilvusIdentity,
  MilvusSession,
  MilvusTarget,
  OLD_PASSWORD_NOT_CORRECT,
  canLogin,
  readRetry,
  targetOf,
} from "./client";
import { ADDRESS, USER_NAME, parseAddress } from "./names";
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
 * Changes the password of `user` from one of `oldCandidates` to `desired` (Milvus checks the old one). After an
 * ambiguous failure (timeout, reset) it asks the server which password works before it
 * retries, so a change the server already applied is never retried into "old password not
 * correct".
 */
export async function setPassword(ctx: Context, user: string, oldCandidates: string[], desired: string): Promise<void> {
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

/** The admin session that creating, dropping and granting need. */
function adminSession(ctx: Context, user: string, property = "connection"): MilvusSession {
  if (!ctx.admin) {
    throw new ConfigError(`${property} needs an admin identity: ${ADMIN_IDENTITY_HINT}`, {
      operation: "configure",
      target: targetOf(ctx.target, user),
      property,
    });
  }
  return new MilvusSession(ctx.target, ctx.admin);
}

/** A user for one operation. Every call opens what it needs; nothing stays open. */
export function milvusConnection(ctx: Context): IdentityConnection {
  const login = (user: string, password: string) => canLogin(ctx.target, user, password);
  return {
    kind: "user",
    standbyField: "standbyUser",
    address: ctx.address,
    hasAdmin: !!ctx.admin,
    setsWithoutOld: false,
    id: (user) => `${user}@${ctx.target.hostPort}`,
    close: async () => {},
    target: (user) => targetOf(ctx.target, user),
    requireAdmin: (user) => void adminSession(ctx, user, "standbyUser"),
    canLogin: login,
    // Milvus checks credentials on every call: a change shows at once
    proofBound: AT_ONCE,
    exists: (user) => userExists(ctx, user),
    setPassword: (user, olds, desired) => setPassword(ctx, user, olds, desired),
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
    // DeleteCredential of a user that is not there succeeds (Milvus 2.x): a destroy asks no
    // ListCredUsers first. Should a server refuse it, the user's absence is what counts.
    dropIfExists: async (user) => {
      try {
        await adminSession(ctx, user).deleteUser(user);
      } catch (err) {
        if ((await userExists(ctx, user).catch(() => true)) !== false) throw err;
      }
    },
    grants: (user) => readRetry(() => adminSession(ctx, user).userRoles(user)),
    setGrant: (user, role, on) => adminSession(ctx, user).setUserRole(user, role, on),
    retryable: (err) => err instanceof MilvusError && (err.ambiguous || isTransient(err)),
    error: (message, operation, user) => new MilvusError(message, { operation, target: targetOf(ctx.target, user) }),
  };
}

type Props = Record<string, unknown> & Inputs;

export const milvusDatabase: IdentityDatabase<object> = {
  spec: milvusSpec,
  fields: { name: "user", standby: "standbyUser", active: "activeUser", deleteOnDestroy: "deleteUserOnDestroy" },
  kind: "user",
  grantsNoun: "roles",
  adminNoun: "an admin identity",
  adminHint: ADMIN_IDENTITY_HINT,
  policy: MILVUS_PASSWORD_POLICY,
  // zod loads only here: refresh and destroy never check, so their processes skip it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  schema: () => (require("./schema") as typeof import("./schema")).milvusInputsSchema,
  checkAddress: (inputs) => {
    if ((inputs as Props).connection?.address) return undefined;
    const env = envValue("MILVUS_URI");
    if (!env)
      return { property: "connection.address", reason: "is required: set it or the MILVUS_URI environment variable" };
    try {
      parseAddress(env);
      return undefined;
    } catch {
      return {
        property: "connection.address",
        reason: "MILVUS_URI must be host:port, http://host:port or https://host:port",
      };
    }
  },
  hasAdmin: (inputs) => !!adminIdentity((inputs as Props).connection),
  environmentSecrets: () => [process.env.MILVUS_PASSWORD, process.env.MILVUS_TOKEN],
  error: (message, operation) => new MilvusError(message, { operation }),
  address: (inputs) => resolveContext(inputs as Props).address,
  connect: (inputs) => milvusConnection(resolveContext(inputs as Props)),
  importInputs: (id) => {
    const at = id.indexOf("@");
    const user = id.slice(0, at);
    if (at < 1 || !USER_NAME.test(user) || !ADDRESS.test(id.slice(at + 1))) return undefined;
    return { user, connection: { address: id.slice(at + 1) } };
  },
};
