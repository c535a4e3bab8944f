import * as pulumi from "@pulumi/pulumi";
import { MilvusUserPassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();

// No `password`: one is generated (crypto-random, 32 characters, meets the Milvus policy) and
// kept in state as a secret. Change `rotation` (say, to the current quarter) to get a new one.
const reporting = new MilvusUserPassword("reporting", {
  connection: {
    address: cfg.require("milvusAddress"),
    username: "root",
    password: cfg.requireSecret("milvusRootPassword"),
  },
  user: cfg.get("user") ?? "reporting",
  createIfMissing: true,
  rotationTrigger: cfg.require("rotation"),
});

// A secret output: `pulumi stack output password --show-secrets` to hand it to the app.
export const password = reporting.password;
export const user = reporting.user;
