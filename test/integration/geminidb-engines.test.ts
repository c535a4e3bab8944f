/**
 * GeminiDbAdminPassword on Redis and Influx instances, against a real redis-server (TLS, with its
 * CA, as on new GeminiDB Redis instances) and a real influxd behind the GeminiDB emulator (each
 * reset becomes CONFIG SET requirepass / SET PASSWORD FOR rwuser there): the login proof after
 * every reset, drift found by refresh and repaired by the next update, the `engine` output,
 * Redis password-free access (a note instead of a failure, only when passwordless-config covers
 * this address), and an HBase instance refused by name before any reset. (What goes wrong is in
 * the fault matrix.) The lifecycle runs as the provider host runs it (the built package), with a
 * short proof bound injected.
 */
import * as assert from "assert";
import fetch from "node-fetch";
import { GEMINIDB_RETRY } from "../../provider/geminidb/client";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "../../provider/geminidb/schema";
import { GeminiDbEmulator, TEST_PROJECT, emulatorInputs, startEmulator } from "../../harness/geminidb-emulator";
import { RealInflux, startRealInflux } from "../../harness/real-influx";
import { RealRedis, startRealRedis } from "../../harness/real-redis";
import { redisExchange, redisLogin, respCommand } from "../../provider/redis/client";
import { influxLogin } from "../../provider/influx/client";
import { assertNoLeak, captureOutput, errorTexts } from "../helpers/leaks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dist: typeof import("../../provider/geminidb/operations") = require("pulumi-db-passwords/dist/geminidb/operations");
const ops = dist.withSettings({
  retry: { ...GEMINIDB_RETRY, baseDelayMs: 50, maxDelayMs: 500, maxElapsedMs: 5000 },
  proof: { boundMs: 3000, baseDelayMs: 100, maxDelayMs: 500 },
});

const REDIS_ID = "e1b2c3d4e5f60718293a4b5c6d7e8f90in12";
const INFLUX_ID = "f1b2c3d4e5f60718293a4b5c6d7e8f90in13";
const HBASE_ID = "01b2c3d4e5f60718293a4b5c6d7e8f90in15";
const INITIAL = "Eng-initial-Pw0~";
const P = ["Eng-rw-Pw01~x", "Eng-rw-Pw02~x", "Eng-rw-Pw03~x", "Eng-rw-Pw04~x"];
const CONSOLE = "Eng-console-Pw9~";
const ALL = [INITIAL, ...P, CONSOLE];

describe("GeminiDbAdminPassword on real Redis and InfluxDB servers", function () {
  this.timeout(60000);
  let redis: RealRedis;
  let influx: RealInflux;
  let emu: GeminiDbEmulator;
  let token: string;

  before(async () => {
    [redis, influx] = await Promise.all([
      startRealRedis({ password: INITIAL, tls: true }),
      startRealInflux({ adminPassword: INITIAL }),
    ]);
  });
  after(async () => {
    await Promise.all([redis?.destroy(), influx?.destroy()]);
  });
  beforeEach(async () => {
    // each test starts from what the servers hold now
    emu = await startEmulator((e) => {
      const add = (id: string, datastore: string, password: string) =>
        e.instances.set(id, { id, projectId: TEST_PROJECT, status: "normal", datastore, actions: [], password });
      add(REDIS_ID, "redis", redis.password);
      add(INFLUX_ID, "influxdb", influx.admin.password);
      add(HBASE_ID, "hbase", INITIAL);
      e.backWith(REDIS_ID, { kind: "redis", server: redis });
      e.backWith(INFLUX_ID, { kind: "influx", server: influx });
    });
    token = emu.issueToken(TEST_PROJECT);
  });
  afterEach(async () => {
    // a test that left Redis password-free gives it its password back
    if (emu.isPasswordFree(REDIS_ID)) await passwordless([]);
    await emu.stop();
  });

  /** PUT passwordless-config of the Redis instance, as the console does. */
  async function passwordless(configIps: string[]) {
    const res = await fetch(`${emu.url}/v3/${TEST_PROJECT}/instances/${REDIS_ID}/passwordless-config`, {
      method: "PUT",
      headers: { "X-Auth-Token": token, "Content-Type": "application/json" },
      body: JSON.stringify({ config_ips: configIps }),
    });
    assert.strictEqual(res.status, 200, await res.text());
  }

  const base = (instanceId: string, password: string) => emulatorInputs(emu, { instanceId, auth: { token }, password });
  const redisBlock = () => ({ address: redis.address, caCertificate: redis.caCertificate, timeoutMs: 2000 });
  const influxBlock = () => ({ address: influx.address, timeoutMs: 2000 });
  const redisInputs = (password: string, extra: Partial<GeminiDbAdminPasswordInputs> = {}) =>
    ({ ...base(REDIS_ID, password), redis: redisBlock(), ...extra }) as GeminiDbAdminPasswordInputs;
  const influxInputs = (password: string, extra: Partial<GeminiDbAdminPasswordInputs> = {}) =>
    ({ ...base(INFLUX_ID, password), influx: influxBlock(), ...extra }) as GeminiDbAdminPasswordInputs;

  const engines = [
    {
      name: "Redis (TLS with the server's CA, the default)",
      engine: "redis",
      inputs: redisInputs,
      login: (pw: string) => redisLogin(redis.target(), pw),
      outOfBand: (pw: string) => redis.setPassword(pw),
    },
    {
      name: "Influx",
      engine: "influxdb",
      inputs: influxInputs,
      login: (pw: string) => influxLogin(influx.target(), "rwuser", pw),
      outOfBand: (pw: string) => influx.setPassword(pw),
    },
  ];

  for (const e of engines) {
    describe(e.name, () => {
      it(`proves create and rotation on the real server: the new password logs in, the old one is refused; engine ${e.engine}`, async () => {
        const old = emu.instances.get(e.engine === "redis" ? REDIS_ID : INFLUX_ID)!.password;
        const r = await captureOutput(async () => {
          const created = await ops.create(e.inputs(P[0], { engine: e.engine }));
          assert.strictEqual(created.outs!.passwordVerified, true);
          assert.strictEqual(created.outs!.engine, e.engine);
          assert.strictEqual(created.notes, undefined);
          assert.strictEqual(await e.login(P[0]), true);
          assert.strictEqual(await e.login(old), false);
          emu.resetCounts();
          const updated = await ops.update(created.id, created.outs!, e.inputs(P[1]));
          assert.strictEqual(updated.outs!.passwordVerified, true);
          assert.strictEqual(updated.outs!.engine, e.engine);
          assert.strictEqual(emu.count("password.put"), 1);
          assert.strictEqual(
            emu.count("passwordless.get"),
            0,
            "a proved reset does not ask about password-free access",
          );
          assert.strictEqual(await e.login(P[1]), true);
          assert.strictEqual(await e.login(P[0]), false);
        });
        assert.ok(!r.error, String(r.error));
        assertNoLeak([r.output], ALL, "log");
      });

      it("refresh after a reset elsewhere reports passwordVerified false without a secret; the next update repairs it", async () => {
        const created = await ops.create(e.inputs(P[2]));
        await e.outOfBand(CONSOLE);
        const r = await captureOutput(() => ops.read(created.id, created.outs!));
        assert.ok(!r.error, String(r.error));
        const drifted = r.result!.props as GeminiDbAdminPasswordOutputs;
        assert.strictEqual(drifted.passwordVerified, false);
        assert.strictEqual(drifted.password, P[2], "state keeps the password it set");
        assertNoLeak([r.output, JSON.stringify(drifted)], [CONSOLE], "refresh");
        assertNoLeak([r.output], ALL, "refresh log");
        const d = await ops.diff(created.id, drifted, e.inputs(P[2]));
        assert.deepStrictEqual(d.diffs, ["passwordVerified"]);
        emu.resetCounts();
        const repaired = await ops.update(created.id, drifted, e.inputs(P[2]));
        assert.strictEqual(repaired.outs!.passwordVerified, true);
        assert.strictEqual(emu.count("password.put"), 1, "the repair resets the stored password again");
        assert.strictEqual(await e.login(P[2]), true);
        assert.strictEqual(await e.login(CONSOLE), false);
      });
    });
  }

  describe("Redis password-free access (passwordless-config)", () => {
    it("covering this address: the update succeeds with a note that the reset cannot be proved from here", async () => {
      const created = await ops.create(redisInputs(P[0]));
      await passwordless(["10.0.0.0/8", "127.0.0.1"]);
      emu.resetCounts();
      const r = await captureOutput(() => ops.update(created.id, created.outs!, redisInputs(P[1])));
      assert.ok(!r.error, String(r.error));
      const notes = r.result!.notes ?? [];
      assert.strictEqual(notes.length, 1, JSON.stringify(notes));
      assert.match(notes[0], /cannot be proved from this address: 127\.0\.0\.1 has password-free access/);
      assert.strictEqual(r.result!.outs!.engine, "redis");
      assert.strictEqual(emu.count("password.put"), 1);
      assert.strictEqual(emu.count("passwordless.get"), 1);
      assertNoLeak([...notes, r.output], ALL, "note");
      // the reset did take effect: with the configuration cleared, the new password is needed
      await passwordless([]);
      assert.strictEqual(await redisLogin(redis.target(), P[1]), true);
      assert.strictEqual(await redisLogin(redis.target(), P[0]), false);
    });

    it("a password-free check that fails after the reset fails the update with the reset recorded, unproved", async () => {
      const created = await ops.create(redisInputs(P[0]));
      await passwordless(["127.0.0.1"]);
      // every answer of the configuration query fails: the update cannot tell whether it is free
      emu.inject(
        "passwordless.get",
        ...Array(8).fill({ kind: "status", status: 500, code: "DBS.280005", msg: "Internal error" }),
      );
      const r = await captureOutput(() => ops.update(created.id, created.outs!, redisInputs(P[1])));
      const err = r.error as Error & { id?: string; properties?: Record<string, unknown>; serverCode?: string };
      assert.ok(err, "the update must fail");
      assert.match(err.message, /after the API reset the password, the proof \(redis\) failed/);
      assert.strictEqual(err.id, created.id, "it carries what the resource is now");
      assert.strictEqual(err.properties?.password, P[1], "state records the password the API set");
      assert.strictEqual(err.properties?.passwordVerified, false);
      assert.strictEqual(emu.instances.get(REDIS_ID)!.password, P[1]);
      assertNoLeak([...errorTexts(err), r.output], ALL, "error");
    });

    it("refresh on an instance that lets this address in without a password keeps the resource and says nothing false", async () => {
      const created = await ops.create(redisInputs(P[2]));
      await passwordless(["127.0.0.1"]);
      const r = await captureOutput(() => ops.read(created.id, created.outs!));
      assert.ok(!r.error, String(r.error));
      assert.strictEqual(r.result!.id, created.id);
      assert.strictEqual((r.result!.props as GeminiDbAdminPasswordOutputs).passwordVerified, true);
    });

    it("a proof block added to an existing resource proves the stored password before recording passwordVerified", async () => {
      const plain = { ...base(REDIS_ID, P[3]) } as GeminiDbAdminPasswordInputs;
      const created = await ops.create(plain);
      assert.strictEqual(created.outs!.passwordVerified, undefined, "no block, nothing verified");
      // the password changes behind Pulumi's back; then the program gains a redis block
      await redis.setPassword(CONSOLE);
      emu.instances.get(REDIS_ID)!.password = CONSOLE;
      emu.resetCounts();
      const u = await ops.update(created.id, created.outs!, redisInputs(P[3]));
      assert.strictEqual(emu.count("password.put"), 0, "adding a block resets nothing");
      assert.strictEqual(u.outs!.passwordVerified, false, "the stored password does not log in, and state says so");
      const d = await ops.diff(created.id, u.outs!, redisInputs(P[3]));
      assert.deepStrictEqual(d.diffs, ["passwordVerified"], "the next up repairs it");
      const repaired = await ops.update(created.id, u.outs!, redisInputs(P[3]));
      assert.strictEqual(repaired.outs!.passwordVerified, true);
      assert.strictEqual(await redisLogin(redis.target(), P[3]), true);
    });

    for (const [what, configIps] of [
      ["no password-free configuration", []],
      ["a configuration that covers other addresses only", ["10.9.9.9", "192.168.0.0/16"]],
    ] as Array<[string, string[]]>) {
      it(`${what}: an old password that still logs in fails the update naming redis`, async () => {
        const created = await ops.create(redisInputs(P[2]));
        if (configIps.length) await passwordless(configIps);
        // the proof reaches a Redis that takes the old password beside the new one (a second
        // password of its default user): what a block pointing at another database would find
        const both = await startRealRedis({ password: P[2], tls: true });
        try {
          await addRedisPassword(both, P[3]);
          emu.resetCounts();
          const block = { address: both.address, caCertificate: both.caCertificate, timeoutMs: 2000 };
          const r = await captureOutput(() =>
            ops.update(created.id, created.outs!, redisInputs(P[3], { redis: block })),
          );
          const err = r.error as Error & { serverCode?: string };
          assert.ok(err, "the update must fail");
          assert.strictEqual(err.name, "RedisError", String(err));
          assert.match(err.message, /old password still logs in too \(redis/);
          assert.strictEqual(emu.count("password.put"), 1);
          assert.strictEqual(emu.count("passwordless.get"), 1, "it asked whether this address is password-free");
          assertNoLeak([...errorTexts(err), r.output], ALL, "error");
        } finally {
          await both.destroy();
        }
      });
    }
  });

  it("refuses an HBase instance by name, with zero resets", async () => {
    const r = await captureOutput(() => ops.create({ ...base(HBASE_ID, P[0]) } as GeminiDbAdminPasswordInputs));
    const err = r.error as Error;
    assert.ok(err, "create must fail");
    assert.strictEqual(err.name, "GeminiDbError");
    assert.match(err.message, /GeminiDB hbase instance; the password reset serves Cassandra, Mongo, Influx and Redis/);
    assert.strictEqual(emu.count("password.put"), 0);
    assertNoLeak([...errorTexts(err), r.output], ALL, "error");
  });
});

/** Adds `password` as a second password of Redis's default user (ACL SETUSER default >pw). */
async function addRedisPassword(server: RealRedis, password: string): Promise<void> {
  const replies = await redisExchange(
    server.target(),
    [respCommand("AUTH", server.password), respCommand("ACL", "SETUSER", "default", `>${password}`)],
    [server.password, password],
  );
  if (!replies.every((r) => r.ok)) throw new Error("ACL SETUSER failed");
}
