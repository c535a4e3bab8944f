/**
 * The plugin's one table: each type token with the resource's spec (provider/shared/spec.ts)
 * and its lifecycle, the same `operations` module the dynamic class's provider loads. The
 * lifecycle loads on a resource's first call, so that GetSchema or a plan touching only one
 * resource type does not load the other's client.
 */
import { geminiDbSpec } from "../geminidb/spec";
import { milvusSpec } from "../milvus/spec";
import { cassandraSpec } from "../cassandra/spec";
import { ResourceSpec, secretPaths, token } from "../shared/spec";

/** Plain (decoded) values: inputs as check returned them, outputs as state holds them. */
type Props = Record<string, unknown>;

/** What the plugin calls on a resource: the lifecycle with plain values. */
export interface Operations {
  /** `unknowns`: input paths not known yet (a preview); their rules are not checked. */
  check(
    olds: unknown,
    news: unknown,
    unknowns?: string[],
  ): Promise<{ inputs?: unknown; failures?: Array<{ property: string; reason: string }> }>;
  diff(
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{
    changes?: boolean;
    replaces?: string[];
    stables?: string[];
    deleteBeforeReplace?: boolean;
    /** The properties an update changes. */
    diffs?: string[];
    /** What the user should read in the preview (why a rotation is due). */
    notes?: string[];
  }>;
  create(inputs: Props): Promise<{ id: string; outs: unknown }>;
  read(id: string, props: Props): Promise<{ id?: string; props?: unknown }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs?: unknown }>;
  remove(id: string, props: Props): Promise<void>;
  /** `pulumi import`: the resource with this id as it is, with the inputs that describe it; undefined when missing. */
  adopt(id: string): Promise<{ id: string; props: unknown; inputs: unknown } | undefined>;
}

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
