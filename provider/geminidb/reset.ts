/**
 * The reset itself: the API's context of one operation (region, endpoints, credentials, the
 * project), the instance query that refuses, before any change, an instance the reset would
 * fail on or that is not the program's, and the PUT (Huawei's API reference, "Resetting the
 * Administrator Password of an Instance", nosql_05_0101).
 */
import { ConfigError, GeminiDbError } from "../shared/errors";
import { envValue } from "../shared/env";
import { GEMINIDB_ENGINES, type GeminiDbEngine } from "../shared/password";
import { makeAuthenticator } from "./auth";
import { GeminiDbClient, type GeminiRetry, type InstanceInfo } from "./client";
import { defaultEndpoint, defaultIamEndpoint } from "./regions";
import type { GeminiDbAdminPasswordInputs as Inputs } from "./schema";
import { PROOF_BLOCKS, proofBlockOf } from "./spec";

export const DEFAULT_TIMEOUT_MS = 30000;

/** What one operation calls the API with. */
export interface ApiContext {
  region: string;
  endpoint: string;
  client: GeminiDbClient;
  projectId: () => Promise<string>;
}

/**
 * The API's context of the inputs: the region (or HW_REGION_NAME), its endpoints unless given,
 * the credentials, and the project (the inputs', else the token's own, looked up once).
 * `extraSecrets` are kept out of the client's errors.
 */
export function apiContext(inputs: Inputs, retry?: GeminiRetry, extraSecrets: string[] = []): ApiContext {
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
  const client = new GeminiDbClient({ endpoint, auth, timeoutMs, retry, secrets: extraSecrets });
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

/** Resets rwuser's password to `password` once the instance query allows it; says the project and the engine. */
export async function resetPassword(
  ctx: ApiContext,
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
