/**
 * Cassandra as the identity lifecycle (provider/shared/lifecycle.ts) sees it: a role is an
 * identity; its password is set with ALTER ROLE and a quoted literal (by the connection
 * identity outright, or by the role itself from its old password) and proved by logins that
 * wait out the credentials cache on every node of the cluster (provider/cql/nodes.ts); its
 * grants are the roles granted to it and its direct permissions. The context of a call is its
 * address, target, nodes and connection identity, from the inputs, then CASSANDRA_* variables,
 * with one session shared by the statements of an operation. docs/ARCHITECTURE.md, sections 2
 * and 6; docs/clusters.md.
 */
import {
  AUTH_SETTLE,
  CQL_PORT,
  CqlIdentity,
  CqlSession,
  CqlTarget,
  INVALID,
  OpenCqlSession,
  UNAUTHORIZED,
  cqlBound,
  cqlLabel,
  cqlName,
  cqlString,
  cqlTarget,
  openCqlSession,
  withCqlSession,
} from "../cql/client";
import { CqlNodes, cqlNodes, logsInEverywhere } from "../cql/nodes";
import { ProofBound, loginUntil } from "../shared/login-proof";
import { ConfigError, CqlError, isTransient } from "../shared/errors";
import { envValue } from "../shared/env";
import { retry } from "../shared/retry";
import { HOST_PORT, withPort } from "../shared/address";
import type { IdentityConnection, IdentityDatabase } from "../shared/lifecycle";
import { CASSANDRA_PASSWORD_POLICY } from "../shared/password";
import { ROLE_NAME } from "./names";
import { cassandraSpec } from "./spec";
import type { CassandraRolePasswordInputs as Inputs } from "./schema";

/** Bounds of one password change: tries and elapsed time, for transient failures only. */
export const ROTATION_RETRY = { maxAttempts: 6, maxElapsedMs: 60000, baseDelayMs: 500, maxDelayMs: 5000 };

export interface Context {
  /** host:port */
  address: string;
  target: CqlTarget;
  /** Who the provider logs in as; undefined: the managed role itself, with its old password. */
  admin?: CqlIdentity;
  /** How long proofs wait for each node (injected by tests, or from `credentialsCacheMs`). */
  settle: ProofBound;
  /** The nodes proofs log in on (the contact point, listed and discovered ones), resolved once. */
  nodes: CqlNodes;
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
  const target = cqlTarget({ ...c, address: raw });
  const bound = cqlBound(settle, c.credentialsCacheMs);
  return {
    address: target.hostPort,
    target,
    admin: adminIdentity(c, env),
    settle: bound,
    nodes: cqlNodes(target, c, bound),
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

export const targetOfRole = (ctx: Context, role: string) => cqlLabel(ctx.target, role);

/**
 * Runs `fn` in the operation's session as the connection identity (which the caller made sure
 * exists). A failure discards that session, so that whatever runs next (a retry) connects anew.
 * The operations close it when they end; a caller outside them calls closeSession.
 */
export async function asAdmin<T>(ctx: Context, fn: (s: CqlSession) => Promise<T>): Promise<T> {
  if (!ctx.admin) {
    throw new ConfigError(`this needs a connection identity: ${ADMIN_IDENTITY_HINT}`, {
      operation: "configure",
      target: cqlLabel(ctx.target),
      property: "connection.username",
    });
  }
  const opened = (ctx.session ??= openCqlSession(ctx.target, ctx.admin, { reuse: true }));
  try {
    return await fn(await opened);
  } catch (err) {
    // The server's answer to a statement ("role doesn't exist", unauthorized) leaves the
    // connection as good as it was: keep it for the operation's next statement. Any other
    // failure (transport, timeout, a login) ends it.
    const answered = err instanceof CqlError && /^\d+$/.test(err.serverCode ?? "") && err.serverCode !== "256";
    if (ctx.session === opened && !answered) await closeSession(ctx);
    throw err;
  }
}

/** Ends the operation's session, if one was opened. */
export async function closeSession(ctx: Context): Promise<void> {
  const opened = ctx.session;
  ctx.session = undefined;
  if (opened) await (await opened.catch(() => undefined))?.close();
}

/**
 * Who may log in to read the cluster's nodes: `role` with each of `passwords` (the identity a
 * proof is about), then the connection identity.
 */
const discoverAs = (ctx: Context, role: string, passwords: string[]) => () => [
  ...[...new Set(passwords)].map((password) => ({ username: role, password })),
  ...(ctx.admin ? [ctx.admin] : []),
];

/**
 * Whether `role` logs in with `password` now, on every node: false when one refuses it; nodes
 * that cannot be asked are left out while one answers (the proofs report them).
 */
export async function canLogin(ctx: Context, role: string, password: string): Promise<boolean> {
  return logsInEverywhere(await ctx.nodes.logins(role, discoverAs(ctx, role, [password])), password);
}

/** Whether `role` logs in with `password` on the contact point, the node that ran the statement. */
function canLoginHere(ctx: Context, role: string, password: string): Promise<boolean> {
  return ctx.nodes.contactLogin(role).login(password);
}

/**
 * Whether `password` logs in as `role` on the contact point within the bound: what asks whether a
 * statement whose answer was lost was applied.
 */
const appliedHere = (ctx: Context, role: string, password: string) =>
  loginUntil(ctx.nodes.contactLogin(role).login, password, true, ctx.settle);

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
  const applied = () => appliedHere(ctx, role, desired);
  const attempt = async (identity: CqlIdentity) => {
    await retry(
      async () => {
        try {
          const change = (s: CqlSession) => s.execute(alterPassword(role, desired), [desired]);
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
  if (await canLoginHere(ctx, role, desired)) return;
  throw new CqlError(
    candidates.length
      ? "the role's password is neither the one in state nor currentPassword (changed outside Pulumi, or the role " +
          "does not exist): set currentPassword to the role's present password and run `pulumi up` again"
      : `no old password is known and there is no connection identity: set currentPassword, or ${ADMIN_IDENTITY_HINT}`,
    { operation: "ALTER ROLE", target, serverCode: STALE },
  );
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
    await asAdmin(ctx, (s) => s.execute(statement, [password]));
  } catch (err) {
    if (!(err instanceof CqlError && err.ambiguous && (await appliedHere(ctx, role, password)))) throw err;
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

/** What tests may inject: a short wait for the database. The provider host uses the defaults. */
export interface Settings {
  settle?: ProofBound;
}

/** A role for one operation; `close` ends the session its statements shared. */
export function cassandraConnection(ctx: Context): IdentityConnection {
  return {
    kind: "role",
    standbyField: "standbyRole",
    address: ctx.address,
    hasAdmin: !!ctx.admin,
    // the connection identity sets a password outright; the role itself needs its old one
    setsWithoutOld: !!ctx.admin,
    id: (role) => `${role}@${ctx.address}`,
    close: () => closeSession(ctx),
    target: (role) => targetOfRole(ctx, role),
    requireAdmin: (role) => {
      if (!ctx.admin) {
        throw new ConfigError(`standbyRole needs a connection identity: ${ADMIN_IDENTITY_HINT}`, {
          operation: "configure",
          target: targetOfRole(ctx, role),
          property: "standbyRole",
        });
      }
    },
    canLogin: (role, password) => canLogin(ctx, role, password),
    nodeLogins: (role, passwords) => ctx.nodes.logins(role, discoverAs(ctx, role, passwords)),
    notes: () => ctx.nodes.notes(),
    proofBound: ctx.settle,
    exists: (role) => roleExists(ctx, role),
    setPassword: (role, olds, desired) => setPassword(ctx, role, olds, desired),
    isStale: (err) => err instanceof CqlError && err.serverCode === STALE,
    create: (role, password) => createRole(ctx, role, password),
    drop: (role) => dropRole(ctx, role),
    // DROP ROLE IF EXISTS: a destroy needs no LIST ROLES first (each costs the node about as
    // much CPU as a login)
    dropIfExists: (role) => dropRole(ctx, role),
    grants: (role) => roleGrants(ctx, role),
    setGrant: (role, item, on) => setGrant(ctx, role, item, on),
    retryable: (err) => err instanceof CqlError && (err.ambiguous || err.transient),
    error: (message, operation, role) => new CqlError(message, { operation, target: targetOfRole(ctx, role) }),
  };
}

type Props = Record<string, unknown> & Inputs;

export const cassandraDatabase: IdentityDatabase<Settings> = {
  spec: cassandraSpec,
  nodeProofs: true,
  fields: { name: "role", standby: "standbyRole", active: "activeRole", deleteOnDestroy: "deleteRoleOnDestroy" },
  kind: "role",
  grantsNoun: "grants",
  adminNoun: "a connection identity",
  adminHint: ADMIN_IDENTITY_HINT,
  policy: CASSANDRA_PASSWORD_POLICY,
  // zod loads only here: refresh and destroy never check, so their processes skip it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  schema: () => (require("./schema") as typeof import("./schema")).cassandraInputsSchema,
  checkAddress: (inputs) => {
    if ((inputs as Props).connection?.address) return undefined;
    const env = envValue("CASSANDRA_ADDRESS");
    if (!env)
      return {
        property: "connection.address",
        reason: "is required: set it or the CASSANDRA_ADDRESS environment variable",
      };
    if (!HOST_PORT.test(env))
      return { property: "connection.address", reason: "CASSANDRA_ADDRESS must be host or host:port" };
    return undefined;
  },
  hasAdmin: (inputs) => !!adminIdentity((inputs as Props).connection),
  environmentSecrets: () => [process.env.CASSANDRA_PASSWORD],
  error: (message, operation) => new CqlError(message, { operation }),
  address: (inputs) => resolveContext(inputs as Props).address,
  connect: (inputs, settings) => cassandraConnection(resolveContext(inputs as Props, process.env, settings.settle)),
  importInputs: (id) => {
    const at = id.indexOf("@");
    const role = id.slice(0, at);
    if (at < 1 || !ROLE_NAME.test(role) || !HOST_PORT.test(id.slice(at + 1))) return undefined;
    return { role, connection: { address: withPort(id.slice(at + 1), CQL_PORT) } };
  },
};
