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

function milvus() {
  const { MilvusUserPassword } = require("pulumi-db-passwords");
  const rootPassword = cfg.requireSecret("rootPassword");
  for (let i = 0; i < n; i++) {
    new MilvusUserPassword(`r${i}`, {
      connection: { address: cfg.require("milvusAddress"), username: "root", password: rootPassword },
      user: `${prefix}_${i}`,
      createIfMissing: true,
      deleteUserOnDestroy: true,
      rotationTrigger: round,
    });
  }
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

const scenarios = {
  floor,
  floorsecret,
  milvus,
  geminidb,
  "geminidb-cql": geminidbCql,
  "geminidb-redis": geminidbRedis,
  cassandra,
  naive: () => require("./naive").program(cfg, n, round, prefix),
};
scenarios[scenario]();
