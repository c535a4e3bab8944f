/**
 * The MilvusUserPassword ResourceProvider. This module's exports are the provider object.
 *
 * Pulumi serializes the provider object into every resource's state (`__provider`) and
 * evaluates that text again in the dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`,
 * with no file name: module lookup starts at the program's directory); the local backend
 * rewrites the whole state file after every step, so its size is paid N times a step.
 *
 * - Installed in a program's node_modules, this module is found in Node's require cache by
 *   Pulumi's closure serializer, which then stores a reference instead of code:
 *   `require("pulumi-db-passwords/dist/milvus/provider")`, a few hundred bytes.
 * - Loaded from anywhere else (this repository's examples reach the package through a
 *   symlink, so its files are not under node_modules), the methods are serialized by value.
 *   Their bodies hold only a `require` of the implementation by package path (a relative path
 *   would not resolve in the host), so they capture no secret, client or SDK either way.
 *
 * The implementation (`operations`) loads only when a method runs, in the provider host.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Operations from "./operations";
import type { MilvusUserPasswordInputs as I, MilvusUserPasswordOutputs as O } from "./schema";

type Ops = typeof Operations;

export async function check(olds: I, news: I) {
  return (require("pulumi-db-passwords/dist/milvus/operations") as Ops).check(olds, news);
}
export async function diff(id: string, olds: O, news: I) {
  const result = await (require("pulumi-db-passwords/dist/milvus/operations") as Ops).diff(id, olds, news);
  // The host shows what a provider prints in the CLI's diagnostics (e.g. why a rotation is due).
  for (const note of result.notes) console.log(note);
  return result;
}
export async function create(inputs: I) {
  return (require("pulumi-db-passwords/dist/milvus/operations") as Ops).create(inputs);
}
export async function read(id: string, props?: O) {
  // No props: a read without state (e.g. `get`), which has nothing to check.
  return props === undefined
    ? { id, props }
    : (require("pulumi-db-passwords/dist/milvus/operations") as Ops).read(id, props);
}
export async function update(id: string, olds: O, news: I) {
  return (require("pulumi-db-passwords/dist/milvus/operations") as Ops).update(id, olds, news);
}
async function remove(id: string, props: O) {
  return (require("pulumi-db-passwords/dist/milvus/operations") as Ops).remove(id, props);
}
export { remove as delete };
