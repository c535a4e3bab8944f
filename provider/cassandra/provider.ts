/**
 * The CassandraRolePassword ResourceProvider. This module's exports are the provider object,
 * for the reasons given in milvus/provider.ts: state holds a reference to this module (about
 * 270 bytes, shared/dynamic.ts), and its methods require the implementation by package path
 * when they run.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Operations from "./operations";
import type { CassandraRolePasswordInputs as I, CassandraRolePasswordOutputs as O } from "./schema";

type Ops = typeof Operations;

export async function check(olds: I, news: I) {
  return (require("pulumi-db-passwords/dist/cassandra/operations") as Ops).check(olds, news);
}
export async function diff(id: string, olds: O, news: I) {
  const result = await (require("pulumi-db-passwords/dist/cassandra/operations") as Ops).diff(id, olds, news);
  // The host shows what a provider prints in the CLI's diagnostics (e.g. why a rotation is due).
  for (const note of result.notes) console.log(note);
  return result;
}
export async function create(inputs: I) {
  const { notes, ...result } = await (require("pulumi-db-passwords/dist/cassandra/operations") as Ops).create(inputs);
  // The host shows what a provider prints in the CLI's diagnostics (a node the proof could not ask).
  for (const note of notes ?? []) console.log(note);
  return result;
}
export async function read(id: string, props?: O) {
  // No props: a read without state (e.g. `get`), which has nothing to check.
  return props === undefined
    ? { id, props }
    : (require("pulumi-db-passwords/dist/cassandra/operations") as Ops).read(id, props);
}
export async function update(id: string, olds: O, news: I) {
  const ops = require("pulumi-db-passwords/dist/cassandra/operations") as Ops;
  const { notes, ...result } = await ops.update(id, olds, news);
  for (const note of notes ?? []) console.log(note);
  return result;
}
async function remove(id: string, props: O) {
  return (require("pulumi-db-passwords/dist/cassandra/operations") as Ops).remove(id, props);
}
export { remove as delete };
