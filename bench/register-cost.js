// `node bench/register-cost.js [N] [rounds]` (with the Node that runs programs, e.g. the tool
// cache's Node 26): what declaring N resources costs a Pulumi program's process, in CPU, per class,
// with nothing else in the way: each variant in a fresh process, Pulumi's mocks as the engine
// (pulumi.runtime.setMocks: registration runs the SDK's own code, the monitor answers at once),
// and ts-node registered as Pulumi's Node.js host registers it by default (its
// source-map-support then formats every stack trace a program takes). The package is the one
// built in dist/ (npx tsc -p tsconfig.json).
//
// Variants: the strict floor's resource (a CustomResource with two inputs and a `__provider`
// reference, as bench/program registers it), a `pulumi.dynamic.Resource` (the closure
// serializer's floor), MilvusUserPassword, GeminiDbAdminPassword, CassandraRolePassword; each
// as it is, and with Error.stackTraceLimit at 0 while the constructor runs (what the
// registration's stack traces cost: Pulumi's SDK takes four per property, for messages about
// leaked promises, and one per resource for a registration error; the source position it sends
// the engine is taken with a limit of its own).
//
// Prints the median CPU ms per N resources and writes bench/results/register-cost.json.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const KINDS = ["strictfloor", "floor", "milvus", "geminidb", "cassandra"];

if (process.argv[2] === "--child") {
  child(process.argv[3], Number(process.argv[4]), process.argv[5] === "0");
} else {
  main(Number(process.argv[2] || 60), Number(process.argv[3] || 5));
}

function child(kind, n, noTraces) {
  require("ts-node").register({ transpileOnly: true, skipProject: true, compilerOptions: { module: "commonjs" } });
  const pulumi = require("@pulumi/pulumi");
  pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: `${a.name}_id`, state: a.inputs }), call: () => ({}) },
    "bench",
    "register-cost",
    false,
  );
  const pdp = require(path.join(__dirname, "..", "dist", "index.js"));
  const reference = 'exports.handler = __f0;\nconst p = require("pdp-bench-floor/provider.js");\n';
  const make = {
    strictfloor: (i) =>
      new pulumi.CustomResource("pulumi-nodejs:dynamic/floor:Noop", `r${i}`, {
        name: `x_${i}`,
        round: "r1",
        __provider: reference,
      }),
    floor: (i) =>
      new pulumi.dynamic.Resource({ create: async (inputs) => ({ id: inputs.name, outs: inputs }) }, `r${i}`, {
        name: `x_${i}`,
        round: "r1",
      }),
    milvus: (i) =>
      new pdp.MilvusUserPassword(`r${i}`, {
        connection: { address: "127.0.0.1:19530", username: "root", password: pulumi.secret("Root~pw12345") },
        user: `u_${i}`,
        createIfMissing: true,
        deleteUserOnDestroy: true,
        rotationTrigger: "r1",
      }),
    geminidb: (i) =>
      new pdp.GeminiDbAdminPassword(`r${i}`, {
        region: "eu-west-101",
        projectId: "0123456789abcdef0123456789abcdef",
        instanceId: `${String(i).padStart(32, "0")}in06`,
        endpoint: "http://127.0.0.1:1",
        iamEndpoint: "http://127.0.0.1:1",
        rotationTrigger: "r1",
      }),
    cassandra: (i) =>
      new pdp.CassandraRolePassword(`r${i}`, {
        connection: { address: "127.0.0.1:9042", username: "cassandra", password: pulumi.secret("Root~pw12345") },
        role: `r_${i}`,
        createIfMissing: true,
        deleteRoleOnDestroy: true,
        rotationTrigger: "r1",
      }),
  }[kind];
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  make(-1); // the first one loads what the class needs: not counted
  const resources = [];
  const t0 = cpu();
  for (let i = 0; i < n; i++) {
    const limit = Error.stackTraceLimit;
    if (noTraces) Error.stackTraceLimit = 0;
    try {
      resources.push(make(i));
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
  const declared = cpu();
  Promise.all(resources.map((r) => new Promise((resolve) => r.urn.apply(resolve)))).then(() => {
    const properties = Object.keys(resources[0]).filter((k) => !k.startsWith("__") && k !== "urn" && k !== "id");
    process.stdout.write(
      JSON.stringify({ declareMs: declared - t0, settleMs: cpu() - declared, properties: properties.length }),
    );
  });
}

function main(n, rounds) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`register-cost: N = ${n}, ${rounds} rounds, ${process.version}; load ${os.loadavg()[0].toFixed(2)}`);
  const results = [];
  for (const kind of KINDS) {
    for (const noTraces of [false, true]) {
      const runs = [];
      for (let r = 0; r < rounds; r++) {
        const out = execFileSync(process.execPath, [__filename, "--child", kind, String(n), noTraces ? "0" : "-"], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        });
        runs.push(JSON.parse(out));
      }
      const row = {
        kind,
        stackTraces: noTraces ? "off while declaring" : "as Pulumi takes them",
        properties: runs[0].properties,
        declareMs: median(runs.map((x) => x.declareMs)),
        settleMs: median(runs.map((x) => x.settleMs)),
      };
      results.push(row);
      console.log(
        `  ${kind.padEnd(12)} ${row.stackTraces.padEnd(22)} ${String(row.properties).padStart(3)} properties  ` +
          `declare ${row.declareMs.toFixed(0).padStart(5)} ms  then ${row.settleMs.toFixed(0).padStart(4)} ms CPU`,
      );
    }
  }
  const out = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0] && os.cpus()[0].model, cores: os.cpus().length, node: process.version },
    loadAverage: os.loadavg(),
    n,
    rounds,
    results,
  };
  fs.writeFileSync(path.join(__dirname, "results", "register-cost.json"), JSON.stringify(out, null, 2) + "\n");
  console.log("wrote bench/results/register-cost.json");
}
