// The benchmark's program: `n` resources of one scenario, rotated by changing `round`.
// Plain JavaScript (no TypeScript compile in any scenario), run by bench/run.ts through the
// real CLI from a project directory where pulumi-db-passwords is installed as a user has it.
"use strict";
const pulumi = require("@pulumi/pulumi");

const cfg = new pulumi.Config();
const scenario = cfg.require("scenario");
const n = cfg.requireNumber("n");
const round = cfg.require("round");
const prefix = cfg.require("prefix");

// The engine's floor: a dynamic provider whose methods return at once.
const noop = {
  async check(_olds, news) {
    return { inputs: news };
  },
  async diff(_id, olds, news) {
    return { changes: olds.round !== news.round };
  },
  async create(inputs) {
    return { id: inputs.name, outs: inputs };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
  async delete() {},
};

function floor() {
  for (let i = 0; i < n; i++) new pulumi.dynamic.Resource(noop, `r${i}`, { name: `${prefix}_${i}`, round }, {});
}

// The strict floor: the same no-op methods in a module of their own (bench/floor-provider,
// installed as node_modules/pdp-bench-floor), registered the way pulumi-db-passwords registers
// its resources (provider/shared/dynamic.ts dynamicRegistration): a CustomResource of a
// `pulumi-nodejs:dynamic/...` type whose `__provider` requires the module by package path,
// byte for byte the text of `providerReference`. No closure serializer runs on either side, in
// the program or in the dynamic provider host, as for ours.
const FLOOR_REFERENCE =
  "exports.handler = __f0;\n" +
  'const p = require("pdp-bench-floor/provider.js");\n' +
  "\n" +
  "function __f0() {\n" +
  "  return (function() {\n" +
  "    with({ this: undefined, arguments: undefined }) {\n" +
  "\n" +
  "return () => p;\n" +
  "\n" +
  "    }\n" +
  "  }).apply(undefined, undefined).apply(this, arguments);\n" +
  "}\n";

function strictfloor() {
  for (let i = 0; i < n; i++) {
    new pulumi.CustomResource("pulumi-nodejs:dynamic/floor:Noop", `r${i}`, {
      name: `${prefix}_${i}`,
      round,
      __provider: FLOOR_REFERENCE,
    });
  }
}

// A diagnostic beside the strict floor: the same no-op provider, with the properties a
// MilvusUserPassword registers (its inputs, every output as a property to fill, the secret
// ones kept secret). What that shape costs Pulumi by itself: the program registers 15
// properties a resource instead of 3, and the engine stores and diffs them.
function strictfloorshape() {
  const rootPassword = cfg.requireSecret("rootPassword");
  const outputs = ["password", "address", "passwordVerified", "rotatedAt", "nextRotationAt", "activeUser"];
  for (let i = 0; i < n; i++) {
    new pulumi.CustomResource(
      "pulumi-nodejs:dynamic/floor:Shaped",
      `r${i}`,
      {
        ...Object.fromEntries([...outputs, "passwordSeed", "standbyPassword"].map((k) => [k, undefined])),
        name: `${prefix}_${i}`,
        round,
        connection: { address: cfg.require("milvusAddress"), username: "root", password: rootPassword },
        user: `${prefix}_${i}`,
        createIfMissing: true,
        deleteUserOnDestroy: true,
        rotationTrigger: round,
        __provider: FLOOR_REFERENCE,
      },
      { additionalSecretOutputs: ["connection", "password", "currentPassword", "passwordSeed", "standbyPassword"] },
    );
  }
}

function floorsecret() {
  // A diagnostic, not a target: the floor with the secrets a password resource carries (the
  // admin password among the inputs, a password among the outputs), to show what secret
  // state costs the engine itself.
  const rootPassword = cfg.requireSecret("rootPassword");
  for (let i = 0; i < n; i++) {
    const inputs = {
      name: `${prefix}_${i}`,
      round,
      connection: { password: rootPassword },
      password: `pw-${i}-${round}`,
    };
    new pulumi.dynamic.Resource(noop, `r${i}`, inputs, { additionalSecretOutputs: ["password", "connection"] });
  }
}

// Resource i of the milvus scenarios.
function milvusUser(MilvusUserPassword, rootPassword, i) {
  new MilvusUserPassword(`r${i}`, {
    connection: { address: cfg.require("milvusAddress"), username: "root", password: rootPassword },
    user: `${prefix}_${i}`,
    createIfMissing: true,
    deleteUserOnDestroy: true,
    rotationTrigger: round,
  });
}

function milvus() {
  const { MilvusUserPassword } = require("pulumi-db-passwords");
  const rootPassword = cfg.requireSecret("rootPassword");
  for (let i = 0; i < n; i++) milvusUser(MilvusUserPassword, rootPassword, i);
}

// A diagnostic: milvus() with the stack traces Pulumi's SDK takes for every registered property
// (four a property, for its leaked-promise messages, each formatted through source maps), which
// our classes turn off while they register unless PULUMI_DEBUG_PROMISE_LEAKS is set. Set here,
// after @pulumi/pulumi has read it at load, so that only our classes see it: the difference
// between this scenario and milvus is what turning them off saves.
function milvusTraces() {
  process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
  milvus();
}

function geminidb() {
  const { GeminiDbAdminPassword } = require("pulumi-db-passwords");
  const instances = cfg.requireObject("instances");
  for (let i = 0; i < n; i++) {
    new GeminiDbAdminPassword(`r${i}`, {
      region: "eu-west-101",
      projectId: cfg.require("projectId"),
      instanceId: instances[i],
      endpoint: cfg.require("endpoint"),
      iamEndpoint: cfg.require("endpoint"),
      rotationTrigger: round,
    }); // token from HW_AUTH_TOKEN
  }
}

// Every reset proved over CQL: instance i's rwuser logs in at cqlAddresses[i].
function geminidbCql() {
  const { GeminiDbAdminPassword } = require("pulumi-db-passwords");
  const instances = cfg.requireObject("instances");
  const addresses = cfg.requireObject("cqlAddresses");
  for (let i = 0; i < n; i++) {
    new GeminiDbAdminPassword(`r${i}`, {
      region: "eu-west-101",
      projectId: cfg.require("projectId"),
      instanceId: instances[i],
      endpoint: cfg.require("cqlEndpoint"),
      iamEndpoint: cfg.require("cqlEndpoint"),
      rotationTrigger: round,
      cql: { address: addresses[i] },
    }); // token from HW_AUTH_TOKEN
  }
}

// Every reset proved on a real Redis: instance i's rwuser logs in at redisAddresses[i] over TLS,
// trusting the CA of that instance (redisCaCertificates[i]).
function geminidbRedis() {
  const { GeminiDbAdminPassword } = require("pulumi-db-passwords");
  const instances = cfg.requireObject("redisInstances");
  const addresses = cfg.requireObject("redisAddresses");
  const cas = cfg.requireObject("redisCaCertificates");
  for (let i = 0; i < n; i++) {
    new GeminiDbAdminPassword(`r${i}`, {
      region: "eu-west-101",
      projectId: cfg.require("projectId"),
      instanceId: instances[i],
      endpoint: cfg.require("endpoint"),
      iamEndpoint: cfg.require("endpoint"),
      engine: "redis",
      rotationTrigger: round,
      redis: { address: addresses[i], caCertificate: cas[i] },
    }); // token from HW_AUTH_TOKEN
  }
}

function cassandra() {
  const { CassandraRolePassword } = require("pulumi-db-passwords");
  const password = cfg.requireSecret("cassandraPassword");
  for (let i = 0; i < n; i++) {
    new CassandraRolePassword(`r${i}`, {
      connection: { address: cfg.require("cassandraAddress"), username: "cassandra", password },
      role: `${prefix}_${i}`,
      createIfMissing: true,
      deleteRoleOnDestroy: true,
      rotationTrigger: round,
    });
  }
}

// The 3-node cluster: proofs on the contact point only (discover false) or on every node.
function cassandraCluster(discover) {
  const { CassandraRolePassword } = require("pulumi-db-passwords");
  const password = cfg.requireSecret("clusterPassword");
  for (let i = 0; i < n; i++) {
    new CassandraRolePassword(`r${i}`, {
      connection: {
        address: cfg.require("clusterAddress"),
        username: cfg.require("clusterUser"),
        password,
        discoverNodes: discover,
      },
      role: `${prefix}_${i}`,
      createIfMissing: true,
      deleteRoleOnDestroy: true,
      rotationTrigger: round,
    });
  }
}

const scenarios = {
  floor,
  strictfloor,
  strictfloorshape,
  floorsecret,
  milvus,
  "milvus-traces": milvusTraces,
  geminidb,
  "geminidb-cql": geminidbCql,
  "geminidb-redis": geminidbRedis,
  cassandra,
  "cassandra-cluster1": () => cassandraCluster(false),
  "cassandra-cluster3": () => cassandraCluster(true),
  naive: () => require("./naive").program(cfg, n, round, prefix),
};
scenarios[scenario]();
