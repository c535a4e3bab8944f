/**
 * The GeminiDbAdminPassword ResourceProvider. This module's exports are the provider object,
 * for the reasons given in milvus/provider.ts: state holds a reference to this module (about
 * 270 bytes, shared/dynamic.ts), and its methods require the implementation by package path
 * when they run.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Operations from "./operations";
import type { GeminiDbAdminPasswordInputs as I, GeminiDbAdminPasswordOutputs as O } from "./schema";

type Ops = typeof Operations;

export async function check(olds: I, news: I) {
  return (require("pulumi-db-passwords/dist/geminidb/operations") as Ops).check(olds, news);
}
export async function diff(id: string, olds: O, news: I) {
  const result = await (require("pulumi-db-passwords/dist/geminidb/operations") as Ops).diff(id, olds, news);
  // The host shows what a provider prints in the CLI's diagnostics (e.g. why a rotation is due).
  for (const note of result.notes) console.log(note);
  return result;
}
export async function create(inputs: I) {
  const { notes, ...result } = await (require("pulumi-db-passwords/dist/geminidb/operations") as Ops).create(inputs);
  // The host shows what a provider prints in the CLI's diagnostics (a proof that cannot be made).
  for (const note of notes ?? []) console.log(note);
  return result;
}
export async function read(id: string, props?: O) {
  // No props: a read without state (e.g. `get`), which has nothing to check.
  return props === undefined
    ? { id, props }
    : (require("pulumi-db-passwords/dist/geminidb/operations") as Ops).read(id, props);
}
export async function update(id: string, olds: O, news: I) {
  const ops = require("pulumi-db-passwords/dist/geminidb/operations") as Ops;
  const { notes, ...result } = await ops.update(id, olds, news);
  for (const note of notes ?? []) console.log(note);
  return result;
}
/** Destroy leaves the instance's password as it is: nothing to load, nothing to call. */
async function remove(_id: string, _props: O): Promise<void> {}
export { remove as delete };
