/**
 * CQL for the local stack, through the provider's own CQL wire (provider/cql/client.ts and
 * login.ts): a login check, and statements as a superuser (setting up roles, changing a password
 * the way a console would).
 */
import {
  CqlEndpoint,
  CqlTarget,
  cqlName,
  cqlString,
  cqlTarget as targetOf,
  withCqlSession,
} from "../provider/cql/client";
import { cqlNodeLogin, cqlNodeOf } from "../provider/cql/login";
import { waitFor } from "./support";

export type { CqlEndpoint } from "../provider/cql/client";

export function cqlTarget(e: CqlEndpoint, timeoutMs?: number): CqlTarget {
  return targetOf({ ...e, timeoutMs });
}

/** Whether `user` logs in with `password` now (any failure to connect: false). */
export async function cqlCanLogin(e: CqlEndpoint, user: string, password: string): Promise<boolean> {
  try {
    return await cqlNodeLogin(cqlNodeOf(cqlTarget(e)), user, password, 3000);
  } catch {
    return false;
  }
}

/**
 * Whether `user` logs in with `password` within `ms` (tried every 250 ms): a change made a
 * moment ago shows once the node's credentials cache lets it (about a second on 5.0.9).
 */
export async function cqlLogsInWithin(e: CqlEndpoint, user: string, password: string, ms = 5000): Promise<boolean> {
  return waitFor(`${user}'s password to log in`, () => cqlCanLogin(e, user, password), ms, 250).then(
    () => true,
    () => false,
  );
}

/**
 * Runs statements as `admin` on a session of their own, or with `reuse` on the process's idle
 * session of that node and identity, kept idle again after (openCqlSession's `reuse`).
 */
export async function cqlAs(
  e: CqlEndpoint,
  admin: { username: string; password: string },
  statements: string[],
  secrets: string[] = [],
  options: { reuse?: boolean } = {},
): Promise<void> {
  await withCqlSession(
    cqlTarget(e),
    admin,
    async (s) => {
      for (const st of statements) await s.execute(st, secrets);
    },
    options,
  );
}

/**
 * Sets `role`'s password as `admin` does from a console: ALTER ROLE with a quoted literal.
 * With `settle`, waits until the node's credentials cache lets the new password in (measured
 * on 5.0.9: the old password keeps logging in for about a second after the change).
 */
export async function alterRolePassword(
  e: CqlEndpoint,
  admin: { username: string; password: string },
  role: string,
  password: string,
  options: { settle?: boolean; reuse?: boolean } = {},
): Promise<void> {
  await cqlAs(e, admin, [`ALTER ROLE ${cqlName(role)} WITH PASSWORD = ${cqlString(password)}`], [password], {
    reuse: options.reuse,
  });
  if (options.settle)
    await waitFor(`${role}'s new password to log in`, () => cqlCanLogin(e, role, password), 10000, 200);
}

/**
 * What `role` holds, as the provider reads it (`roleGrants` of provider/cassandra/adapter: the
 * roles granted to it and its direct permissions), asked as `admin`; the session is closed.
 */
export async function roleGrantsOf(
  e: CqlEndpoint,
  admin: { username: string; password: string },
  role: string,
): Promise<string[]> {
  const { roleGrants, resolveContext, closeSession } = await import("../provider/cassandra/adapter");
  const ctx = resolveContext({ role, connection: { address: e.address, ...admin } });
  try {
    return await roleGrants(ctx, role);
  } finally {
    await closeSession(ctx);
  }
}
