/**
 * The provider plugin over its real gRPC interface (the process `bin/pulumi-resource-dbpasswords`,
 * called as the engine calls it), against the Milvus test server and the GeminiDB emulator:
 * secrets go back secret (nested ones too), a preview's unknown inputs are no failures, the
 * diff names what changes and whether it replaces, `pulumi import` reads by id, and every
 * lifecycle call reaches the same operations as the dynamic classes.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { MilvusTestServer, startMilvusTestServer } from "../../harness/milvus-grpc";
import { GeminiDbEmulator, TEST_INSTANCE, TEST_PROJECT, startEmulator } from "../../harness/geminidb-emulator";
import { REPO_ROOT } from "../../harness/tools";
import { assertNoLeak } from "../helpers/leaks";
import { PluginClient, UNKNOWN, isSecret, secret } from "../helpers/plugin-client";

const MILVUS = "dbpasswords:index:MilvusUserPassword";
const GEMINI = "dbpasswords:index:GeminiDbAdminPassword";
const ROOT_PW = "Plug-root-Pw1";
const BOOT = "Plug-boot-Pw0";
const P1 = "Plug-first-Pw1";
const P2 = "Plug-second-Pw2";

/** The value under a secret's signature, or the value itself. */
const plain = (v: any) => (isSecret(v) ? v.value : v);

describe("the dbpasswords plugin over gRPC", function () {
  this.timeout(60000);
  let plugin: PluginClient;
  let milvus: MilvusTestServer;
  let emu: GeminiDbEmulator;
  let token: string;

  before(async () => {
    milvus = await startMilvusTestServer({ root: ROOT_PW, app: BOOT });
    emu = await startEmulator();
    token = emu.issueToken(TEST_PROJECT);
    plugin = await PluginClient.start({ HW_AUTH_TOKEN: token });
  });
  after(async () => {
    plugin?.stop();
    await milvus?.stop();
    await emu?.stop();
  });
  afterEach(() => assertNoLeak([plugin.output.text], [ROOT_PW, BOOT, P1, P2, token], "the plugin's output"));

  const milvusInputs = (extra: object = {}) => ({
    connection: { address: milvus.address, username: "root", password: secret(ROOT_PW) },
    user: "app",
    ...extra,
  });

  it("serves the schema of schema.json and the package's version", async () => {
    const committed = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8"));
    assert.deepStrictEqual(await plugin.schema(), committed);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    assert.strictEqual(await plugin.version(), pkg.version);
  });

  it("check returns secret inputs secret, and wraps secret fields the program passed in plain text", async () => {
    const r = await plugin.check(MILVUS, {}, { ...milvusInputs({ password: secret(P1) }), currentPassword: BOOT });
    assert.deepStrictEqual(r.failures, []);
    assert.ok(isSecret(r.inputs.password), "password came back in plain text");
    assert.ok(isSecret(r.inputs.currentPassword), "a plain currentPassword was not made secret");
    assert.ok(isSecret(r.inputs.connection.password), "connection.password came back in plain text");
    assert.strictEqual(r.inputs.user, "app");
    assert.match(
      r.inputs.rotatedAt,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      "check stamps rotatedAt, as for the dynamic class",
    );
    assertNoLeak(
      [JSON.stringify(r.inputs).replace(/"value":"[^"]*"/g, "")],
      [P1, BOOT, ROOT_PW],
      "check's answer outside secrets",
    );
  });

  it("check names the field and the rule of a bad input, never its value, in the engine's safe form", async () => {
    const r = await plugin.check(MILVUS, {}, milvusInputs({ password: secret("short1!"), user: "9bad" }));
    const reasons = r.failures.map((f) => f.reason).sort();
    assert.strictEqual(r.failures.length, 2, JSON.stringify(r.failures));
    assert.ok(
      r.failures.every((f) => f.property === ""),
      "a failure names a top-level property: the engine would print its value",
    );
    assert.match(reasons[0], /^password: must be 8 to 64 characters/);
    assert.match(reasons[1], /^user: must start with a letter/);
    assertNoLeak(reasons, ["short1!", "9bad"], "check failures");
    assert.strictEqual(milvus.count("ListCredUsers") + milvus.count("UpdateCredential"), 0, "check called Milvus");
  });

  it("check lets inputs not known yet pass (a preview) and gives them back unknown", async () => {
    const r = await plugin.check(MILVUS, {}, milvusInputs({ password: UNKNOWN, standbyUser: UNKNOWN }));
    assert.deepStrictEqual(r.failures, []);
    assert.ok(
      isSecret(r.inputs.password) && plain(r.inputs.password) === UNKNOWN,
      "an unknown password is a secret unknown",
    );
    assert.strictEqual(r.inputs.standbyUser, UNKNOWN);
    const whole = await plugin.check(GEMINI, {}, { instanceId: TEST_INSTANCE, region: "eu-west-101", auth: UNKNOWN });
    assert.deepStrictEqual(whole.failures, []);
    assert.strictEqual(whole.inputs.auth, UNKNOWN);
    // what is known is still checked
    const bad = await plugin.check(MILVUS, {}, milvusInputs({ password: UNKNOWN, user: "9bad" }));
    assert.deepStrictEqual(
      bad.failures.map((f) => f.reason.split(":")[0]),
      ["user"],
    );
  });

  it("creates, rotates, refreshes and deletes a Milvus user, with every secret output wrapped", async () => {
    const inputs = (
      await plugin.check(MILVUS, {}, milvusInputs({ password: secret(P1), currentPassword: secret(BOOT) }))
    ).inputs;
    const created = await plugin.create(MILVUS, inputs);
    assert.strictEqual(created.id, `app@${milvus.address}`);
    assert.strictEqual(milvus.users.get("app"), P1);
    for (const key of ["password", "currentPassword"]) assert.ok(isSecret(created.outs[key]), `${key} is not secret`);
    assert.ok(isSecret(created.outs.connection.password), "connection.password is not secret in the outputs");
    assert.strictEqual(created.outs.passwordVerified, true);

    const news = (
      await plugin.check(MILVUS, inputs, milvusInputs({ password: secret(P2), currentPassword: secret(BOOT) }))
    ).inputs;
    const d = await plugin.diff(MILVUS, created.id, created.outs, news);
    assert.strictEqual(d.changes, "some");
    assert.deepStrictEqual(d.replaces, []);
    assert.deepStrictEqual(d.detailed.password, { kind: "update", inputDiff: true });
    // (rotatedAt too, when check's stamp fell in a later second than create's)
    assert.deepStrictEqual(
      Object.keys(d.detailed).filter((k) => k !== "rotatedAt"),
      ["password"],
    );
    const updated = await plugin.update(MILVUS, created.id, created.outs, news);
    assert.strictEqual(milvus.users.get("app"), P2);
    assert.ok(isSecret(updated.password));

    const same = await plugin.diff(MILVUS, created.id, updated, news);
    assert.strictEqual(same.changes, "none");

    milvus.users.set("app", "Outside-Pw9"); // changed outside Pulumi
    const read = await plugin.read(MILVUS, created.id, updated, news);
    assert.strictEqual(read.outs.passwordVerified, false);
    assert.ok(isSecret(read.outs.password), "refresh gave the password back in plain text");
    assert.ok(isSecret(read.inputs.password), "refresh gave the inputs back without their secrets");
    milvus.users.set("app", P2);

    await plugin.delete(MILVUS, created.id, { ...updated, deleteUserOnDestroy: true });
    assert.strictEqual(milvus.users.has("app"), false);
  });

  it("diff names a replacement, and takes an unknown identity for one", async () => {
    const state = {
      user: "app",
      address: milvus.address,
      password: secret(P1),
      passwordVerified: true,
      connection: { address: milvus.address },
    };
    const renamed = await plugin.diff(MILVUS, "app@x", state, {
      user: "other",
      connection: { address: milvus.address },
    });
    assert.deepStrictEqual(renamed.replaces, ["user"]);
    assert.deepStrictEqual(renamed.detailed.user, { kind: "update-replace", inputDiff: true });
    const unknown = await plugin.diff(MILVUS, "app@x", state, {
      user: "app",
      connection: { address: UNKNOWN },
      password: UNKNOWN,
    });
    assert.deepStrictEqual(unknown.replaces, ["connection.address"]);
    assert.strictEqual(unknown.detailed.password?.kind, "update");
    const generated = await plugin.diff(
      MILVUS,
      "app@x",
      { ...state, rotationTrigger: "q1" },
      {
        user: "app",
        connection: { address: milvus.address },
        rotationTrigger: "q2",
      },
    );
    // a password the update makes is not named: the engine would show it as a value going away
    assert.strictEqual(generated.changes, "some");
    assert.deepStrictEqual(Object.keys(generated.detailed), ["rotationTrigger"]);
    assert.deepStrictEqual(generated.detailed.rotationTrigger, { kind: "update", inputDiff: true });
    // drift alone changes only outputs: named, so that a refresh can show it
    const drift = await plugin.diff(
      MILVUS,
      "app@x",
      { ...state, passwordVerified: false },
      {
        user: "app",
        connection: { address: milvus.address },
      },
    );
    assert.deepStrictEqual(drift.detailed, { passwordVerified: { kind: "update", inputDiff: false } });
  });

  it("resets a GeminiDB password and reads an instance by id for pulumi import", async () => {
    const base = {
      instanceId: TEST_INSTANCE,
      projectId: TEST_PROJECT,
      region: "eu-west-101",
      endpoint: emu.url,
      iamEndpoint: emu.url,
    };
    const inputs = (await plugin.check(GEMINI, {}, { ...base, password: secret("Gem-Pw-001~x") })).inputs;
    const created = await plugin.create(GEMINI, inputs);
    assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, "Gem-Pw-001~x");
    assert.ok(isSecret(created.outs.password));
    assert.strictEqual(created.id, `${TEST_PROJECT}/${TEST_INSTANCE}`);

    // import: no state, the id, and region and endpoint from the environment
    const importer = await PluginClient.start({
      HW_AUTH_TOKEN: token,
      HW_REGION_NAME: "eu-west-101",
      HW_GEMINIDB_ENDPOINT: emu.url,
      HW_AUTH_URL: emu.url,
    });
    try {
      const adopted = await importer.read(GEMINI, created.id);
      assert.strictEqual(adopted.id, created.id);
      assert.deepStrictEqual(adopted.inputs, {
        instanceId: TEST_INSTANCE,
        projectId: TEST_PROJECT,
        region: "eu-west-101",
        endpoint: emu.url,
      });
      assert.strictEqual(adopted.outs.password, undefined, "an imported resource's password is unknown");
      const missing = await importer.read(GEMINI, `${TEST_PROJECT}/00000000000000000000000000000000in01`);
      assert.strictEqual(missing.id, "", "a missing instance must not be imported");
      await assert.rejects(importer.read(GEMINI, "not-an-id"), /import id must be projectId\/instanceId/);
    } finally {
      importer.stop();
    }
  });

  it("reads a Milvus user by id for pulumi import, with the admin identity of the environment", async () => {
    milvus.users.set("imported", BOOT);
    const importer = await PluginClient.start({ MILVUS_USER: "root", MILVUS_PASSWORD: ROOT_PW });
    try {
      const adopted = await importer.read(MILVUS, `imported@${milvus.address}`);
      assert.strictEqual(adopted.id, `imported@${milvus.address}`);
      assert.deepStrictEqual(adopted.inputs, { user: "imported", connection: { address: milvus.address } });
      assert.strictEqual(plain(adopted.outs.passwordVerified), false);
      assert.strictEqual((await importer.read(MILVUS, `nobody@${milvus.address}`)).id, "");
    } finally {
      importer.stop();
    }
  });

  it("refuses a type it does not serve", async () => {
    await assert.rejects(
      plugin.check("dbpasswords:index:Nope", {}, {}),
      /unknown resource type dbpasswords:index:Nope/,
    );
  });
});
