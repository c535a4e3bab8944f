/**
 * The plugin's one table: each type token with the resource's spec (provider/shared/spec.ts)
 * and its lifecycle, the same `operations` module the dynamic class's provider loads. The
 * lifecycle loads on a resource's first call, so that GetSchema or a plan touching only one
 * resource type does not load the other's client.
 */
import { geminiDbSpec } from "../geminidb/spec";
import { milvusSpec } from "../milvus/spec";
import { cassandraSpec } from "../cassandra/spec";
import type { Lifecycle } from "../shared/lifecycle";
import { ResourceSpec, secretPaths, token } from "../shared/spec";

/**
 * What the plugin calls on a resource: its lifecycle (shared/lifecycle.ts), with plain
 * (decoded) values: inputs as check returned them, outputs as state holds them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Operations = Lifecycle<any, any>;

export interface ResourceEntry {
  spec: ResourceSpec;
  secretPaths: string[];
  operations: () => Operations;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const entries: ResourceEntry[] = [
  { spec: milvusSpec, operations: () => require("../milvus/operations") },
  { spec: geminiDbSpec, operations: () => require("../geminidb/operations") },
  { spec: cassandraSpec, operations: () => require("../cassandra/operations") },
].map((e) => ({ ...e, secretPaths: secretPaths(e.spec) }));
/* eslint-enable @typescript-eslint/no-require-imports */

const byToken = new Map(entries.map((e) => [token(e.spec.name), e]));

/** The resource of a type token, e.g. dbpasswords:index:MilvusUserPassword. */
export function resourceOf(typeToken: string): ResourceEntry | undefined {
  return byToken.get(typeToken);
}

/** Every resource's spec, in the order the schema lists them. */
export const SPECS: ResourceSpec[] = entries.map((e) => e.spec);
