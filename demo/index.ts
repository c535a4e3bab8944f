// The demo program run by `npm run demo` (scripts/demo.ts starts the servers and sets config).
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { GeminiDbAdminPassword, MilvusUserPassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();

const searchApp = new MilvusUserPassword("search-app", {
  connection: {
    address: cfg.require("milvusAddress"),
    username: "root",
    password: cfg.requireSecret("milvusRootPassword"),
  },
  user: "search_app",
  password: cfg.requireSecret("searchAppPassword"),
  currentPassword: cfg.getSecret("searchAppCurrentPassword"),
});

const orders = new GeminiDbAdminPassword("orders-db", {
  region: "eu-west-101",
  instanceId: cfg.require("geminiDbInstanceId"),
  password: cfg.requireSecret("ordersRwuserPassword"),
  endpoint: cfg.require("geminiDbEndpoint"),
  iamEndpoint: cfg.require("iamEndpoint"),
  // credentials: HW_ACCESS_KEY / HW_SECRET_KEY in the environment
  // each reset proved by a CQL login as rwuser: the new password logs in, the old one is refused
  cql: { address: cfg.require("geminiDbCqlAddress") },
});

const cache = new GeminiDbAdminPassword("cache-db", {
  region: "eu-west-101",
  instanceId: cfg.require("geminiDbRedisInstanceId"),
  engine: "redis", // a GeminiDB Redis instance: the same reset API, proved by a Redis login
  password: cfg.requireSecret("cacheRwuserPassword"),
  endpoint: cfg.require("geminiDbEndpoint"),
  iamEndpoint: cfg.require("iamEndpoint"),
  // each reset proved by AUTH + PING over TLS (on by default), trusting the CA certificate the
  // instance's console offers, downloaded to a file
  redis: {
    address: cfg.require("geminiDbRedisAddress"),
    caCertificate: fs.readFileSync(cfg.require("geminiDbRedisCaFile"), "utf8"),
  },
});

export const milvusUser = searchApp.user;
export const milvusPasswordVerified = searchApp.passwordVerified;
export const geminiDbInstance = orders.instanceId;
export const geminiDbProject = orders.projectId;
export const geminiDbPasswordVerified = orders.passwordVerified;
export const geminiDbRedisEngine = cache.engine;
export const geminiDbRedisPasswordVerified = cache.passwordVerified;
