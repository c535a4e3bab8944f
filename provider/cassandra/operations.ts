/**
 * The CassandraRolePassword lifecycle (docs/ARCHITECTURE.md, sections 2 and 6). The provider
 * module (provider.ts) requires this module by package path when a method runs; the plugin
 * loads it from its table.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ProofBound } from "../cql/client";
import { ConfigError, CqlError } from "../shared/errors";
import { compact, failed, issuesToFailures, providerCheck } from "../shared/check";
import { envValue } from "../shared/env";
import { guarded } from "../shared/guard";
import * as pair from "../shared/pair";
import { CASSANDRA_PASSWORD_POLICY, generatePassword } from "../shared/password";
import { Diff, passwordForUpdate, timestamp, withSchedule } from "../shared/schedule";
import { IdentityFields, identityDiff, identityReplaced } from "../shared/identity";
import {
  ADMIN_IDENTITY_HINT,
  Context,
  closeSession,
  adminIdentity,
  canLogin,
  createRole,
  dropRole,
  resolveContext,
  roleExists,
  setPassword,
  targetOfRole,
  verify,
} from "./core";
import { CQL_ADDRESS } from "../shared/fields";
import { ROLE_NAME, withPort } from "./names";
import { cassandraPairAdapter, createStandby, newStandbyPassword, stateOf } from "./pair";
import type { CassandraRolePasswordInputs as Inputs, CassandraRolePasswordOutputs as Outputs } from "./schema";

/** What a caller may inject (tests: a short wait for the database). The provider host uses the defaults. */
export interface Settings {
  settle?: ProofBound;
}

function secretsOf(...values: Array<Partial<Outputs> | undefined>): string[] {
  return values
    .flatMap((v) => [v?.password, v?.currentPassword, v?.connection?.password, v?.standbyPassword])
    .filter((s): s is string => !!s);
}

/**
 * Runs one operation: errors carry no secret of `sources`, and the contexts it resolves (with
 * `contextOf`) have their shared session closed when it ends, however it ends.
 */
function guard<T>(
  operation: string,
  sources: Array<Partial<Outputs> | undefined>,
  settings: Settings,
  fn: (contextOf: (inputs: Inputs) => Context) => Promise<T>,
): Promise<T> {
  const opened: Context[] = [];
  const contextOf = (inputs: Inputs) => {
    const ctx = resolveContext(inputs, process.env, settings.settle);
    opened.push(ctx);
    return ctx;
  };
  return guarded(
    operation,
    () => [...secretsOf(...sources), process.env.CASSANDRA_PASSWORD],
    (m, op) => new CqlError(m, { operation: op }),
    async () => {
      try {
        return await fn(contextOf);
      } finally {
        await Promise.all(opened.map(closeSession));
      }
    },
  );
}

function outputs(inputs: Inputs, ctx: Context, password: string, rotatedAt: string | undefined): Outputs {
  return compact({ ...inputs, password, address: ctx.address, passwordVerified: true, rotatedAt }) as Outputs;
}

// ---------------------------------------------------------------- check

export const check = providerCheck(checkInputs);

function checkInputs(news: unknown, olds?: Record<string, unknown>): pulumi.dynamic.CheckResult<Inputs> {
  // zod loads only here: refresh and destroy never check, so their processes skip it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { cassandraInputsSchema } = require("./schema") as typeof import("./schema");
  const parsed = cassandraInputsSchema.safeParse(news);
  if (!parsed.success) return { inputs: news as Inputs, failures: issuesToFailures(parsed.error.issues, news) };
  const inputs = parsed.data;
  if (!inputs.connection?.address) {
    const env = envValue("CASSANDRA_ADDRESS");
    if (!env)
      return failed(inputs, "connection.address", "is required: set it or the CASSANDRA_ADDRESS environment variable");
    if (!CQL_ADDRESS.test(env))
      return failed(inputs, "connection.address", "CASSANDRA_ADDRESS must be host or host:port");
  }
  if (inputs.standbyRole !== undefined && !adminIdentity(inputs.connection)) {
    return failed(
      inputs,
      "standbyRole",
      `needs a connection identity (the provider manages both roles and their grants): ${ADMIN_IDENTITY_HINT}`,
    );
  }
  const old = olds as Partial<Inputs> | undefined;
  return withSchedule(inputs, old, identityReplaced(FIELDS, inputs, old));
}

// ---------------------------------------------------------------- diff

const FIELDS: IdentityFields = {
  resource: "CassandraRolePassword",
  name: "role",
  standby: "standbyRole",
  active: "activeRole",
  storedOnly: ["deleteRoleOnDestroy", "createIfMissing", "connection", "rotateAfterDays"],
};

export async function diff(id: string, olds: Outputs, news: Inputs): Promise<Diff> {
  return identityDiff(FIELDS, id, olds, news, () => resolveContext(news).address);
}

// ---------------------------------------------------------------- create

export async function create(inputs: Inputs, settings: Settings = {}): Promise<pulumi.dynamic.CreateResult<Outputs>> {
  return guard("create", [inputs], settings, async (contextOf) => {
    const ctx = contextOf(inputs);
    const role = inputs.role;
    const desired = inputs.password ?? generatePassword(CASSANDRA_PASSWORD_POLICY);
    const target = targetOfRole(ctx, role);
    if (inputs.standbyRole !== undefined) cassandraPairAdapter(ctx).requireAdmin(role); // a clear error before any call
    const exists = await roleExists(ctx, role);
    if (exists === false) {
      if (!inputs.createIfMissing) {
        throw new ConfigError(`role ${role} does not exist: set createIfMissing: true to create it`, {
          operation: "create",
          target,
          property: "role",
        });
      }
      await createRole(ctx, role, desired);
    } else if (ctx.admin || inputs.currentPassword !== undefined) {
      // the connection identity sets it outright; the role itself changes it from currentPassword
      await setPassword(ctx, role, inputs.currentPassword !== undefined ? [inputs.currentPassword] : [], desired);
    } else if (!(await canLogin(ctx, role, desired))) {
      throw new ConfigError(
        `role ${role} exists: set currentPassword to its present password (or give a connection identity)`,
        { operation: "create", target, property: "currentPassword" },
      );
    }
    await verify(ctx, role, desired, inputs.currentPassword !== undefined ? [inputs.currentPassword] : []);
    const outs = outputs(inputs, ctx, desired, inputs.rotatedAt ?? timestamp(new Date()));
    if (inputs.standbyRole !== undefined) {
      Object.assign(outs, { activeRole: role, standbyPassword: await createStandby(ctx, inputs) });
    }
    return { id: `${role}@${ctx.address}`, outs };
  });
}

// ---------------------------------------------------------------- update

export async function update(
  _id: string,
  olds: Outputs,
  news: Inputs,
  settings: Settings = {},
): Promise<pulumi.dynamic.UpdateResult<Outputs>> {
  return guard("update", [olds, news], settings, async (contextOf) => {
    const ctx = contextOf(news);
    const role = news.role;
    const {
      password: desired,
      sets,
      rotatedAt,
    } = passwordForUpdate(olds, news, () => generatePassword(CASSANDRA_PASSWORD_POLICY), targetOfRole(ctx, role));
    const drifted = olds.passwordVerified === false;
    if (news.standbyRole !== undefined) {
      const db = cassandraPairAdapter(ctx);
      let state = {
        activeRole: olds.activeRole ?? role,
        password: olds.password,
        standbyPassword: olds.standbyPassword,
      };
      if (sets) {
        const r = await pair.rotatePair(db, stateOf(olds, news), desired, news.currentPassword);
        state = { activeRole: r.active, password: r.password, standbyPassword: r.standbyPassword };
      } else if (drifted) {
        state.standbyPassword = await pair.repairPair(
          db,
          stateOf(olds, news),
          newStandbyPassword,
          news.currentPassword,
        );
      }
      return { outs: { ...outputs(news, ctx, state.password, rotatedAt), ...state } as Outputs };
    }
    if (sets || drifted) {
      const candidates = [olds.password, news.currentPassword].filter((p): p is string => p !== undefined);
      await setPassword(ctx, role, candidates, desired);
      await verify(ctx, role, desired, candidates);
    }
    return { outs: outputs(news, ctx, desired, rotatedAt) };
  });
}

// ---------------------------------------------------------------- read

export async function read(
  id: string,
  props: Outputs,
  settings: Settings = {},
): Promise<pulumi.dynamic.ReadResult<Outputs>> {
  return guard("read", [props], settings, async (contextOf) => {
    const ctx = contextOf(props);
    if (props.standbyRole !== undefined) {
      const found = await pair.readPair(cassandraPairAdapter(ctx), stateOf(props));
      if (found === "gone") return { id: "", props: undefined };
      return { id, props: { ...props, address: ctx.address, passwordVerified: found === "ok" } };
    }
    // A password that logs in proves the role exists: one login. Only a refused one asks
    // whether the role is gone (removed from state) or its password changed (drift).
    const verified = props.password !== undefined && (await canLogin(ctx, props.role, props.password));
    if (!verified && (await roleExists(ctx, props.role)) === false) return { id: "", props: undefined };
    return { id, props: { ...props, address: ctx.address, passwordVerified: verified } };
  });
}

// ---------------------------------------------------------------- delete

export async function remove(_id: string, props: Outputs, settings: Settings = {}): Promise<void> {
  if (!props.deleteRoleOnDestroy) return; // documented: the role and its password stay as they are
  await guard("delete", [props], settings, async (contextOf) => {
    const ctx = contextOf(props);
    if (!ctx.admin) {
      throw new ConfigError("deleteRoleOnDestroy needs a connection identity with the right to drop roles", {
        operation: "delete",
        target: targetOfRole(ctx, props.role),
        property: "connection",
      });
    }
    if (props.standbyRole !== undefined) {
      return pair.removePair(cassandraPairAdapter(ctx), { primary: props.role, standby: props.standbyRole });
    }
    await dropRole(ctx, props.role);
  });
}

// ---------------------------------------------------------------- adopt (pulumi import)

/**
 * `pulumi import` by id, `role@host:port` (the id the resource has in state): the role as it
 * is, its password unknown (`passwordVerified: false`) until the next `pulumi up` sets it. The
 * connection identity comes from the environment (CASSANDRA_USERNAME, CASSANDRA_PASSWORD).
 */
export async function adopt(
  id: string,
  settings: Settings = {},
): Promise<{ id: string; props: Outputs; inputs: Inputs } | undefined> {
  return guard("import", [], settings, async (contextOf) => {
    const at = id.indexOf("@");
    const role = id.slice(0, at);
    if (at < 1 || !ROLE_NAME.test(role) || !CQL_ADDRESS.test(id.slice(at + 1))) {
      throw new ConfigError("the import id must be role@host:port (the id the resource has in state)", {
        operation: "import",
        property: "id",
      });
    }
    const inputs = { role, connection: { address: withPort(id.slice(at + 1)) } } as Inputs;
    const ctx = contextOf(inputs);
    if ((await roleExists(ctx, role)) === false) return undefined;
    const props = { ...inputs, address: ctx.address, passwordVerified: false } as Outputs;
    return { id: `${role}@${ctx.address}`, props, inputs };
  });
}

/** The lifecycle with `settings` injected, shaped like the provider. */
export function withSettings(settings: Settings) {
  return {
    check,
    diff,
    create: (inputs: Inputs) => create(inputs, settings),
    read: (id: string, props: Outputs) => read(id, props, settings),
    update: (id: string, olds: Outputs, news: Inputs) => update(id, olds, news, settings),
    remove: (id: string, props: Outputs) => remove(id, props, settings),
    adopt: (id: string) => adopt(id, settings),
  };
}
