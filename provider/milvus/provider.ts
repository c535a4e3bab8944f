/**
 * The MilvusUserPassword ResourceProvider. Pulumi serializes this object into every
 * resource's state and evaluates it again in the dynamic provider host, where a relative
 * require would not resolve: each method requires the implementation by package path, so
 * the serialized text stays small and captures no secret, client or SDK.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "./schema";

type Ops = typeof import("./operations");

export const milvusUserPasswordProvider = {
  async check(olds: MilvusUserPasswordInputs, news: MilvusUserPasswordInputs) {
    const ops: Ops = require("pulumi-db-passwords/dist/milvus/operations");
    return ops.check(olds, news);
  },
  async diff(id: string, olds: MilvusUserPasswordOutputs, news: MilvusUserPasswordInputs) {
    const ops: Ops = require("pulumi-db-passwords/dist/milvus/operations");
    return ops.diff(id, olds, news);
  },
  async create(inputs: MilvusUserPasswordInputs) {
    const ops: Ops = require("pulumi-db-passwords/dist/milvus/operations");
    return ops.create(inputs);
  },
  async read(id: string, props?: MilvusUserPasswordOutputs) {
    const ops: Ops = require("pulumi-db-passwords/dist/milvus/operations");
    return props ? ops.read(id, props) : { id, props };
  },
  async update(id: string, olds: MilvusUserPasswordOutputs, news: MilvusUserPasswordInputs) {
    const ops: Ops = require("pulumi-db-passwords/dist/milvus/operations");
    return ops.update(id, olds, news);
  },
  async delete(id: string, props: MilvusUserPasswordOutputs) {
    const ops: Ops = require("pulumi-db-passwords/dist/milvus/operations");
    return ops.remove(id, props);
  },
} satisfies pulumi.dynamic.ResourceProvider<MilvusUserPasswordInputs, MilvusUserPasswordOutputs>;
