/**
 * Every secret field of the three resources passed as a plain string, as many programs do:
 * `config.require` where `config.requireSecret` was meant, one literal, and values from the
 * environment (`PDP_PLAIN_<key>` takes the place of config key `<key>`). Nothing here is
 * wrapped with pulumi.secret: what keeps these values out of state in plaintext is the
 * resource classes alone (test/reliability/plain-secrets.test.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { CassandraRolePassword, GeminiDbAdminPassword, MilvusUserPassword } from "pulumi-db-passwords";

const config = new pulumi.Config();
const cfg = { require: (key: string): string => process.env[`PDP_PLAIN_${key}`] ?? config.require(key) };
const milvusAddress = cfg.require("milvusAddress");

// connection a plain object: its `password` alone is kept secret. A pair: state keeps the
// standby's password too.
export const pair = new MilvusUserPassword("milvus-pair", {
  connection: { address: milvusAddress, username: "root", password: cfg.require("milvusRootPassword") },
  user: "sec_pair_a",
  standbyUser: "sec_pair_b",
  password: cfg.require("pairPassword"),
  createIfMissing: true,
}).activeUser;

// connection an Output (its fields are not known when the resource is declared): kept secret whole.
new MilvusUserPassword("milvus-token", {
  connection: pulumi.output({ address: milvusAddress, token: cfg.require("milvusToken") }),
  user: "sec_token_user",
  password: cfg.require("tokenUserPassword"),
  currentPassword: cfg.require("tokenUserBootPassword"),
});

const gemini = {
  region: "eu-west-101",
  projectId: cfg.require("geminiProject"),
  endpoint: cfg.require("geminiEndpoint"),
  iamEndpoint: cfg.require("geminiEndpoint"),
};
new GeminiDbAdminPassword("gemini-token", {
  ...gemini,
  instanceId: cfg.require("geminiTokenInstance"),
  auth: { token: cfg.require("geminiToken") },
  password: cfg.require("geminiTokenPassword"),
});
new GeminiDbAdminPassword("gemini-aksk", {
  ...gemini,
  instanceId: cfg.require("geminiAkSkInstance"),
  auth: {
    accessKey: cfg.require("geminiAccessKey"),
    secretKey: cfg.require("geminiSecretKey"),
    securityToken: cfg.require("geminiSecurityToken"),
  },
  password: cfg.require("geminiAkSkPassword"),
});
new GeminiDbAdminPassword("gemini-iam", {
  ...gemini,
  instanceId: cfg.require("geminiIamInstance"),
  // a literal in the program (the test's emulator knows this user)
  auth: { userName: "sec-deployer", password: "Literal-iam~Pw7", domainName: "acme" },
  password: cfg.require("geminiIamPassword"),
});

new CassandraRolePassword("cassandra-role", {
  connection: {
    address: cfg.require("cassandraAddress"),
    username: "cassandra",
    password: cfg.require("cassandraSuperuserPassword"),
  },
  role: "sec_role",
  password: cfg.require("rolePassword"),
  currentPassword: cfg.require("roleBootPassword"),
});
