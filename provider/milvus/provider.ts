/**
 * The MilvusUserPassword ResourceProvider. This module's exports are the provider object.
 *
 * Every resource's state holds its provider as `__provider`, text that the dynamic provider
 * host (`@pulumi/pulumi/cmd/dynamic-provider`) evaluates with no file name (module lookup
 * starts at the program's directory); the local backend rewrites the whole state file after
 * every step, so its size is paid N times a step. The classes write that text themselves
 * (shared/dynamic.ts, without Pulumi's closure serializer): a reference to this module,
 * `require("pulumi-db-passwords/dist/milvus/provider.js")`, about 270 bytes, whatever the
 * directory the package was loaded from (docs/ARCHITECTURE.md, section 3).
 *
 * The methods require the implementation (`operations`) by package path (a relative path
 * would not resolve in the host) when they run, in the provider host: a program loads none of
 * it, and the text captures no secret, client or SDK.
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
