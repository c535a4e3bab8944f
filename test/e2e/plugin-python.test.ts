/**
 * Python programs through the dbpasswords plugin, run as a user runs them (the real CLI and
 * Pulumi's Python language host, PyPI pulumi, the generated SDK installed with pip from
 * sdk/python): examples/python-milvus-zero-downtime against a real embedded Milvus, with
 * pymilvus as the witness; examples/geminidb-redis-admin-password against the GeminiDB
 * emulator whose Redis instance is backed by a real redis-server with TLS, the provider's own
 * Redis login (AUTH + PING) as the witness. After every step the state is audited: no
 * plaintext secret in the export, in any backend file or in CLI output; every secret field
 * encrypted.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { MilvusSession } from "../../provider/milvus/client";
import { RealMilvus, setRootPassword, startRealMilvus } from "../../harness/real-milvus";
import { pymilvusCanLogin } from "../../harness/pymilvus";
import { CliResult, PulumiProject, pluginResources } from "../../harness/pulumi-cli";
import { secretValue } from "../../harness/support";
import { REPO_ROOT, pythonWithSdk } from "../../harness/tools";
import { GeminiDbEmulator, TEST_PROJECT, startEmulator } from "../../harness/geminidb-emulator";
import { RealRedis, startRealRedis } from "../../harness/real-redis";
import { redisLogin } from "../../provider/redis/client";
import { auditPluginState } from "../helpers/audit";

const DAY_MS = 86_400_000;

describe("a Python program through the plugin (examples/python-milvus-zero-downtime)", function () {
  this.timeout(900000);
  const ROOT_PW = "Py-root-Pw1";
  const OUTSIDE = "Py-outside-Pw9";
  let milvus: RealMilvus;
  let project: PulumiProject;
  const outputs: CliResult[] = [];
  const seen: string[] = [ROOT_PW, OUTSIDE];

  const step = async (args: string[], ok = true) => {
    const r = await project.run(args);
    outputs.push(r);
    if (ok) assert.strictEqual(r.code, 0, r.all);
    return r;
  };
  /** The resource's outputs with secrets in plain text; every password seen joins the audit. */
  const resource = async () => {
    const r = pluginResources((await project.exportState(true)).json)[0];
    const outs = {
      ...r.outputs,
      password: secretValue(r.outputs.password),
      standbyPassword: secretValue(r.outputs.standbyPassword),
    };
    seen.push(outs.password, outs.standbyPassword);
    return outs as {
      activeUser: string;
      password: string;
      standbyPassword: string;
      user: string;
      standbyUser: string;
      passwordVerified: boolean;
      rotatedAt: string;
    };
  };
  const standbyOf = (r: { activeUser: string; user: string; standbyUser: string }) =>
    r.activeUser === r.user ? r.standbyUser : r.user;
  const audit = (mustHold: string[]) => auditPluginState(project, seen, outputs, { mustHold });

  before(async () => {
    milvus = await startRealMilvus();
    await setRootPassword(milvus, ROOT_PW);
    project = new PulumiProject(path.join(REPO_ROOT, "examples", "python-milvus-zero-downtime"), "e2e", {
      PULUMI_PYTHON_CMD: pythonWithSdk(),
    });
    await project.init({ milvusAddress: milvus.address, rotation: "2026-11" }, { milvusRootPassword: ROOT_PW });
  });
  after(async () => {
    await project?.cleanup();
    await milvus?.stop();
  });

  it("pulumi up creates both users through the Python SDK; pymilvus logs in as the active one", async () => {
    const r = await step(["up", "--yes"]);
    assert.match(r.stdout, /\+ 2 created/);
    const s = await resource();
    assert.strictEqual(s.activeUser, "search_blue");
    assert.strictEqual(s.passwordVerified, true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_blue", s.password), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_green", s.standbyPassword), true);
    assert.strictEqual((await project.ok(["stack", "output", "activeUser"])).stdout.trim(), "search_blue");
    assert.match((await project.ok(["stack", "output", "password"])).stdout, /\[secret\]/);
    assert.strictEqual(await audit([s.password, s.standbyPassword]), 1);
  });

  it("pulumi preview --expect-no-changes passes on the unchanged program", async () => {
    const r = await step(["preview", "--expect-no-changes"]);
    assert.match(r.stdout, /2 unchanged/);
    await audit([]);
  });

  it("a rotation by config change (the trigger) previews what changes and switches the active user", async () => {
    const before = await resource();
    await project.ok(["config", "set", "rotation", "2026-12"]);
    // A generated password is made by the update: the preview names what the inputs change.
    const preview = await step(["preview", "--diff"]);
    assert.match(preview.stdout, /~ dbpasswords:index:MilvusUserPassword: \(update\)/);
    assert.match(preview.stdout, /~ rotationTrigger\s*:\s*"2026-11" => "2026-12"/);
    assert.doesNotMatch(preview.stdout, /- password/, "a password the update makes must not show as going away");
    const r = await step(["up", "--yes"]);
    assert.match(r.stdout, /\[diff: ~rotatedAt,rotationTrigger\]/);
    const after = await resource();
    assert.strictEqual(after.activeUser, "search_green");
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_green", after.password), true);
    assert.strictEqual(
      await pymilvusCanLogin(milvus.address, "search_blue", before.password),
      true,
      "the previous user must keep working",
    );
    assert.strictEqual(after.standbyPassword, before.password);
    await audit([after.password]);
  });

  it("a rotation by schedule: once rotateAfterDays has passed, the next up rotates", async () => {
    await project.ok(["config", "set", "rotateAfterDays", "30"]);
    await step(["up", "--yes"]); // stores the schedule; not due
    const before = await resource();
    // age the state by 31 days, as time would
    const exported = await project.exportState(false);
    for (const r of pluginResources(exported.json)) {
      const back = new Date(Date.parse(r.outputs.rotatedAt) - 31 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
      r.inputs.rotatedAt = back;
      r.outputs.rotatedAt = back;
    }
    const file = path.join(project.stateDir, "aged.json");
    fs.writeFileSync(file, JSON.stringify(exported.json));
    await step(["stack", "import", "--file", file]);
    fs.rmSync(file);
    const preview = await step(["preview"]);
    assert.match(preview.all, /the password is due for rotation .*rotateAfterDays 30/);
    await step(["up", "--yes"]);
    const after = await resource();
    assert.notStrictEqual(after.password, before.password);
    assert.strictEqual(after.activeUser, standbyOf(before));
    assert.strictEqual(await pymilvusCanLogin(milvus.address, after.activeUser, after.password), true);
    assert.ok(Date.now() - Date.parse(after.rotatedAt) < 10 * 60_000, "rotatedAt is not the time of this rotation");
    await step(["preview", "--expect-no-changes"]);
    await audit([after.password]);
  });

  it("refresh shows a password changed outside Pulumi as passwordVerified: false; up repairs it", async () => {
    const s = await resource();
    const standby = standbyOf(s);
    const root = new MilvusSession(
      { hostPort: milvus.address, tls: false, timeoutMs: 10000 },
      { username: "root", password: ROOT_PW },
    );
    await root.updatePassword(standby, s.standbyPassword, OUTSIDE); // someone changed it by hand
    const refresh = await step(["refresh", "--yes", "--diff"]);
    assert.match(refresh.stdout, /passwordVerified\s*:\s*true\s*=>\s*false/);
    assert.strictEqual((await resource()).passwordVerified, false);
    const preview = await step(["preview"]);
    assert.match(preview.stdout, /~ 1 to update/, "drift previews as an update");
    // the standby side of a pair may be re-created: the next up repairs it without any input
    await step(["up", "--yes"]);
    const after = await resource();
    assert.strictEqual(after.passwordVerified, true);
    assert.strictEqual(after.activeUser, s.activeUser, "a repair is no rotation");
    assert.strictEqual(await pymilvusCanLogin(milvus.address, standby, s.standbyPassword), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, standby, OUTSIDE), false);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, s.activeUser, s.password), true);
    await step(["preview", "--expect-no-changes"]);
    await audit([s.password, s.standbyPassword]);
  });

  it("pulumi destroy with deleteUserOnDestroy removes both users", async () => {
    const s = await resource();
    await project.ok(["config", "set", "deleteUserOnDestroy", "true"]);
    const stored = await step(["up", "--yes"]);
    assert.match(stored.stdout, /\[diff: ~deleteUserOnDestroy\]/);
    const r = await step(["destroy", "--yes"]);
    assert.match(r.stdout, /- 2 deleted/);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, s.activeUser, s.password), false);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, standbyOf(s), s.standbyPassword), false);
    await audit([]);
  });
});

describe("a Python program through the plugin (examples/geminidb-redis-admin-password)", function () {
  this.timeout(600000);
  const INSTANCE = "e1b2c3d4e5f60718293a4b5c6d7e8f90in12";
  const INITIAL = "Py-redis-Init~0";
  const GIVEN = "Py-redis-Given~1";
  const OUTSIDE = "Py-redis-Console~9";
  const seen: string[] = [INITIAL, GIVEN, OUTSIDE];
  const outputs: CliResult[] = [];
  let redis: RealRedis;
  let emu: GeminiDbEmulator;
  let project: PulumiProject;

  const step = async (args: string[]) => {
    const r = await project.run(args);
    outputs.push(r);
    assert.strictEqual(r.code, 0, r.all);
    return r;
  };
  /** Whether `password` logs in on the real Redis now, over TLS with the harness's CA. */
  const logsIn = (password: string) => redisLogin(redis.target(5000), password);
  const resource = async () => {
    const r = pluginResources((await project.exportState(true)).json)[0];
    const password = secretValue(r.outputs.password) as string;
    seen.push(password);
    return { ...r.outputs, password } as { engine: string; password: string; passwordVerified: boolean };
  };
  const audit = (mustHold: string[]) => auditPluginState(project, seen, outputs, { mustHold });

  before(async () => {
    redis = await startRealRedis({ password: INITIAL, tls: true });
    const caFile = path.join(redis.dir, "console-ca.crt"); // as downloaded from the console
    fs.writeFileSync(caFile, redis.caCertificate!);
    emu = await startEmulator((e) => {
      e.instances.set(INSTANCE, {
        id: INSTANCE,
        projectId: TEST_PROJECT,
        status: "normal",
        datastore: "redis",
        actions: [],
        password: INITIAL,
      });
      e.backWith(INSTANCE, { kind: "redis", server: redis });
    });
    const token = emu.issueToken(TEST_PROJECT);
    seen.push(token);
    project = new PulumiProject(path.join(REPO_ROOT, "examples", "geminidb-redis-admin-password"), "e2e-redis", {
      HW_AUTH_TOKEN: token,
      PULUMI_PYTHON_CMD: pythonWithSdk(),
    });
    await project.init(
      {
        instanceId: INSTANCE,
        projectId: TEST_PROJECT,
        endpoint: emu.url,
        iamEndpoint: emu.url,
        redisAddress: redis.address,
        redisCaCertificateFile: caFile,
        rotation: "2026-11",
      },
      {},
    );
  });
  after(async () => {
    await project?.cleanup();
    await emu?.stop();
    await redis?.destroy();
  });

  it("pulumi up sets a generated rwuser password, proved on the real Redis over TLS: engine redis, verified", async () => {
    const r = await step(["up", "--yes"]);
    assert.match(r.stdout, /\+ 2 created/);
    const s = await resource();
    assert.strictEqual(s.engine, "redis");
    assert.strictEqual(s.passwordVerified, true);
    assert.strictEqual(emu.count("password.put"), 1);
    assert.strictEqual(await logsIn(s.password), true);
    assert.strictEqual(await logsIn(INITIAL), false, "the password the instance had is refused");
    assert.strictEqual((await project.ok(["stack", "output", "engine"])).stdout.trim(), "redis");
    assert.strictEqual((await project.ok(["stack", "output", "passwordVerified"])).stdout.trim(), "true");
    assert.match((await project.ok(["stack", "output", "password"])).stdout, /\[secret\]/);
    assert.strictEqual(await audit([s.password]), 1);
  });

  it("a rotation by config change (the trigger) sets a new generated password; the old one is refused", async () => {
    const before = await resource();
    await project.ok(["config", "set", "rotation", "2026-12"]);
    emu.resetCounts();
    const r = await step(["up", "--yes"]);
    assert.match(r.stdout, /\[diff: ~rotatedAt,rotationTrigger\]/);
    assert.strictEqual(emu.count("password.put"), 1);
    const after = await resource();
    assert.notStrictEqual(after.password, before.password);
    assert.strictEqual(after.passwordVerified, true);
    assert.strictEqual(await logsIn(after.password), true);
    assert.strictEqual(await logsIn(before.password), false);
    await step(["preview", "--expect-no-changes"]);
    await audit([after.password]);
  });

  it("a password from secret config resets to it", async () => {
    const before = await resource();
    await project.setSecret("rwuserPassword", GIVEN);
    await step(["up", "--yes"]);
    const after = await resource();
    assert.strictEqual(after.password, GIVEN);
    assert.strictEqual(after.passwordVerified, true);
    assert.strictEqual(await logsIn(GIVEN), true);
    assert.strictEqual(await logsIn(before.password), false);
    await step(["preview", "--expect-no-changes"]);
    await audit([GIVEN]);
  });

  it("refresh shows a reset made elsewhere as passwordVerified: true => false; the next up repairs it", async () => {
    await redis.setPassword(OUTSIDE); // someone reset it in the console
    const refresh = await step(["refresh", "--yes", "--diff"]);
    assert.match(refresh.stdout, /passwordVerified\s*:\s*true\s*=>\s*false/);
    assert.strictEqual((await resource()).passwordVerified, false);
    const preview = await step(["preview"]);
    assert.match(preview.stdout, /~ 1 to update/, "drift previews as an update");
    emu.resetCounts();
    await step(["up", "--yes"]);
    assert.strictEqual(emu.count("password.put"), 1, "the repair resets the password in state again");
    const s = await resource();
    assert.strictEqual(s.password, GIVEN);
    assert.strictEqual(s.passwordVerified, true);
    assert.strictEqual(await logsIn(GIVEN), true);
    assert.strictEqual(await logsIn(OUTSIDE), false);
    await step(["preview", "--expect-no-changes"]);
    await audit([GIVEN]);
  });

  it("pulumi destroy leaves the password as it is", async () => {
    emu.resetCounts();
    const r = await step(["destroy", "--yes"]);
    assert.match(r.stdout, /- 2 deleted/);
    assert.strictEqual(emu.count("password.put"), 0);
    assert.strictEqual(await logsIn(GIVEN), true);
    await audit([]);
  });
});
