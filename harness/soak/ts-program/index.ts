/**
 * The soak's TypeScript stack (scripts/soak.ts, harness/soak/soak.ts): the three resources as
 * dynamic resources, several of each, in every mode the soak rotates. For each resource `key`,
 * `<key>Trigger` is its rotationTrigger, and `<key>Password` (secret, optional) a password given
 * in config: without it the password is generated. Every resource has `rotateAfterDays`, which
 * the soak makes due by moving `rotatedAt` back in state. harness/soak/python-program is the same
 * stack through the provider plugin.
 */
import * as pulumi from "@pulumi/pulumi";
import { CassandraRolePassword, GeminiDbAdminPassword, MilvusUserPassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();
const prefix = cfg.require("prefix");
const rotateAfterDays = cfg.requireNumber("rotateAfterDays");
const milvus = {
  address: cfg.require("milvusAddress"),
  username: "root",
  password: cfg.requireSecret("milvusRootPassword"),
  timeoutMs: 8000,
};
const cassandra = {
  address: cfg.require("cassandraAddress"),
  username: "cassandra",
  password: cfg.requireSecret("cassandraPassword"),
  timeoutMs: 10000,
};
const rotation = (key: string) => ({
  password: cfg.getSecret(`${key}Password`),
  rotationTrigger: cfg.require(`${key}Trigger`),
  rotateAfterDays,
});

new MilvusUserPassword("milvus-a", {
  connection: milvus,
  user: `${prefix}_ma`,
  createIfMissing: true,
  ...rotation("milvusA"),
});
new MilvusUserPassword("milvus-b", {
  connection: milvus,
  user: `${prefix}_mb`,
  createIfMissing: true,
  ...rotation("milvusB"),
});
new MilvusUserPassword("milvus-pair", {
  connection: milvus,
  user: `${prefix}_mblue`,
  standbyUser: `${prefix}_mgreen`,
  createIfMissing: true,
  ...rotation("milvusPair"),
});
new CassandraRolePassword("cassandra-a", {
  connection: cassandra,
  role: `${prefix}_ca`,
  createIfMissing: true,
  ...rotation("cassandraA"),
});
new CassandraRolePassword("cassandra-b", {
  connection: cassandra,
  role: `${prefix}_cb`,
  createIfMissing: true,
  ...rotation("cassandraB"),
});
new CassandraRolePassword("cassandra-pair", {
  connection: cassandra,
  role: `${prefix}_cblue`,
  standbyRole: `${prefix}_cgreen`,
  createIfMissing: true,
  ...rotation("cassandraPair"),
});

/** A GeminiDB instance's reset, proved on the database behind it: over CQL or with a Redis login. */
function gemini(name: string, key: string) {
  const endpoint = cfg.require("endpoint");
  const address = cfg.require(`${key}Address`);
  const proof =
    cfg.require(`${key}Proof`) === "cql"
      ? { cql: { address, timeoutMs: 5000 } }
      : { redis: { address, tls: false, timeoutMs: 5000 } };
  return new GeminiDbAdminPassword(name, {
    region: "eu-west-101",
    projectId: cfg.require("projectId"),
    instanceId: cfg.require(`${key}Instance`),
    endpoint,
    iamEndpoint: endpoint,
    timeoutMs: 5000,
    ...proof,
    ...rotation(key),
  });
}
gemini("gemini-a", "geminiA");
gemini("gemini-b", "geminiB");
