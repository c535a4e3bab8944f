import * as pulumi from "@pulumi/pulumi";
import { MilvusUserPassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();

const searchApp = new MilvusUserPassword("search-app", {
  connection: {
    address: cfg.require("milvusAddress"),
    username: cfg.get("milvusUser") ?? "root",
    password: cfg.requireSecret("milvusRootPassword"),
  },
  user: cfg.get("user") ?? "search_app",
  // rotate: `pulumi config set --secret searchAppPassword <new>` then `pulumi up`
  password: cfg.requireSecret("searchAppPassword"),
  // only needed the first time, when the user already exists with another password
  currentPassword: cfg.getSecret("searchAppCurrentPassword"),
  createIfMissing: cfg.getBoolean("createIfMissing") ?? false,
});

export const user = searchApp.user;
export const address = searchApp.address;
export const passwordVerified = searchApp.passwordVerified;
