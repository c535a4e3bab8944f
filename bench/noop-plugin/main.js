// The floors of the plugin scenarios (bench/run.ts), served by the same gRPC server as the
// dbpasswords plugin (pulumi-db-passwords/dist/plugin/server, of the copy installed next to the
// program), with lifecycles that return at once:
//   dbnoop:index:Noop    two string inputs: what a plugin resource costs the engine, the
//                        language host and the plugin process by themselves (the floor)
//   dbnoop:index:Shaped  the inputs, outputs and secrets of MilvusUserPassword, echoed: what a
//                        resource of that shape costs without any work (a diagnostic)
"use strict";
const { serve } = require("pulumi-db-passwords/dist/plugin/server");
const { packageSchema } = require("pulumi-db-passwords/dist/plugin/schema");
const { milvusSpec } = require("pulumi-db-passwords/dist/milvus/spec");
const { secretPaths } = require("pulumi-db-passwords/dist/shared/spec");

const string = { type: "string" };
// MilvusUserPassword's schema under the dbnoop package, as Shaped.
const shaped = JSON.parse(
  JSON.stringify(packageSchema([milvusSpec], { version: "0.0.1", description: "", license: "", keywords: [] }))
    .replace(/dbpasswords:index:MilvusUserPassword/g, "dbnoop:index:Shaped")
    .replace(/dbpasswords:index:/g, "dbnoop:index:"),
);
const schema = JSON.stringify({
  name: "dbnoop",
  version: "0.0.1",
  types: shaped.types,
  resources: {
    "dbnoop:index:Noop": {
      inputProperties: { name: string, round: string },
      requiredInputs: ["name", "round"],
      properties: { name: string, round: string },
      required: ["name", "round"],
    },
    "dbnoop:index:Shaped": shaped.resources["dbnoop:index:Shaped"],
  },
});

const echo = (key, made) => ({
  async check(_olds, news) {
    return { inputs: news };
  },
  async diff(_id, olds, news) {
    const changed = olds[key] !== news[key];
    return { changes: changed, replaces: [], stables: [], deleteBeforeReplace: false, diffs: changed ? [key] : [] };
  },
  async create(inputs) {
    return { id: inputs.name ?? inputs.user, outs: { ...inputs, ...made(inputs) } };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, olds, news) {
    return { outs: { ...olds, ...news, ...made(news) } };
  },
  async remove() {},
  async adopt() {
    return undefined;
  },
});

const entries = {
  "dbnoop:index:Noop": {
    spec: { name: "Noop", description: "", inputs: {}, outputs: {}, types: {} },
    secretPaths: [],
    operations: () => echo("round", () => ({})),
  },
  "dbnoop:index:Shaped": {
    spec: milvusSpec,
    secretPaths: secretPaths(milvusSpec),
    operations: () =>
      echo("rotationTrigger", (inputs) => ({
        password: `Shaped-${inputs.rotationTrigger}-Pw1`,
        address: inputs.connection.address,
        passwordVerified: true,
        rotatedAt: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      })),
  },
};

serve({ version: "0.0.1", schema: () => schema, resourceOf: (t) => entries[t] }, process.argv.slice(2)).catch((err) => {
  process.stderr.write(`pulumi-resource-dbnoop: ${err.message}\n`);
  process.exit(1);
});
