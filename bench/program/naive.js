// The naive peer: a dynamic provider written the way most examples on the web are. It imports
// the Milvus SDK at module load and makes a new MilvusClient for every call. It makes the same
// calls as MilvusUserPassword (existence check, change, login proofs), each on a client of its
// own, so the difference to ours is the client per call and nothing else.
"use strict";
const pulumi = require("@pulumi/pulumi");
const sdk = require("@zilliz/milvus2-sdk-node");

async function withClient(address, username, password, fn) {
  const client = new sdk.MilvusClient({
    address,
    username,
    password,
    maxRetries: 0,
    logLevel: "error",
    telemetry: { enabled: false },
  });
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

const asRoot = (p, fn) => withClient(p.address, "root", p.rootPassword, fn);

/** A login proof: a client of its own, connected as the user (the SDK connects eagerly). */
const canLogin = (p, password) => withClient(p.address, p.user, password, async () => true).catch(() => false);

async function exists(p) {
  return asRoot(p, async (c) => ((await c.listUsers()).usernames || []).includes(p.user));
}

const provider = {
  async create(inputs) {
    if (!(await exists(inputs)))
      await asRoot(inputs, async (c) =>
        ok(await c.createUser({ username: inputs.user, password: inputs.password }), "createUser"),
      );
    if (!(await canLogin(inputs, inputs.password))) throw new Error("the new password does not log in");
    return { id: inputs.user, outs: inputs };
  },
  async diff(_id, olds, news) {
    return { changes: olds.password !== news.password };
  },
  async update(_id, olds, news) {
    await asRoot(news, async (c) =>
      ok(
        await c.updateUser({ username: news.user, oldPassword: olds.password, newPassword: news.password }),
        "updateUser",
      ),
    );
    if (!(await canLogin(news, news.password))) throw new Error("the new password does not log in");
    if (await canLogin(news, olds.password)) throw new Error("the old password still logs in");
    return { outs: news };
  },
  async read(id, props) {
    if (!(await canLogin(props, props.password)) && !(await exists(props))) return { id: "", props: undefined };
    return { id, props };
  },
  async delete(_id, props) {
    if (await exists(props))
      await asRoot(props, async (c) => ok(await c.deleteUser({ username: props.user }), "deleteUser"));
  },
};

exports.program = (cfg, n, round, prefix) => {
  const rootPassword = cfg.requireSecret("rootPassword");
  for (let i = 0; i < n; i++) {
    new pulumi.dynamic.Resource(
      provider,
      `r${i}`,
      {
        address: cfg.require("milvusAddress"),
        rootPassword,
        user: `${prefix}_${i}`,
        password: pulumi.secret(`Naive-${i}-round-${round}`),
      },
      { additionalSecretOutputs: ["password", "rootPassword"] },
    );
  }
};
