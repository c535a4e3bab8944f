/**
 * Both resources on a rotation schedule (config rotateAfterDays): `app` and `db` with
 * generated passwords, `given` with a password from config, against a real Milvus
 * (milvusAddress) and the GeminiDB emulator (endpoint).
 */
import * as pulumi from "@pulumi/pulumi";
import { GeminiDbAdminPassword, MilvusUserPassword } from "pulumi-db-passwords";

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

export const appRotatedAt = app.rotatedAt;
export const givenRotatedAt = given.rotatedAt;
export const dbRotatedAt = db.rotatedAt;
