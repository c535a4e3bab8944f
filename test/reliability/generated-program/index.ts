/**
 * Generated passwords (no `password` input) in every mode, on every resource: a new
 * rotationTrigger, a due rotateAfterDays, and a role without a connection identity that changes
 * its own password from a bootstrap one. The crash tests kill a run in the window between the
 * database's change and Pulumi's state write, one resource at a time, and the next `up` must
 * converge on every one of them.
 */
import * as pulumi from "@pulumi/pulumi";
import { CassandraRolePassword, GeminiDbAdminPassword, MilvusUserPassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();

const milvus = {
  address: cfg.require("milvusAddress"),
  username: "root",
  password: cfg.requireSecret("milvusRootPassword"),
};
export const milvusTrigger = new MilvusUserPassword("milvus-trigger", {
  connection: milvus,
  user: "gen_trigger",
  createIfMissing: true,
  rotationTrigger: cfg.require("milvusTrigger"),
}).passwordVerified;
export const milvusSchedule = new MilvusUserPassword("milvus-schedule", {
  connection: milvus,
  user: "gen_schedule",
  createIfMissing: true,
  rotateAfterDays: 30,
}).passwordVerified;

// no connection identity: the role logs in with its old password and changes its own
export const cassandraSelf = new CassandraRolePassword("cassandra-self", {
  connection: { address: cfg.require("cassandraAddress") },
  role: "gen_self",
  currentPassword: cfg.requireSecret("selfBootstrap"),
  rotationTrigger: cfg.require("cassandraTrigger"),
}).passwordVerified;
export const cassandraSchedule = new CassandraRolePassword("cassandra-schedule", {
  connection: {
    address: cfg.require("cassandraAddress"),
    username: "cassandra",
    password: cfg.requireSecret("cassandraPassword"),
  },
  role: "gen_schedule",
  createIfMissing: true,
  rotateAfterDays: 30,
}).passwordVerified;

export const geminidbSchedule = new GeminiDbAdminPassword("geminidb-schedule", {
  region: "eu-west-101",
  instanceId: cfg.require("instanceId"),
  endpoint: cfg.require("endpoint"),
  iamEndpoint: cfg.require("endpoint"),
  rotateAfterDays: 30,
}).instanceId;
