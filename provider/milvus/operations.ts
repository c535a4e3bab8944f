/**
 * The MilvusUserPassword lifecycle (docs/ARCHITECTURE.md, sections 2 and 6). The provider
 * module (provider.ts) requires this module by package path when a method runs, in the
 * dynamic provider host.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, MilvusError } from "../shared/errors";
import { guarded } from "../shared/guard";
import { compact, failed, issuesToFailures, providerCheck } from "../shared/check";
import { envValue } from "../shared/env";
import { MILVUS_PASSWORD_POLICY, generatePassword } from "../shared/password";
import { Diff, passwordForUpdate, timestamp, withSchedule } from "../shared/schedule";
import { IdentityFields, identityDiff, identityReplaced } from "../shared/identity";
import { MilvusSession, canLogin, targetOf } from "./client";
import { ADMIN_IDENTITY_HINT, Context, adminIdentity, resolveContext, rotate, userExists, verify } from "./core";
import { ADDRESS, USER_NAME, parseAddress } from "./address";
import { adminSession, createStandby, readPair, removePair, repairPair, rotatePair } from "./pair";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "./schema";

type Outputs = MilvusUserPasswordOutputs;
type Inputs = MilvusUserPasswordInputs;

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
  return withSchedule(inputs, old, identityReplaced(FIELDS, inputs, old));
}

// ---------------------------------------------------------------- diff

const FIELDS: IdentityFields = {
  resource: "MilvusUserPassword",
  name: "user",
  standby: "standbyUser",
  active: "activeUser",
  storedOnly: ["deleteUserOnDestroy", "createIfMissing", "connection", "rotateAfterDays"],
};

export async function diff(id: string, olds: Outputs, news: Inputs): Promise<Diff> {
  return identityDiff(FIELDS, id, olds, news, () => resolveContext(news).address);
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
      else if (drifted) pair = { ...pair, standbyPassword: await repairPair(ctx, olds, news) };
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
    // (an imported user has no password in state until the next `up` sets one)
    const verified = props.password !== undefined && (await canLogin(ctx.target, props.user, props.password));
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

// ---------------------------------------------------------------- adopt (pulumi import)

/**
 * `pulumi import` by id, `user@host:port` (the id the resource has in state; `user@https://host:port`
 * for TLS): the user as it is, with its password unknown (`passwordVerified: false`). The
 * admin identity comes from the environment (MILVUS_USER/MILVUS_PASSWORD or MILVUS_TOKEN), as
 * an import has no inputs; without one the user cannot be looked up and is taken as it is.
 * The next `pulumi up` sets the program's password, changing it from `currentPassword`
 * (Milvus checks the old password, so adopting a user takes the password it has now).
 */
export async function adopt(id: string): Promise<{ id: string; props: Outputs; inputs: Inputs } | undefined> {
  return guard("import", [], async () => {
    const at = id.indexOf("@");
    const user = id.slice(0, at);
    if (at < 1 || !USER_NAME.test(user) || !ADDRESS.test(id.slice(at + 1))) {
      throw new ConfigError("the import id must be user@host:port (the id the resource has in state)", {
        operation: "import",
        property: "id",
      });
    }
    const inputs = { user, connection: { address: id.slice(at + 1) } } as Inputs;
    const ctx = resolveContext(inputs);
    if ((await userExists(ctx, user)) === false) return undefined;
    const props = { ...inputs, address: ctx.address, passwordVerified: false } as Outputs;
    return { id: `${user}@${ctx.target.hostPort}`, props, inputs };
  });
}
