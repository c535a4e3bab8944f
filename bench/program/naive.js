// The naive peer: a dynamic provider written the way most examples on the web are. It imports
// the Milvus SDK at module load and makes a new MilvusClient for every call. Same work as
// MilvusUserPassword minus its proofs: create, rotate with the old password, refresh by
// logging in as the user, delete.
"use strict";
const pulumi = require("@pulumi/pulumi");
const sdk = require("@zilliz/milvus2-sdk-node");

async function withClient(address, username, password, fn) {
  const client = new sdk.MilvusClient({ address, username, password, maxRetries: 0, logLevel: "error", telemetry: { enabled: false } });
  try {
    await client.connectPromise;
    return await fn(client);
  } finally {
    await client.closeConnection();
  }
}

function ok(status, what) {
  if (!status || status.error_code !== "Success") throw new Error(`${what}: ${status && status.reason}`);
}

const provider = {
  async create(inputs) {
    await withClient(inputs.address, "root", inputs.rootPassword, async (c) => ok(await c.createUser({ username: inputs.user, password: inputs.password }), "createUser"));
    return { id: inputs.user, outs: inputs };
  },
  async diff(_id, olds, news) {
    return { changes: olds.password !== news.password };
  },
  async update(_id, olds, news) {
    await withClient(news.address, "root", news.rootPassword, async (c) =>
      ok(await c.updateUser({ username: news.user, oldPassword: olds.password, newPassword: news.password }), "updateUser"),
    );
    return { outs: news };
  },
  async read(id, props) {
    // connecting as the user is the login proof (the SDK connects eagerly, with a Connect RPC)
    await withClient(props.address, props.user, props.password, async () => undefined);
    return { id, props };
  },
  async delete(_id, props) {
    await withClient(props.address, "root", props.rootPassword, async (c) => ok(await c.deleteUser({ username: props.user }), "deleteUser"));
  },
};

exports.program = (cfg, n, round, prefix) => {
  const rootPassword = cfg.requireSecret("rootPassword");
  for (let i = 0; i < n; i++) {
    new pulumi.dynamic.Resource(
      provider,
      `r${i}`,
      { address: cfg.require("milvusAddress"), rootPassword, user: `${prefix}_${i}`, password: pulumi.secret(`Naive-${i}-round-${round}`) },
      { additionalSecretOutputs: ["password", "rootPassword"] },
    );
  }
};
