// A program that reaches the plugin with no SDK at all: a raw CustomResource whose inputs are
// plain strings and which declares no additional secret outputs. What stays secret in state
// is then up to the plugin alone.
const pulumi = require("@pulumi/pulumi");

const cfg = new pulumi.Config();
const raw = new pulumi.CustomResource("dbpasswords:index:MilvusUserPassword", "raw", {
  connection: { address: cfg.require("milvusAddress"), username: "root", password: cfg.require("rootPassword") },
  user: "raw_app",
  password: cfg.require("appPassword"),
  currentPassword: cfg.require("bootPassword"),
});
exports.urn = raw.urn;
