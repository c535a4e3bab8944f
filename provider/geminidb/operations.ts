/**
 * The GeminiDbAdminPassword lifecycle (docs/ARCHITECTURE.md, section 2): an API reset
 * (reset.ts), proved on the database through the inputs' proof block (reset-proof.ts), with the
 * schedule, seed, diff and redaction every resource uses. The provider module (provider.ts)
 * requires this module by package path when a method runs, in the dynamic provider host; the
 * plugin loads it from its table.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, GeminiDbError } from "../shared/errors";
import { compact, failed, issuesToFailures, providerCheck } from "../shared/check";
import { envValue } from "../shared/env";
import { guarded } from "../shared/guard";
import { GEMINIDB_PASSWORD_POLICY } from "../shared/password";
import { freshSeed, passwordLabel, passwordSource, seedFromSecrets } from "../shared/seed";
import { Diff, passwordForUpdate, timestamp, withSchedule } from "../shared/schedule";
import { resourceDiff } from "../shared/diff";
import type { Lifecycle } from "../shared/lifecycle";
import type { NodeProof, ProofBound } from "../shared/login-proof";
import { replacedFields, secretValues } from "../shared/spec";
import { geminiDbSpec, proofBlockOf } from "./spec";
import { environmentSecrets, hasEnvironmentCredentials } from "./auth";
import type { GeminiRetry } from "./client";
import { RWUSER } from "./proof-blocks";
import { type ApiContext, apiContext, resetPassword } from "./reset";
import { type Proved, loginProof, proveOnDatabase } from "./reset-proof";
import { INSTANCE_ID, KNOWN_REGIONS, PROJECT_ID, REGION } from "./regions";
import type { GeminiDbAdminPasswordInputs as Inputs, GeminiDbAdminPasswordOutputs } from "./schema";

export { DEFAULT_TIMEOUT_MS } from "./reset";

/** What state holds: the outputs, and what the next generated password derives from (shared/seed.ts). */
type Outputs = GeminiDbAdminPasswordOutputs & { passwordSeed?: string };

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

function outputs(
  inputs: Inputs,
  ctx: ApiContext,
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
      const ctx = apiContext(inputs, settings.retry, [password]);
      const { projectId, engine } = await resetPassword(ctx, inputs, password);
      const rotatedAt = inputs.rotatedAt ?? timestamp(new Date());
      const id = `${projectId}/${inputs.instanceId}`;
      const seed = freshSeed();
      const record = (verified: boolean, nodeProofs?: NodeProof[]) => ({
        id,
        properties: { ...outputs(inputs, ctx, projectId, password, rotatedAt, engine, seed, { verified, nodeProofs }) },
      });
      const proved = await proveOnDatabase(ctx, projectId, inputs, settings.proof, password, [], record);
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
      const ctx = apiContext({ ...news, projectId: news.projectId ?? olds.projectId }, settings.retry, [
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
        ({ projectId, engine } = await resetPassword(ctx, { ...news, projectId }, password));
        const record = (verified: boolean, nodeProofs?: NodeProof[]) => ({
          id: `${projectId}/${news.instanceId}`,
          properties: { ...outputs(news, ctx, projectId, password, rotatedAt, engine, seed, { verified, nodeProofs }) },
        });
        proved = await proveOnDatabase(
          ctx,
          projectId,
          news,
          settings.proof,
          password,
          sets ? [olds.password] : [],
          record,
        );
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
    const ctx = apiContext(props, settings.retry);
    // The API cannot tell which password is set: refresh checks that the instance exists, and
    // with a proof block that the password in state still logs in (one login; with cql, on each node).
    // The two are asked at once, a read waiting for the slower rather than for both in turn (Pulumi
    // reads 4 resources a core at a time, so a read's latency is the refresh's): an instance that is
    // gone is gone whatever its login answered, and that answer is left unread.
    const block = proofBlockOf(props);
    const proving = block && props.password !== undefined ? loginProof(props, props.password) : undefined;
    proving?.catch(() => undefined);
    const inst = await ctx.client.getInstance(props.projectId, props.instanceId);
    if (!inst) return { id: "", props: undefined };
    if (!block) return { id, props };
    if (!proving) return { id, props: { ...props, passwordVerified: false } };
    const { verified, nodeProofs } = await proving;
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
    const ctx = apiContext(inputs, settings.retry);
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
