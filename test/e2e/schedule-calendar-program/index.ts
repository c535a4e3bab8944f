/**
 * A Cassandra role (a real node, cassandraAddress) and a GeminiDB rwuser (the emulator,
 * endpoint) rotated on a calendar: config rotationSchedule, rotationTimeZone and
 * rotationWindowMinutes, the same for both.
 */
import * as pulumi from "@pulumi/pulumi";
import { CassandraRolePassword, GeminiDbAdminPassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();
const schedule = {
  rotationSchedule: cfg.require("rotationSchedule"),
  rotationTimeZone: cfg.get("rotationTimeZone"),
  rotationWindowMinutes: cfg.getNumber("rotationWindowMinutes"),
};

const role = new CassandraRolePassword("role", {
  connection: {
    address: cfg.require("cassandraAddress"),
    username: "cassandra",
    password: cfg.requireSecret("cassandraPassword"),
  },
  role: "calendar_role",
  createIfMissing: true,
  deleteRoleOnDestroy: true,
  ...schedule,
});
const db = new GeminiDbAdminPassword("db", {
  region: "eu-west-101",
  instanceId: cfg.require("instanceId"),
  endpoint: cfg.require("endpoint"),
  iamEndpoint: cfg.require("endpoint"),
  ...schedule,
});

export const roleRotatedAt = role.rotatedAt;
export const roleNextRotationAt = role.nextRotationAt;
export const dbRotatedAt = db.rotatedAt;
export const dbNextRotationAt = db.nextRotationAt;
