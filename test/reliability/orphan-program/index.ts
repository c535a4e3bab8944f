/**
 * One GeminiDbAdminPassword against the emulator, with a 3-second timeout so that a held
 * reset times out (and would be retried) within the test's patience.
 */
import * as pulumi from "@pulumi/pulumi";
import { GeminiDbAdminPassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();

export const instanceId = new GeminiDbAdminPassword("orphan-db", {
  region: "eu-west-101",
  instanceId: cfg.require("instanceId"),
  password: cfg.requireSecret("rwuserPassword"),
  endpoint: cfg.require("endpoint"),
  iamEndpoint: cfg.require("endpoint"),
  timeoutMs: 3000,
}).instanceId;
