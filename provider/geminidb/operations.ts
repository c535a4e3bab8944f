/**
 * The GeminiDbAdminPassword lifecycle (docs/ARCHITECTURE.md, section 2). The provider module
 * (provider.ts) requires this module by package path when a method runs.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, type DbPasswordError, GeminiDbError } from "../shared/errors";
import { compact, failed, issuesToFailures, providerCheck } from "../shared/check";
import { envValue } from "../shared/env";
import { guarded } from "../shared/guard";
import { GEMINIDB_PASSWORD_POLICY } from "../shared/password";
import { freshSeed, passwordLabel, passwordSource, seedFromSecrets } from "../shared/seed";
import { Diff, passwordForUpdate, timestamp, withSchedule } from "../shared/schedule";
import { resourceDiff } from "../shared/diff";
import type { Lifecycle } from "../shared/lifecycle";
import { replacedFields, secretValues } from "../shared/spec";
import { environmentSecrets, hasEnvironmentCredentials, makeAuthenticator } from "./auth";
import { GeminiDbClient, GeminiRetry, InstanceInfo } from "./client";
import {
  type NodeProof,
  type NodeResult,
  type ProofBound,
  describeNodes,
  logsIn,
  logsInOnNodes,
  proveChangeOnNodes,
  verdictOf,
} from "../shared/proof";
import { type EngineProof, RWUSER, engineProof, ipCovered, proveReset, type ProofOutcome } from "./proof";
import { GEMINIDB_ENGINES, type GeminiDbEngine } from "../shared/password";
import { INSTANCE_ID, KNOWN_REGIONS, PROJECT_ID, REGION, defaultEndpoint, defaultIamEndpoint } from "./regions";
import type { GeminiDbAdminPasswordInputs as Inputs, GeminiDbAdminPasswordOutputs } from "./schema";
import { PROOF_BLOCKS, geminiDbSpec, proofBlockOf } from "./spec";

/** What state holds: the outputs, and what the next generated password derives from (shared/seed.ts). */
type Outputs = GeminiDbAdminPasswordOutputs & { passwordSeed?: string };

export const DEFAULT_TIMEOUT_MS = 30000;

/** What a caller may inject (tests: short retry bounds). The provider host uses the defaults. */
export interface Settings {
  retry?: GeminiRetry;
  /** The bound of a login proof (every block's). */
  proof?: ProofBound;
}

/** Runs one operation with no secret in its errors: those of `sources`, the environment's and `generated`. */
function guard<T>(operation: string, sources: unknown[], fn: () => Promise<T>, generated: () => string[] = () => []) {
  return guarded(
    operation,
    () => [...secretValues(geminiDbSpec, ...sources), ...environmentSecrets(), ...generated()],
    (m, op) => new GeminiDbError(m, { operation: op }),
    fn,
  );
}

/**
 * Where a generated rwuser password comes from (shared/seed.ts): derived, so that a run after a
 * crash resets the instance to the password a dead run set, rather than to yet another one. A
 * create derives it from the credentials it has; an update from state's seed.
 */
const rwuserSource = (seed: string | undefined, instanceId: string) =>
  passwordSource(GEMINIDB_PASSWORD_POLICY, seed, (name) => passwordLabel(geminiDbSpec.name, instanceId, name));

interface Context {
  region: string;
  endpoint: string;
  client: GeminiDbClient;
  projectId: () => Promise<string>;
}

function context(inputs: Inputs, settings: Settings, extraSecrets: string[] = []): Context {
  const region = inputs.region ?? envValue("HW_REGION_NAME");
  if (!region)
    throw new ConfigError("no region: set region or HW_REGION_NAME", { operation: "configure", property: "region" });
  const endpoint = (inputs.endpoint ?? defaultEndpoint(region)).replace(/\/$/, "");
  const iamEndpoint = (
    inputs.iamEndpoint ??
    envValue("HW_AUTH_URL")?.replace(/\/v3\/?$/, "") ??
    defaultIamEndpoint(region)
  ).replace(/\/$/, "");
  const timeoutMs = inputs.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const auth = makeAuthenticator(inputs.auth, region, { iamEndpoint, timeoutMs });
  const client = new GeminiDbClient({ endpoint, auth, timeoutMs, retry: settings.retry, secrets: extraSecrets });
  let project: Promise<string> | undefined;
  return {
    region,
    endpoint,
    client,
    projectId: () => (project ??= inputs.projectId ? Promise.resolve(inputs.projectId) : auth.projectIdOf(region)),
  };
}

/**
 * Refuses, before any change, an instance the API would refuse or that is not ours to change:
 * one that is missing, of an engine the reset does not serve, of another engine than the
 * program expects (`engine`) or than its proof block proves, not normal, or busy. Returns the
 * instance's engine (undefined when the API's answer does not say).
 */
function assertReady(
  inst: InstanceInfo | undefined,
  instanceId: string,
  endpoint: string,
  inputs: Inputs,
): GeminiDbEngine | undefined {
  const target = `geminidb ${new URL(endpoint).host} instance ${instanceId}`;
  if (!inst)
    throw new GeminiDbError("the instance does not exist in this project and region", {
      operation: "check instance",
      target,
      serverCode: "DBS.200002",
    });
  const type = inst.datastoreType?.toLowerCase();
  const engine = GEMINIDB_ENGINES.find((e) => e === type);
  if (type !== undefined && !engine) {
    throw new GeminiDbError(
      `the instance is a GeminiDB ${inst.datastoreType} instance; the password reset serves Cassandra, Mongo, ` +
        "Influx and Redis instances only",
      { operation: "check instance", target },
    );
  }
  if (engine && inputs.engine && engine !== inputs.engine) {
    throw new GeminiDbError(`the instance is a GeminiDB ${engine} instance, and engine is ${inputs.engine}`, {
      operation: "check instance",
      target,
    });
  }
  const block = proofBlockOf(inputs);
  if (engine && block && PROOF_BLOCKS[block] !== engine) {
    throw new GeminiDbError(
      `${block} proves a reset on ${PROOF_BLOCKS[block]} instances, and the instance is a GeminiDB ${engine} instance`,
      { operation: "check instance", target },
    );
  }
  if (inst.status !== "normal") {
    throw new GeminiDbError(
      `the instance status is ${inst.status}; the password can only be reset while it is normal`,
      { operation: "check instance", target },
    );
  }
  if (inst.actions.length > 0) {
    throw new GeminiDbError(
      `the instance is busy (${inst.actions.join(", ")}); try again when the action has finished`,
      { operation: "check instance", target, serverCode: "DBS.200019", transient: true },
    );
  }
  return engine;
}

async function setPassword(
  ctx: Context,
  inputs: Inputs,
  password: string,
): Promise<{ projectId: string; engine?: GeminiDbEngine }> {
  const projectId = await ctx.projectId();
  const engine = assertReady(
    await ctx.client.getInstance(projectId, inputs.instanceId),
    inputs.instanceId,
    ctx.endpoint,
    inputs,
  );
  await ctx.client.resetPassword(projectId, inputs.instanceId, password);
  return { projectId, engine };
}

/** What state records when a reset was made and its proof failed (`partial`). */
type Recorded = (
  passwordVerified: boolean,
  nodeProofs?: NodeProof[],
) => { id: string; properties: Record<string, unknown> };

/** What a proof found, as the outputs record it, and what the user should read in the log. */
interface Proved {
  notes: string[];
  verified: boolean;
  /** With `cql`: per node. */
  nodeProofs?: NodeProof[];
}

/**
 * With a proof block (`cql`, `redis`, `influx`), after the API's 2xx: the database must show the
 * reset (proof.ts). When it does not, the operation fails with an error that names the block.
 * When the database kept the old password (the API answered without acting), state stays as it
 * was; otherwise the API's word stands and state records the new password with
 * `passwordVerified` telling whether it logs in (`partial`), so that state matches what the
 * database most likely holds and the next `pulumi up` proves or repairs it. Whatever else fails
 * after the reset (the password-free check, an unexpected error) fails the same way: the reset
 * is recorded, unproved. Returns what the outputs record and what the user should read in the
 * log (a proof that cannot be made from this address, nodes that could not be asked).
 */
async function proveOnDatabase(
  ctx: Context,
  projectId: string,
  inputs: Inputs,
  settings: Settings,
  password: string,
  olds: Array<string | undefined>,
  partial: Recorded,
): Promise<Proved> {
  const proof = engineProof(inputs, settings.proof);
  if (!proof) return { notes: [], verified: true };
  const { block, where } = proof;
  const after = "after the API reset the password";
  const known = olds.filter((o): o is string => o !== undefined);
  if (proof.nodes) return proveOnNodes(proof, inputs, password, known, partial);
  let outcome: ProofOutcome;
  let free: string | undefined;
  try {
    outcome = await proveReset(proof, password, known);
    if (block === "redis" && (outcome.kind === "old-still-works" || passwordFree(outcome))) {
      // any password logs in: from an address with password-free access nothing can be proved
      free = await passwordFreeHere(ctx, projectId, inputs.instanceId, proof.hostPort);
    }
  } catch (err) {
    const e = err as Partial<DbPasswordError>;
    throw proof.error(`${after}, the proof (${block}) failed: ${e?.message ?? String(err)}`, {
      operation: "verify",
      target: where,
      serverCode: e?.serverCode,
      requestId: e?.requestId,
      partial: partial(false),
    });
  }
  if (free) {
    return {
      verified: true,
      notes: [
        `GeminiDbAdminPassword ${inputs.instanceId}: the reset cannot be proved from this address: ${free} has ` +
          "password-free access to the instance (passwordless-config), so every password logs in; the API's " +
          "answer is the evidence",
      ],
    };
  }
  switch (outcome.kind) {
    case "proved":
      return { notes: [], verified: true };
    case "not-applied":
      throw notApplied(proof);
    case "old-still-works":
      throw proof.error(
        `${after}, the old password still logs in too (${block}: is address this instance's database?)`,
        { operation: "verify", target: where, partial: partial(true) },
      );
    case "refused":
      throw proof.error(`${after}, rwuser logs in with neither the new nor the old password (${block})`, {
        operation: "verify",
        target: where,
        partial: partial(false),
      });
    case "unreachable":
      throw unreachable(proof, outcome.error, partial(false));
  }
}

/** The reset did not show: the database kept the old password (state keeps it too). */
const notApplied = (proof: EngineProof) =>
  proof.error(
    "after the API reset the password, the login proof (" +
      proof.block +
      ") finds rwuser still logging in with the old password and not with the new one: the database did not " +
      "change (state keeps the old password); check the instance, then run `pulumi up` again",
    { operation: "verify", target: proof.where },
  );

const unreachable = (proof: EngineProof, error: DbPasswordError, partial: ReturnType<Recorded>) =>
  proof.error(
    `after the API reset the password, the login proof could not reach the database (${proof.block}): ${error.message}`,
    { operation: "verify", target: proof.where, serverCode: error.serverCode, partial },
  );

/**
 * The proof of a `cql` block, on every node (docs/clusters.md): each node shows the reset, or
 * the operation fails naming the nodes that answered otherwise, the reset recorded unproved;
 * every answering node still on the old password and none on the new one: the database did not
 * change (state keeps the old password); nodes that could not be asked: a warning, the reset
 * recorded with passwordVerified false; not one node reached: as a proof that cannot reach the
 * database.
 */
async function proveOnNodes(
  proof: EngineProof,
  inputs: Inputs,
  password: string,
  olds: string[],
  partial: Recorded,
): Promise<Proved> {
  let results: NodeResult[];
  try {
    const nodes = await proof.nodes!([password, ...olds]);
    results = await proveChangeOnNodes(nodes, password, olds, proof.bound);
  } catch (err) {
    const e = err as Partial<DbPasswordError>;
    throw proof.error(
      `after the API reset the password, the proof (${proof.block}) failed: ${e?.message ?? String(err)}`,
      {
        operation: "verify",
        target: proof.where,
        serverCode: e?.serverCode,
        partial: partial(false),
      },
    );
  }
  const verdict = verdictOf(results);
  const notes = proof.notes?.() ?? [];
  if (verdict.verified) return { notes, verified: true, nodeProofs: verdict.nodeProofs };
  const answered = results.filter((r) => r.answer.kind !== "unreachable");
  if (
    answered.length > 0 &&
    answered.every((r) => r.answer.kind === "disagrees" && r.answer.outcome?.kind === "not-applied")
  ) {
    throw notApplied(proof);
  }
  const failure = verdict.failure;
  if (failure && verdict.against.every((r) => r.answer.kind === "failed")) {
    // no node answered otherwise; asking failed for good (TLS): what it says, with its code
    throw proof.error(
      "after the API reset the password, the login proof could not reach the database " +
        `(${proof.block}): ${results.length === 1 ? failure.message : describeNodes(verdict.against)}`,
      {
        operation: "verify",
        target: proof.where,
        serverCode: failure.serverCode,
        partial: partial(false, verdict.nodeProofs),
      },
    );
  }
  if (verdict.against.length > 0) {
    throw proof.error(
      `after the API reset the password, the login proof (${proof.block}) finds that not every node shows it: ` +
        describeNodes(verdict.against),
      { operation: "verify", target: proof.where, partial: partial(false, verdict.nodeProofs) },
    );
  }
  if (verdict.noneAnswered) {
    const error = results.length === 1 ? verdict.noneAnswered : undefined;
    throw proof.error(
      "after the API reset the password, the login proof could not reach the database " +
        `(${proof.block}): ${error ? error.message : describeNodes(results)}`,
      {
        operation: "verify",
        target: proof.where,
        serverCode: verdict.noneAnswered.serverCode,
        partial: partial(false, verdict.nodeProofs),
      },
    );
  }
  return {
    verified: false,
    nodeProofs: verdict.nodeProofs,
    notes: [
      ...notes,
      `GeminiDbAdminPassword ${inputs.instanceId}: the reset is made, and not proved on every node (${proof.block}): ` +
        `${describeNodes(verdict.unreachable)}; passwordVerified is false until a \`pulumi up\` proves it there`,
    ],
  };
}

const passwordFree = (outcome: ProofOutcome) =>
  outcome.kind === "unreachable" && outcome.error.serverCode === "PASSWORD_FREE";

/**
 * The address of this machine when GeminiDB's password-free configuration covers it (then no
 * Redis password can be proved refused from here), else undefined.
 */
async function passwordFreeHere(
  ctx: Context,
  projectId: string,
  instanceId: string,
  hostPort: string,
): Promise<string | undefined> {
  const ips = await ctx.client.getPasswordlessConfig(projectId, instanceId);
  // only a Redis proof gets here, so its client is loaded already
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { localAddressTowards } = require("../redis/client") as typeof import("../redis/client");
  const local = await localAddressTowards(hostPort);
  return local && ipCovered(local, ips) ? local : undefined;
}

function outputs(
  inputs: Inputs,
  ctx: Context,
  projectId: string,
  password: string,
  rotatedAt: string | undefined,
  engine: string | undefined,
  passwordSeed: string,
  proved: Pick<Proved, "verified" | "nodeProofs"> = { verified: true },
): Outputs {
  return compact({
    ...inputs,
    region: ctx.region,
    projectId,
    password,
    endpointUsed: ctx.endpoint,
    rotatedAt,
    engine,
    // only with a proof block: without one nothing can be verified, and state gets no new field
    passwordVerified: proofBlockOf(inputs) ? proved.verified : undefined,
    // per node: with cql only
    nodeProofs: inputs.cql ? proved.nodeProofs : undefined,
    passwordSeed,
  }) as Outputs;
}

/** Whether the proof block differs between state and the new inputs (added, removed, changed). */
function proofChanged(olds: Partial<Inputs>, news: Partial<Inputs>): boolean {
  const block = proofBlockOf(news);
  if (!block) return false;
  return proofBlockOf(olds) !== block || JSON.stringify(olds[block]) !== JSON.stringify(news[block]);
}

/**
 * One login with the stored password through the inputs' proof block (refresh, a block added):
 * whether it logs in (with `cql`: on every node, one that refuses it is drift; nodes that cannot
 * be asked leave it unverified; not one node: the error). From an address with password-free
 * access (Redis) every password logs in and nothing can be told: the stored password stands,
 * with a note.
 */
async function loginProof(inputs: Inputs, password: string): Promise<Proved> {
  const proof = engineProof(inputs)!;
  if (proof.nodes) {
    const results = await logsInOnNodes(await proof.nodes([password]), password, "refuses the password in state");
    const verdict = verdictOf(results);
    if (verdict.failure) throw verdict.failure;
    if (verdict.noneAnswered) {
      if (results.length === 1) throw verdict.noneAnswered;
      throw proof.error(`no node could be asked: ${describeNodes(results)}`, {
        operation: "read",
        target: proof.where,
        serverCode: verdict.noneAnswered.serverCode,
      });
    }
    return { verified: verdict.verified, nodeProofs: verdict.nodeProofs, notes: proof.notes?.() ?? [] };
  }
  try {
    return { verified: await logsIn(proof.login, password), notes: [] };
  } catch (err) {
    if ((err as DbPasswordError).serverCode !== "PASSWORD_FREE") throw err;
    return {
      verified: true,
      notes: [
        `GeminiDbAdminPassword ${inputs.instanceId}: the password cannot be checked from this address: the ` +
          "instance lets it in without one (password-free access), so every password logs in",
      ],
    };
  }
}

// ---------------------------------------------------------------- check

export const check = providerCheck(checkInputs);

function checkInputs(news: unknown, olds?: Record<string, unknown>): pulumi.dynamic.CheckResult<Inputs> {
  // zod loads only here: refresh and destroy never check, so their processes skip it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { geminiDbInputsSchema } = require("./schema") as typeof import("./schema");
  const parsed = geminiDbInputsSchema.safeParse(news);
  if (!parsed.success) return { inputs: news as Inputs, failures: issuesToFailures(parsed.error.issues, news) };
  const inputs = { ...parsed.data };
  // Non-secret defaults from the environment are made explicit, so that diff sees them.
  inputs.region ??= envValue("HW_REGION_NAME");
  inputs.projectId ??= envValue("HW_PROJECT_ID");
  if (!inputs.region) return failed(inputs, "region", "is required: set it or HW_REGION_NAME");
  if (!REGION.test(inputs.region))
    return failed(inputs, "region", "HW_REGION_NAME must be a region name such as eu-west-101");
  if (!inputs.endpoint && !(KNOWN_REGIONS as readonly string[]).includes(inputs.region)) {
    return failed(
      inputs,
      "region",
      "is not a known Huawei Cloud region: check the name, or give endpoint (and iamEndpoint) explicitly",
    );
  }
  if (inputs.projectId !== undefined && !PROJECT_ID.test(inputs.projectId)) {
    return failed(inputs, "projectId", "HW_PROJECT_ID must be 32 lowercase hex characters");
  }
  if (!inputs.auth && !hasEnvironmentCredentials()) {
    return failed(
      inputs,
      "auth",
      "is required: set auth, or HW_AUTH_TOKEN, or HW_ACCESS_KEY and HW_SECRET_KEY, " +
        "or HW_USER_NAME, HW_PASSWORD and HW_DOMAIN_NAME",
    );
  }
  const old = olds as Partial<Inputs> | undefined;
  return withSchedule(
    inputs,
    old,
    !!old && replacedFields(geminiDbSpec, old, inputs, resolvers(old, inputs)).length > 0,
  );
}

// ---------------------------------------------------------------- diff

/**
 * How region and projectId compare: omitted, they keep the value state has (check fills the
 * region from HW_REGION_NAME; a projectId left out is the token's own, looked up once).
 */
const resolvers = (olds: Partial<Inputs>, news: Partial<Inputs>) => ({
  region: { news: () => news.region ?? olds.region },
  projectId: { news: () => news.projectId ?? olds.projectId },
});

export async function diff(id: string, olds: Outputs, news: Inputs): Promise<Diff> {
  const result = resourceDiff(geminiDbSpec, id, olds, news, resolvers(olds, news));
  // `engine` in state is the instance's (an output); the input only says what the program expects
  if (news.engine === undefined || news.engine === olds.engine)
    result.diffs = result.diffs.filter((d) => d !== "engine");
  // drift found by a refresh (a proof block): the next update resets the stored password and proves it
  if (olds.passwordVerified === false && proofBlockOf(news)) result.diffs.push("passwordVerified");
  return { ...result, changes: result.replaces.length + result.diffs.length > 0 };
}

// ---------------------------------------------------------------- create / update

export async function create(
  inputs: Inputs,
  settings: Settings = {},
): Promise<pulumi.dynamic.CreateResult<Outputs> & { notes?: string[] }> {
  const generated = rwuserSource(
    seedFromSecrets([...secretValues(geminiDbSpec, inputs), ...environmentSecrets()]),
    inputs.instanceId,
  );
  return guard(
    "create",
    [inputs],
    async () => {
      const password = inputs.password ?? generated.forName(RWUSER);
      const ctx = context(inputs, settings, [password]);
      const { projectId, engine } = await setPassword(ctx, inputs, password);
      const rotatedAt = inputs.rotatedAt ?? timestamp(new Date());
      const id = `${projectId}/${inputs.instanceId}`;
      const seed = freshSeed();
      const record = (verified: boolean, nodeProofs?: NodeProof[]) => ({
        id,
        properties: { ...outputs(inputs, ctx, projectId, password, rotatedAt, engine, seed, { verified, nodeProofs }) },
      });
      const proved = await proveOnDatabase(ctx, projectId, inputs, settings, password, [], record);
      return {
        id,
        outs: outputs(inputs, ctx, projectId, password, rotatedAt, engine, seed, proved),
        ...(proved.notes.length ? { notes: proved.notes } : {}),
      };
    },
    () => generated.drawn,
  );
}

export async function update(
  _id: string,
  olds: Outputs,
  news: Inputs,
  settings: Settings = {},
): Promise<pulumi.dynamic.UpdateResult<Outputs> & { notes?: string[] }> {
  const generated = rwuserSource(
    olds.passwordSeed ?? seedFromSecrets(secretValues(geminiDbSpec, olds)),
    news.instanceId,
  );
  return guard(
    "update",
    [olds, news],
    async () => {
      const { password, sets, rotatedAt } = passwordForUpdate(olds, news, () => generated.forName(RWUSER));
      const ctx = context({ ...news, projectId: news.projectId ?? olds.projectId }, settings, [
        password,
        olds.password,
      ]);
      let projectId = olds.projectId;
      let engine = olds.engine;
      // drift (found by a proof block's refresh): the stored password is reset again, as a new one would be
      const drifted = olds.passwordVerified === false && proofBlockOf(news) !== undefined;
      // a reset uses the seed up: the next generated password derives from fresh bytes
      const seed = sets || drifted ? freshSeed() : (olds.passwordSeed ?? freshSeed());
      // without a reset or a new proof block, the last proof stands
      let proved: Proved = { notes: [], verified: olds.passwordVerified ?? true, nodeProofs: olds.nodeProofs };
      if (sets || drifted) {
        ({ projectId, engine } = await setPassword(ctx, { ...news, projectId }, password));
        const record = (verified: boolean, nodeProofs?: NodeProof[]) => ({
          id: `${projectId}/${news.instanceId}`,
          properties: { ...outputs(news, ctx, projectId, password, rotatedAt, engine, seed, { verified, nodeProofs }) },
        });
        proved = await proveOnDatabase(ctx, projectId, news, settings, password, sets ? [olds.password] : [], record);
      } else if (proofChanged(olds, news)) {
        // a proof block added or pointed elsewhere: what it says of the stored password is not known yet
        proved = await loginProof(news, password);
      }
      return {
        outs: outputs(news, ctx, projectId, password, rotatedAt, engine, seed, proved),
        ...(proved.notes.length ? { notes: proved.notes } : {}),
      };
    },
    () => generated.drawn,
  );
}

// ---------------------------------------------------------------- read / delete

export async function read(
  id: string,
  props: Outputs,
  settings: Settings = {},
): Promise<pulumi.dynamic.ReadResult<Outputs>> {
  return guard("read", [props], async () => {
    const ctx = context(props, settings);
    // The API cannot tell which password is set: refresh checks that the instance exists, and
    // with a proof block that the password in state still logs in (one login; with cql, on each node).
    const inst = await ctx.client.getInstance(props.projectId, props.instanceId);
    if (!inst) return { id: "", props: undefined };
    if (!proofBlockOf(props)) return { id, props };
    if (props.password === undefined) return { id, props: { ...props, passwordVerified: false } };
    const { verified, nodeProofs } = await loginProof(props, props.password);
    return {
      id,
      props: compact({
        ...props,
        passwordVerified: verified,
        nodeProofs: props.cql ? nodeProofs : undefined,
      }) as Outputs,
    };
  });
}

/** Destroy leaves the instance's password as it is: nothing to call. */
export async function remove(_id: string, _props: Outputs): Promise<void> {}

/**
 * `pulumi import` by id, `projectId/instanceId` (the id the resource has in state), in the
 * region of HW_REGION_NAME, with the credentials of the environment (an import has no inputs)
 * and `HW_GEMINIDB_ENDPOINT` for an endpoint other than the region's public one. The instance
 * must exist; its password is unknown until the next `pulumi up` resets it (the API needs no
 * old password).
 */
export async function adopt(
  id: string,
  settings: Settings = {},
): Promise<{ id: string; props: Outputs; inputs: Inputs } | undefined> {
  return guard("import", [], async () => {
    const [projectId, instanceId, extra] = id.split("/");
    if (extra !== undefined || !PROJECT_ID.test(projectId ?? "") || !INSTANCE_ID.test(instanceId ?? "")) {
      throw new ConfigError("the import id must be projectId/instanceId (the id the resource has in state)", {
        operation: "import",
        property: "id",
      });
    }
    const region = envValue("HW_REGION_NAME");
    if (!region || !REGION.test(region)) {
      throw new ConfigError("an import needs the region: set HW_REGION_NAME", {
        operation: "import",
        property: "region",
      });
    }
    const endpoint = envValue("HW_GEMINIDB_ENDPOINT");
    const inputs = compact({ region, projectId, instanceId, endpoint }) as Inputs;
    const ctx = context(inputs, settings);
    if (!(await ctx.client.getInstance(projectId, instanceId))) return undefined;
    const props = compact({ ...inputs, endpointUsed: ctx.endpoint }) as unknown as Outputs;
    return { id, props, inputs };
  });
}

/** The lifecycle with `settings` injected, shaped like every resource's (shared/lifecycle.ts). */
export function withSettings(settings: Settings): Lifecycle<Inputs, Outputs> {
  return {
    check,
    diff,
    create: (inputs) => create(inputs, settings),
    read: (id, props) => read(id, props, settings),
    update: (id, olds, news) => update(id, olds, news, settings),
    remove,
    adopt: (id) => adopt(id, settings),
  };
}
