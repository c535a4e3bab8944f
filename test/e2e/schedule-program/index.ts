/**
 * The three resources on a rotation schedule (config rotateAfterDays): `app`, `db` and `role`
 * with generated passwords, `given` with a password from config, against a real Milvus
 * (milvusAddress), the GeminiDB emulator (endpoint) and a real Cassandra (cassandraAddress).
 */
import * as pulumi from "@pulumi/pulumi";
import { CassandraRolePassword, GeminiDbAdminPassword, MilvusUserPassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();
const rotateAfterDays = cfg.getNumber("rotateAfterDays");
const connection = {
  address: cfg.require("milvusAddress"),
  username: "root",
  password: cfg.requireSecret("rootPassword"),
};

const app = new MilvusUserPassword("app", {
  connection,
  user: "scheduled_app",
  createIfMissing: true,
  deleteUserOnDestroy: true,
  rotateAfterDays,
});
const given = new MilvusUserPassword("given", {
  connection,
  user: "scheduled_given",
  password: cfg.requireSecret("givenPassword"),
  createIfMissing: true,
  deleteUserOnDestroy: true,
  rotateAfterDays,
});
const db = new GeminiDbAdminPassword("db", {
  region: "eu-west-101",
  instanceId: cfg.require("instanceId"),
  endpoint: cfg.require("endpoint"),
  iamEndpoint: cfg.require("endpoint"),
  rotateAfterDays,
});
const role = new CassandraRolePassword("role", {
  connection: {
    address: cfg.require("cassandraAddress"),
    username: "cassandra",
    password: cfg.requireSecret("cassandraPassword"),
  },
  role: "scheduled_role",
  createIfMissing: true,
  deleteRoleOnDestroy: true,
  rotateAfterDays,
});

export const appRotatedAt = app.rotatedAt;
export const givenRotatedAt = given.rotatedAt;
export const dbRotatedAt = db.rotatedAt;
export const roleRotatedAt = role.rotatedAt;
