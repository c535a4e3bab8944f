/**
 * What the CassandraRolePassword lifecycle (operations.ts) and two roles taking turns
 * (pair.ts) share: the context of a call (address, target, the connection identity) and what a
 * role is on the database: its password (ALTER ROLE with a quoted literal, proved by logins),
 * whether it exists, its grants (roles granted, direct permissions), creating and dropping it.
 * docs/ARCHITECTURE.md, sections 2 and 6.
 */
import {
  AUTH_SETTLE,
  CqlIdentity,
  ProofBound,
  CqlSession,
  CqlTarget,
  INVALID,
  OpenCqlSession,
  UNAUTHORIZED,
  cqlLogin,
  cqlLoginUntil,
  cqlName,
  cqlString,
  cqlTargetOf,
  openCqlSession,
  withCqlSession,
} from "../cql/client";
import { ConfigError, CqlError, isTransient } from "../shared/errors";
import { envValue } from "../shared/env";
import { retry } from "../shared/retry";
import { withPort } from "./names";
import type { CassandraRolePasswordInputs as Inputs } from "./schema";

export const DEFAULT_TIMEOUT_MS = 10000;
/** Bounds of one password change: tries and elapsed time, for transient failures only. */
export const ROTATION_RETRY = { maxAttempts: 6, maxElapsedMs: 60000, baseDelayMs: 500, maxDelayMs: 5000 };

export interface Context {
  /** host:port */
  address: string;
  target: CqlTarget;
  /** Who the provider logs in as; undefined: the managed role itself, with its old password. */
  admin?: CqlIdentity;
  /** How long proofs wait for the database (injected by tests). */
  settle: ProofBound;
  /**
   * The connection identity's session, opened by the first statement of an operation and
   * shared by the rest (each login is a bcrypt check on the server; a rotation of two roles
   * runs a dozen statements); `closeSession` ends it when the operation does.
   */
  session?: Promise<OpenCqlSession>;
}

/** Resolves the address and the identity from inputs, then from CASSANDRA_* variables. */
export function resolveContext(
  inputs: Inputs,
  env: NodeJS.ProcessEnv = process.env,
  settle: ProofBound = AUTH_SETTLE,
): Context {
  const c = inputs.connection ?? {};
  const raw = c.address ?? envValue("CASSANDRA_ADDRESS", env);
  if (!raw) {
    throw new ConfigError("no address: set connection.address or CASSANDRA_ADDRESS", {
      operation: "configure",
      property: "connection.address",
    });
  }
  const address = withPort(raw);
  return {
    address,
    target: {
      hostPort: address,
      tls: c.tls ?? false,
      caCertificate: c.caCertificate,
      localDataCenter: c.localDataCenter ?? "datacenter1",
      timeoutMs: c.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    },
    admin: adminIdentity(c, env),
    settle,
  };
}

/** The connection identity: connection.username, then CASSANDRA_USERNAME (with the password of either). */
export function adminIdentity(
  c: Inputs["connection"] = {},
  env: NodeJS.ProcessEnv = process.env,
): CqlIdentity | undefined {
  const username = c.username ?? envValue("CASSANDRA_USERNAME", env);
  if (!username) return undefined;
  return { username, password: c.password ?? envValue("CASSANDRA_PASSWORD", env) ?? "" };
}

/** How to give the provider a connection identity, for the messages that ask for one. */
export const ADMIN_IDENTITY_HINT =
  "set connection.username and connection.password, or CASSANDRA_USERNAME and CASSANDRA_PASSWORD";

export const targetOfRole = (ctx: Context, role: string) => cqlTargetOf(ctx.target, role);

/**
 * Runs `fn` in the operation's session as the connection identity (which the caller made sure
 * exists). A failure discards that session, so that whatever runs next (a retry) connects anew.
 * The operations close it when they end; a caller outside them calls closeSession.
 */
export async function asAdmin<T>(ctx: Context, fn: (s: CqlSession) => Promise<T>): Promise<T> {
  if (!ctx.admin) {
    throw new ConfigError(`this needs a connection identity: ${ADMIN_IDENTITY_HINT}`, {
      operation: "configure",
      target: cqlTargetOf(ctx.target),
      property: "connection.username",
    });
  }
  const opened = (ctx.session ??= openCqlSession(ctx.target, ctx.admin));
  try {
    return await fn(await opened);
  } catch (err) {
    if (ctx.session === opened) await closeSession(ctx);
    throw err;
  }
}

/** Ends the operation's session, if one was opened. */
export async function closeSession(ctx: Context): Promise<void> {
  const opened = ctx.session;
  ctx.session = undefined;
  if (opened) await (await opened.catch(() => undefined))?.close();
}

/** Whether `role` logs in with `password` now. */
export function canLogin(ctx: Context, role: string, password: string): Promise<boolean> {
  return cqlLogin(ctx.target, role, password);
}

/** The ALTER ROLE that sets a password: the name quoted, the password a quoted literal. */
export function alterPassword(role: string, password: string): string {
  return `ALTER ROLE ${cqlName(role)} WITH PASSWORD = ${cqlString(password)}`;
}

/** The error a change throws when none of the known old passwords is the role's present one. */
export const STALE = "STALE_PASSWORD";

/**
 * Gives `role` the password `desired`. With a connection identity, ALTER ROLE needs no old
 * password; without one the role logs in with one of `olds` and changes its own. After a
 * failure whose outcome is unknown (a timeout, a closed connection after the statement went
 * out) the database is asked whether `desired` logs in before anything is tried again.
 */
export async function setPassword(ctx: Context, role: string, olds: string[], desired: string): Promise<void> {
  const target = targetOfRole(ctx, role);
  const applied = () => cqlLoginUntil(ctx.target, role, desired, true, ctx.settle);
  const attempt = async (identity: CqlIdentity) => {
    await retry(
      async () => {
        try {
          const change = (s: CqlSession) => s.execute(alterPassword(role, desired), [], [desired]);
          await (identity === ctx.admin ? asAdmin(ctx, change) : withCqlSession(ctx.target, identity, change));
        } catch (err) {
          if (err instanceof CqlError && err.ambiguous && (await applied())) return;
          throw err;
        }
      },
      { ...ROTATION_RETRY, classify: (err) => ({ retry: isTransient(err) }) },
    );
  };
  if (ctx.admin) return attempt(ctx.admin);
  const candidates = [...new Set(olds)].filter((o) => o !== desired);
  for (const old of candidates) {
    try {
      return await attempt({ username: role, password: old });
    } catch (err) {
      if (!(err instanceof CqlError && err.serverCode === "UNAUTHENTICATED")) throw err;
    }
  }
  // none of them logs in: maybe an earlier, interrupted run already set the password
  if (await canLogin(ctx, role, desired)) return;
  throw new CqlError(
    candidates.length
      ? "the role's password is neither the one in state nor currentPassword (changed outside Pulumi, or the role " +
          "does not exist): set currentPassword to the role's present password and run `pulumi up` again"
      : `no old password is known and there is no connection identity: set currentPassword, or ${ADMIN_IDENTITY_HINT}`,
    { operation: "ALTER ROLE", target, serverCode: STALE },
  );
}

/** Proves the new password logs in and every old one is refused, waiting out auth caches. */
export async function verify(ctx: Context, role: string, desired: string, olds: string[]): Promise<void> {
  const target = targetOfRole(ctx, role);
  if (!(await cqlLoginUntil(ctx.target, role, desired, true, ctx.settle))) {
    throw new CqlError("the new password does not log in after the change", { operation: "verify", target });
  }
  for (const old of new Set(olds)) {
    if (old !== desired && !(await cqlLoginUntil(ctx.target, role, old, false, ctx.settle))) {
      throw new CqlError("an old password still logs in after the change", { operation: "verify", target });
    }
  }
}

const doesNotExist = (err: unknown) =>
  err instanceof CqlError && err.serverCode === String(INVALID) && /doesn't exist|does not exist/i.test(err.message);

/** Whether `role` exists: asked with the connection identity; undefined without one or without the right to ask. */
export async function roleExists(ctx: Context, role: string): Promise<boolean | undefined> {
  if (!ctx.admin) return undefined;
  try {
    await asAdmin(ctx, (s) => s.execute(`LIST ROLES OF ${cqlName(role)} NORECURSIVE`));
    return true;
  } catch (err) {
    if (doesNotExist(err)) return false;
    if (err instanceof CqlError && err.serverCode === String(UNAUTHORIZED)) return undefined;
    throw err;
  }
}

/** Creates `role` as a LOGIN role (never a superuser); after a lost answer, the password may already work. */
export async function createRole(ctx: Context, role: string, password: string): Promise<void> {
  const statement = `CREATE ROLE ${cqlName(role)} WITH PASSWORD = ${cqlString(password)} AND LOGIN = true`;
  try {
    await asAdmin(ctx, (s) => s.execute(statement, [], [password]));
  } catch (err) {
    if (!(
      err instanceof CqlError &&
      err.ambiguous &&
      (await cqlLoginUntil(ctx.target, role, password, true, ctx.settle))
    ))
      throw err;
  }
}

export async function dropRole(ctx: Context, role: string): Promise<void> {
  await asAdmin(ctx, (s) => s.execute(`DROP ROLE IF EXISTS ${cqlName(role)}`));
}

// ---------------------------------------------------------------- grants

/**
 * A permission's resource as CQL names it in GRANT, from the form LIST PERMISSIONS shows
 * (`<keyspace ks>`, `<table ks.t>`, ...), names quoted.
 */
export function resourceClause(shown: string): string {
  const m = /^<(.*)>$/.exec(shown.trim());
  const body = m?.[1] ?? "";
  let r: RegExpExecArray | null;
  if (body === "all keyspaces") return "ALL KEYSPACES";
  if ((r = /^keyspace (.+)$/.exec(body))) return `KEYSPACE ${cqlName(r[1])}`;
  if ((r = /^table ([^.]+)\.(.+)$/.exec(body))) return `TABLE ${cqlName(r[1])}.${cqlName(r[2])}`;
  if (body === "all roles") return "ALL ROLES";
  if ((r = /^role (.+)$/.exec(body))) return `ROLE ${cqlName(r[1])}`;
  if (body === "all functions") return "ALL FUNCTIONS";
  if ((r = /^all functions in (.+)$/.exec(body))) return `ALL FUNCTIONS IN KEYSPACE ${cqlName(r[1])}`;
  if (body === "all mbeans") return "ALL MBEANS";
  if ((r = /^mbean (.+)$/.exec(body))) return `MBEAN ${cqlString(r[1])}`;
  throw new CqlError(`a permission on ${shown} cannot be copied to the standby role`, { operation: "sync grants" });
}

/**
 * What `role` has been granted, as comparable items: `role:<name>` for each role granted to
 * it, `permission:<PERMISSION> <resource>` for each permission granted to it directly (LIST
 * ALL PERMISSIONS also shows the permissions of granted roles, with their own name in the
 * `role` column: those are left out).
 */
export async function roleGrants(ctx: Context, role: string): Promise<string[]> {
  return asAdmin(ctx, async (s) => {
    const roles = await s.execute(`LIST ROLES OF ${cqlName(role)} NORECURSIVE`);
    const perms = await s.execute(`LIST ALL PERMISSIONS OF ${cqlName(role)} NORECURSIVE`);
    const items = [
      ...(roles.rows ?? [])
        .map((r) => String(r.role))
        .filter((r) => r !== role)
        .map((r) => `role:${r}`),
      ...(perms.rows ?? [])
        .filter((p) => String(p.role) === role)
        .map((p) => `permission:${String(p.permission)} ${String(p.resource)}`),
    ];
    return [...new Set(items)].sort();
  });
}

/** The GRANT or REVOKE of one item of `roleGrants`. */
export function grantStatement(role: string, item: string, on: boolean): string {
  const to = on ? "TO" : "FROM";
  const verb = on ? "GRANT" : "REVOKE";
  if (item.startsWith("role:")) return `${verb} ${cqlName(item.slice(5))} ${to} ${cqlName(role)}`;
  const m = /^permission:([A-Z_]+) (.+)$/.exec(item);
  if (!m) throw new CqlError(`cannot copy the grant ${item}`, { operation: "sync grants" });
  return `${verb} ${m[1]} ON ${resourceClause(m[2])} ${to} ${cqlName(role)}`;
}

export async function setGrant(ctx: Context, role: string, item: string, on: boolean): Promise<void> {
  await asAdmin(ctx, (s) => s.execute(grantStatement(role, item, on)));
}
