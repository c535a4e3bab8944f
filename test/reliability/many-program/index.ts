/**
 * PDP_MANY_COUNT MilvusUserPassword resources against one Milvus (PDP_MANY_ADDRESS), users
 * many_0..many_N-1, created when missing. Each password depends on the user and on
 * PDP_MANY_ROUND, so that a new round rotates all of them at once. With PDP_MANY_GAP_MS, each
 * resource of an update waits for the one before it to be created, then that many ms, before it
 * goes to the engine: a moment between two resources when no call is on its way (a preview
 * declares them all at once).
 */
import * as pulumi from "@pulumi/pulumi";
import { MilvusUserPassword } from "pulumi-db-passwords";

const count = Number(process.env.PDP_MANY_COUNT ?? "50");
const round = process.env.PDP_MANY_ROUND ?? "1";
const rootPassword = new pulumi.Config().requireSecret("rootPassword");
const gapMs = Number(process.env.PDP_MANY_GAP_MS ?? "0");

/** `createIfMissing`: true, known only `gapMs` after `previous` is created when there is a gap. */
function afterGap(previous: MilvusUserPassword | undefined): pulumi.Input<boolean> {
  if (!previous || gapMs <= 0 || pulumi.runtime.isDryRun()) return true;
  return previous.id.apply(() => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), gapMs)));
}

let previous: MilvusUserPassword | undefined;
export const users = Array.from({ length: count }, (_, i) => {
  const r = new MilvusUserPassword(`many-${i}`, {
    connection: { address: process.env.PDP_MANY_ADDRESS!, username: "root", password: rootPassword, timeoutMs: 10000 },
    user: `many_${i}`,
    password: pulumi.secret(`Many-${i}-round-${round}`),
    createIfMissing: afterGap(previous),
  });
  previous = r;
  return r.user;
});
