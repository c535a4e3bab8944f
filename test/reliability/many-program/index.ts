/**
 * PDP_MANY_COUNT MilvusUserPassword resources against one Milvus (PDP_MANY_ADDRESS), users
 * many_0..many_N-1, created when missing. Each password depends on the user and on
 * PDP_MANY_ROUND, so that a new round rotates all of them at once.
 */
import * as pulumi from "@pulumi/pulumi";
import { MilvusUserPassword } from "pulumi-db-passwords";

const count = Number(process.env.PDP_MANY_COUNT ?? "50");
const round = process.env.PDP_MANY_ROUND ?? "1";
const rootPassword = new pulumi.Config().requireSecret("rootPassword");

export const users = Array.from({ length: count }, (_, i) => {
  const r = new MilvusUserPassword(`many-${i}`, {
    connection: { address: process.env.PDP_MANY_ADDRESS!, username: "root", password: rootPassword, timeoutMs: 10000 },
    user: `many_${i}`,
    password: pulumi.secret(`Many-${i}-round-${round}`),
    createIfMissing: true,
  });
  return r.user;
});
