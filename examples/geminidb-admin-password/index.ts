import * as pulumi from "@pulumi/pulumi";
import { GeminiDbAdminPassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();

// Credentials come from the environment (HW_ACCESS_KEY / HW_SECRET_KEY, or HW_AUTH_TOKEN, or
// HW_USER_NAME / HW_PASSWORD / HW_DOMAIN_NAME) and never enter state.
const orders = new GeminiDbAdminPassword("orders-db", {
  region: cfg.get("region") ?? "eu-west-101",
  projectId: cfg.get("projectId"), // looked up by region name when omitted
  instanceId: cfg.require("instanceId"),
  password: cfg.requireSecret("rwuserPassword"),
  // only for a private endpoint or a local emulator
  endpoint: cfg.get("endpoint"),
  iamEndpoint: cfg.get("iamEndpoint"),
});

export const instanceId = orders.instanceId;
export const projectId = orders.projectId;
