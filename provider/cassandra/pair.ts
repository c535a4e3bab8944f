/**
 * Two Cassandra roles that take turns (`standbyRole`): the pair algorithm of shared/pair.ts
 * over CQL. The grants of a role are the roles granted to it and its direct permissions; the
 * connection identity sets a password with ALTER ROLE (no old password needed) and creates,
 * drops, grants and revokes. Logins are proved over CQL, waiting out the credentials cache.
 */
import { cqlLoginUntil } from "../cql/client";
import { ConfigError, CqlError } from "../shared/errors";
import { CASSANDRA_PASSWORD_POLICY, generatePassword } from "../shared/password";
import * as pair from "../shared/pair";
import {
  ADMIN_IDENTITY_HINT,
  Context,
  STALE,
  canLogin,
  createRole,
  dropRole,
  roleExists,
  roleGrants,
  setGrant,
  setPassword,
  targetOfRole,
} from "./core";
import type { CassandraRolePasswordInputs as Inputs, CassandraRolePasswordOutputs as Outputs } from "./schema";

export function cassandraPairAdapter(ctx: Context): pair.PairAdapter {
  return {
    kind: "role",
    standbyField: "standbyRole",
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
    proveWorks: (role, password) => cqlLoginUntil(ctx.target, role, password, true, ctx.settle),
    proveRefused: (role, password) => cqlLoginUntil(ctx.target, role, password, false, ctx.settle),
    exists: (role) => roleExists(ctx, role),
    setPassword: (role, olds, desired) => setPassword(ctx, role, olds, desired),
    isStale: (err) => err instanceof CqlError && err.serverCode === STALE,
    create: (role, password) => createRole(ctx, role, password),
    drop: (role) => dropRole(ctx, role),
    grants: (role) => roleGrants(ctx, role),
    setGrant: (role, item, on) => setGrant(ctx, role, item, on),
    retryable: (err) => err instanceof CqlError && (err.ambiguous || err.transient),
    error: (message, operation, role) => new CqlError(message, { operation, target: targetOfRole(ctx, role) }),
  };
}

export const stateOf = (props: Outputs, news: { role: string; standbyRole?: string } = props): pair.PairState => ({
  primary: news.role,
  standby: news.standbyRole!,
  active: props.activeRole ?? props.role,
  password: props.password,
  standbyPassword: props.standbyPassword,
});

export const newStandbyPassword = () => generatePassword(CASSANDRA_PASSWORD_POLICY);

export function createStandby(ctx: Context, inputs: Inputs): Promise<string> {
  return pair.createStandby(
    cassandraPairAdapter(ctx),
    { primary: inputs.role, standby: inputs.standbyRole! },
    inputs.createIfMissing,
    newStandbyPassword(),
  );
}
