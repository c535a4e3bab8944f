import * as pulumi from "@pulumi/pulumi";
import { MilvusUserPassword } from "pulumi-db-passwords";

const cfg = new pulumi.Config();

// Two users take turns. Each rotation sets a new generated password on the user that is not
// active, gives it exactly the roles of the active one, and makes it active; the previously
// active user keeps its password until the rotation after, so running services keep working
// while they pick up the new credentials.
const search = new MilvusUserPassword("search", {
  connection: {
    address: cfg.require("milvusAddress"),
    username: "root",
    password: cfg.requireSecret("milvusRootPassword"),
  },
  user: cfg.get("user") ?? "search_blue",
  standbyUser: cfg.get("standbyUser") ?? "search_green",
  createIfMissing: true,
  deleteUserOnDestroy: cfg.getBoolean("deleteUserOnDestroy") ?? false,
  rotationTrigger: cfg.require("rotation"),
});

// What services log in with: read both after every rotation (stack outputs, or a
// StackReference from the service's own stack).
export const activeUser = search.activeUser;
export const password = search.password; // a secret output
