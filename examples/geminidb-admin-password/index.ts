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
  // where the pipeline reaches the database: every reset is proved by a CQL login as rwuser,
  // and refresh checks the password (see the README's "Proving a reset on the database")
  cql: cfg.get("cqlAddress")
    ? { address: cfg.require("cqlAddress"), tls: cfg.getBoolean("cqlTls"), caCertificate: cfg.get("cqlCaCertificate") }
    : undefined,
});

export const instanceId = orders.instanceId;
export const projectId = orders.projectId;
// Proven only with cql: without it the API's answer is the evidence, and this is null.
export const passwordVerified = orders.passwordVerified.apply((v) => v ?? null);
