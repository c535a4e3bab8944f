import * as pulumi from "@pulumi/pulumi";
import { CassandraRolePassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();

// Two application roles take turns (GeminiDB for Cassandra: connect as rwuser on port 8635;
// Apache Cassandra: a superuser, or a role with the rights the README lists). Each rotation
// sets a new generated password on the role that is not active, gives it exactly the roles and
// permissions of the active one, and makes it active; the previously active role keeps its
// password until the rotation after, so a service that reconnects at any moment keeps working.
const orders = new CassandraRolePassword("orders-app", {
  connection: {
    address: cfg.require("cassandraAddress"),
    username: cfg.get("cassandraUser") ?? "cassandra",
    password: cfg.requireSecret("cassandraPassword"),
  },
  role: cfg.get("role") ?? "orders_blue",
  standbyRole: cfg.get("standbyRole") ?? "orders_green",
  createIfMissing: true,
  deleteRoleOnDestroy: cfg.getBoolean("deleteRoleOnDestroy") ?? false,
  rotationTrigger: cfg.require("rotation"),
});

// What services log in with: read both after every rotation (stack outputs, or a
// StackReference from the service's own stack).
export const activeRole = orders.activeRole;
export const password = orders.password; // a secret output
export const passwordVerified = orders.passwordVerified;
