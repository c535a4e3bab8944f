/**
 * The GeminiDB emulator's engines beyond Cassandra, over real HTTP with a token: the instance
 * query answers each engine's datastore type and version; the reset serves Cassandra, Mongo,
 * Influx and Redis (compared without case) under the current password rule and refuses other
 * engines with 403 DBS.200018; a Redis- or Influx-backed instance takes each reset on a real
 * redis-server / influxd (proved by the provider's own login proofs), faults included; the
 * password-free configuration of Redis instances (GET/PUT .../passwordless-config) answers in
 * Huawei's shapes and makes the real Redis password-free for the runner while it covers
 * 127.0.0.1.
 */
import * as assert from "assert";
import fetch from "node-fetch";
import {
  GeminiDbEmulator,
  TEST_PROJECT,
  ipv4Covers,
  isIpv4OrCidr,
  serverPasswordRule,
  startEmulator,
} from "../../harness/geminidb-emulator";
import { RealInflux, startRealInflux } from "../../harness/real-influx";
import { RealRedis, startRealRedis } from "../../harness/real-redis";
import { influxLogin } from "../../provider/influx/client";
import { redisLogin } from "../../provider/redis/client";
import { RedisError } from "../../provider/shared/errors";

const REDIS_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90in12";
const INFLUX_ID = "b1b2c3d4e5f60718293a4b5c6d7e8f90in13";
const MONGO_ID = "c1b2c3d4e5f60718293a4b5c6d7e8f90in10";
const HBASE_ID = "d1b2c3d4e5f60718293a4b5c6d7e8f90in15";
const PW = ["Engines-Pw0~a", "Engines-Pw1~b", "Engines-Pw2~c", "Engines-Pw3~d"];

describe("GeminiDB emulator: Redis, Influx, Mongo and HBase instances", function () {
  this.timeout(20000);
  let redis: RealRedis;
  let influx: RealInflux;
  let emu: GeminiDbEmulator;
  let token: string;

  before(async () => {
    [redis, influx] = await Promise.all([
      startRealRedis({ password: PW[0] }),
      startRealInflux({ adminPassword: PW[0] }),
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
      add(MONGO_ID, "mongodb", PW[0]);
      add(HBASE_ID, "hbase", PW[0]);
      e.backWith(REDIS_ID, { kind: "redis", server: redis });
      e.backWith(INFLUX_ID, { kind: "influx", server: influx });
    });
    token = emu.issueToken(TEST_PROJECT);
  });
  afterEach(async () => {
    // a test that left Redis password-free gives it its password back
    if (emu.isPasswordFree(REDIS_ID)) await call("PUT", `${REDIS_ID}/passwordless-config`, { config_ips: [] });
    await emu.stop();
  });

  /** One call of the GeminiDB API under /v3/{project}/instances/, with the token. */
  async function call(method: "GET" | "PUT", path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${emu.url}/v3/${TEST_PROJECT}/instances${path ? `/${path}` : ""}`, {
      method,
      headers: { "X-Auth-Token": token, "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
  }
  const reset = (id: string, password: string) => call("PUT", `${id}/password`, { password });
  const redisOk = (password: string) => redisLogin(redis.target(), password);
  const influxOk = (password: string) => influxLogin(influx.target(), "rwuser", password);
  /** The password that is not the server's now, one of two. */
  const other = (current: string, a: string, b: string) => (current === a ? b : a);

  it("answers the instance query with each engine's datastore type and a plausible version", async () => {
    const { status, json } = await call("GET", "");
    assert.strictEqual(status, 200);
    const byId = Object.fromEntries(
      (json.instances as Array<{ id: string; datastore: object }>).map((i) => [i.id, i.datastore]),
    );
    assert.deepStrictEqual(byId[REDIS_ID], { type: "redis", version: "6.2", patch_available: false });
    assert.deepStrictEqual(byId[INFLUX_ID], { type: "influxdb", version: "1.8", patch_available: false });
    assert.deepStrictEqual(byId[MONGO_ID], { type: "mongodb", version: "4.0", patch_available: false });
    assert.deepStrictEqual(byId[HBASE_ID], { type: "hbase", version: "2.3", patch_available: false });
    assert.strictEqual(json.total_count, 5);
  });

  const engines = [
    {
      name: "Redis",
      id: REDIS_ID,
      current: () => redis.password,
      login: redisOk,
      stop: () => redis.stop(),
      restart: () => redis.restart(),
    },
    {
      name: "Influx",
      id: INFLUX_ID,
      current: () => influx.admin.password,
      login: influxOk,
      stop: () => influx.stop(),
      restart: () => influx.restart(),
    },
  ];
  for (const engine of engines) {
    describe(`a ${engine.name}-backed instance`, () => {
      it("applies a reset to the real server before the 204: the new password logs in, the old one is refused", async () => {
        const old = engine.current();
        const next = other(old, PW[1], PW[2]);
        const { status, text } = await reset(engine.id, next);
        assert.strictEqual(status, 204);
        assert.strictEqual(text, "");
        assert.strictEqual(await engine.login(next), true);
        assert.strictEqual(await engine.login(old), false);
        assert.strictEqual(emu.instances.get(engine.id)!.password, next);
        assert.strictEqual(emu.count("password.put"), 1);
      });

      it("answers 204 for a reset that did nothing (fakeSuccess): the server keeps the old password", async () => {
        const old = engine.current();
        const next = other(old, PW[1], PW[2]);
        emu.inject("password.put", { kind: "fakeSuccess" });
        assert.strictEqual((await reset(engine.id, next)).status, 204);
        assert.strictEqual(await engine.login(old), true);
        assert.strictEqual(await engine.login(next), false);
        assert.strictEqual(emu.count("password.put"), 1);
      });

      it("answers 204 first and applies later with applyLater", async () => {
        const old = engine.current();
        const next = other(old, PW[1], PW[2]);
        emu.inject("password.put", { kind: "applyLater", ms: 300 });
        const applied = new Promise<void>((resolve) => {
          const poll = () => (engine.current() === next ? resolve() : setTimeout(poll, 20));
          poll();
        });
        assert.strictEqual((await reset(engine.id, next)).status, 204);
        assert.strictEqual(await engine.login(old), true, "the old password still logs in right after the 204");
        await applied;
        assert.strictEqual(await engine.login(next), true);
        assert.strictEqual(await engine.login(old), false);
      });

      it("answers 500 DBS.280005 when the server cannot take the password, and changes nothing", async () => {
        const old = engine.current();
        const next = other(old, PW[1], PW[2]);
        await engine.stop();
        try {
          const { status, json } = await reset(engine.id, next);
          assert.strictEqual(status, 500);
          assert.strictEqual(json.error_code, "DBS.280005");
          assert.strictEqual(emu.instances.get(engine.id)!.password, old);
        } finally {
          await engine.restart();
        }
        assert.strictEqual(await engine.login(old), true);
      });
    });
  }

  it("resets a Mongo instance (no real server behind it) and accepts the engine in any case", async () => {
    assert.strictEqual((await reset(MONGO_ID, PW[1])).status, 204);
    assert.strictEqual(emu.instances.get(MONGO_ID)!.password, PW[1]);
    emu.instances.get(MONGO_ID)!.datastore = "MongoDB";
    assert.strictEqual((await reset(MONGO_ID, PW[2])).status, 204);
    assert.strictEqual(emu.instances.get(MONGO_ID)!.password, PW[2]);
  });

  for (const datastore of ["hbase", "HBase", "dynamodb"]) {
    it(`refuses to reset a ${datastore} instance with 403 DBS.200018`, async () => {
      emu.instances.get(HBASE_ID)!.datastore = datastore;
      const { status, json } = await reset(HBASE_ID, PW[1]);
      assert.strictEqual(status, 403);
      assert.strictEqual(json.error_code, "DBS.200018");
      assert.strictEqual(emu.instances.get(HBASE_ID)!.password, PW[0]);
      assert.strictEqual(emu.count("password.put"), 1);
    });
  }

  describe("the password rule (current text, all four engines)", () => {
    const cases: Array<[string, string, boolean]> = [
      ["the new specials $ & ( )", "Abc$&()12345", true],
      ["two classes (lower and digits)", "abcdefg1", true],
      ["two classes (upper and specials)", "ABCDEFG~", true],
      ["8 characters", "Abcdefg1", true],
      ["32 characters", "Aa1~".repeat(8), true],
      ["one class", "abcdefgh", false],
      ["33 characters", "Aa1~".repeat(8) + "x", false],
      ["7 characters", "Abcde1~", false],
      ["a character outside the set (space)", "Abc def 123", false],
      ["a character outside the set (<)", "Abc<def123", false],
    ];
    for (const [what, pw, ok] of cases) {
      it(`${ok ? "accepts" : "refuses"} ${what}`, () => assert.strictEqual(serverPasswordRule(pw), ok));
    }

    it("resets a Redis server to a password with $ & ( ) over the API, and refuses the others with 400 DBS.200029", async () => {
      const old = redis.password;
      const next = old === "Abc$&()12345" ? "Abc$&()67890" : "Abc$&()12345";
      assert.strictEqual((await reset(REDIS_ID, next)).status, 204);
      assert.strictEqual(await redisOk(next), true);
      for (const bad of ["abcdefgh", "Aa1~".repeat(8) + "x"]) {
        const { status, json } = await reset(REDIS_ID, bad);
        assert.strictEqual(status, 400);
        assert.strictEqual(json.error_code, "DBS.200029");
      }
      assert.strictEqual(await redisOk(next), true);
      assert.strictEqual(emu.count("password.put"), 3);
    });
  });

  describe("the password-free configuration of Redis instances", () => {
    it("reads and writes config_ips in Huawei's shapes, with offset and limit", async () => {
      assert.deepStrictEqual((await call("GET", `${REDIS_ID}/passwordless-config`)).json, {
        config_ips: [],
        total_count: 0,
      });
      const ips = ["10.0.0.0/8", "192.168.1.10", "172.16.0.0/12"];
      const put = await call("PUT", `${REDIS_ID}/passwordless-config`, { config_ips: ips });
      assert.strictEqual(put.status, 200);
      assert.strictEqual(put.text, "", "documented: 200 without a body");
      assert.deepStrictEqual((await call("GET", `${REDIS_ID}/passwordless-config`)).json, {
        config_ips: ips,
        total_count: 3,
      });
      assert.deepStrictEqual((await call("GET", `${REDIS_ID}/passwordless-config?offset=1&limit=1`)).json, {
        config_ips: ["192.168.1.10"],
        total_count: 3,
      });
      assert.strictEqual((await call("PUT", `${REDIS_ID}/passwordless-config`, { config_ips: [] })).status, 200);
      assert.deepStrictEqual((await call("GET", `${REDIS_ID}/passwordless-config`)).json, {
        config_ips: [],
        total_count: 0,
      });
      assert.strictEqual(emu.count("passwordless.get"), 4);
      assert.strictEqual(emu.count("passwordless.put"), 2);
      // none of these covered the runner: the password was needed throughout
      assert.strictEqual(await redisOk("Not-the-pw~1"), false);
    });

    const refusals: Array<[string, "GET" | "PUT", string, unknown, number, string]> = [
      ["an Influx instance (GET)", "GET", INFLUX_ID, undefined, 403, "DBS.200018"],
      ["an Influx instance (PUT)", "PUT", INFLUX_ID, { config_ips: [] }, 403, "DBS.200018"],
      ["an HBase instance", "GET", HBASE_ID, undefined, 403, "DBS.200018"],
      ["a missing instance", "GET", "0000000000000000000000000000000in12", undefined, 404, "DBS.200002"],
      ["an address that is not IPv4", "PUT", REDIS_ID, { config_ips: ["300.1.1.1"] }, 400, "DBS.200091"],
      ["an IPv6 address", "PUT", REDIS_ID, { config_ips: ["::1"] }, 400, "DBS.200091"],
      ["a prefix over 32", "PUT", REDIS_ID, { config_ips: ["10.0.0.0/33"] }, 400, "DBS.200091"],
      ["the same address twice", "PUT", REDIS_ID, { config_ips: ["10.0.0.1", "10.0.0.1"] }, 400, "DBS.200092"],
      ["a body without config_ips", "PUT", REDIS_ID, { ips: [] }, 400, "DBS.200001"],
      ["limit 0", "GET", `${REDIS_ID}?limit=0`, undefined, 400, "DBS.280439"],
      ["limit 101", "GET", `${REDIS_ID}?limit=101`, undefined, 400, "DBS.280439"],
      ["a negative offset", "GET", `${REDIS_ID}?offset=-1`, undefined, 400, "DBS.280440"],
    ];
    for (const [what, method, target, body, status, code] of refusals) {
      it(`refuses ${what} with ${status} ${code}`, async () => {
        const [id, query = ""] = target.split("?");
        const res = await call(method, `${id}/passwordless-config${query ? `?${query}` : ""}`, body);
        assert.strictEqual(res.status, status, res.text);
        assert.strictEqual(res.json.error_code, code);
        assert.deepStrictEqual(emu.instances.get(REDIS_ID)!.configIps ?? [], []);
        assert.strictEqual(emu.isPasswordFree(REDIS_ID), false);
      });
    }

    it("is authenticated like every route, and takes injected faults", async () => {
      const anonymous = await call("GET", `${REDIS_ID}/passwordless-config`, undefined, { "X-Auth-Token": "MIIbogus" });
      assert.strictEqual(anonymous.status, 401);
      assert.strictEqual(anonymous.json.error_code, "APIG.0301");
      emu.inject("passwordless.get", { kind: "status", status: 503, code: "APIG.0202", msg: "Backend unavailable" });
      assert.strictEqual((await call("GET", `${REDIS_ID}/passwordless-config`)).status, 503);
      emu.inject("passwordless.put", { kind: "fakeSuccess" });
      const put = await call("PUT", `${REDIS_ID}/passwordless-config`, { config_ips: ["127.0.0.1"] });
      assert.strictEqual(put.status, 200);
      assert.deepStrictEqual((await call("GET", `${REDIS_ID}/passwordless-config`)).json.config_ips, []);
      assert.strictEqual(emu.isPasswordFree(REDIS_ID), false);
      assert.strictEqual(await redisOk("Not-the-pw~1"), false);
      assert.strictEqual(emu.count("passwordless.get"), 3);
      assert.strictEqual(emu.count("passwordless.put"), 1);
    });

    it("makes the real Redis password-free while config_ips cover 127.0.0.1; a reset meanwhile still takes effect", async () => {
      const old = redis.password;
      const next = other(old, PW[1], PW[2]);
      await call("PUT", `${REDIS_ID}/passwordless-config`, { config_ips: ["10.1.2.3", "127.0.0.0/8"] });
      assert.strictEqual(emu.isPasswordFree(REDIS_ID), true);
      // redis-server answers AUTH <password> on a password-free server with an error, which the
      // login proof reads as PASSWORD_FREE: any password is accepted, none can be proven
      for (const pw of [old, "Not-the-pw~1"]) {
        await assert.rejects(redisOk(pw), (err: unknown) => {
          assert.ok(err instanceof RedisError, String(err));
          assert.strictEqual(err.serverCode, "PASSWORD_FREE");
          assert.ok(!`${err.message}\n${err.stack}`.includes(pw), "no password in the error");
          return true;
        });
      }
      // a reset while password-free: 204, the server stays password-free for the runner
      assert.strictEqual((await reset(REDIS_ID, next)).status, 204);
      await assert.rejects(redisOk(next), /no password/);
      // cleared: the password is needed again, and it is the one the reset set
      assert.strictEqual((await call("PUT", `${REDIS_ID}/passwordless-config`, { config_ips: [] })).status, 200);
      assert.strictEqual(emu.isPasswordFree(REDIS_ID), false);
      assert.strictEqual(await redisOk(next), true);
      assert.strictEqual(await redisOk(old), false);
    });

    it("treats an entry that does not cover 127.0.0.1 as leaving the runner on its password", async () => {
      const old = redis.password;
      await call("PUT", `${REDIS_ID}/passwordless-config`, { config_ips: ["128.0.0.0/1", "127.0.0.2"] });
      assert.strictEqual(emu.isPasswordFree(REDIS_ID), false);
      assert.strictEqual(await redisOk(old), true);
      assert.strictEqual(await redisOk("Not-the-pw~1"), false);
    });
  });

  it("reads IPv4 addresses and CIDR blocks as GeminiDB's config_ips do", () => {
    for (const entry of ["127.0.0.1", "0.0.0.0/0", "127.0.0.0/8", "127.0.0.1/32"]) {
      assert.ok(ipv4Covers(entry, "127.0.0.1"), entry);
    }
    for (const entry of ["127.0.0.2", "128.0.0.0/1", "10.0.0.0/8", "127.0.0.0/33", "127.0.0.01", "localhost"]) {
      assert.ok(!ipv4Covers(entry, "127.0.0.1"), entry);
    }
    assert.ok(isIpv4OrCidr("192.168.0.0/16"));
    assert.ok(!isIpv4OrCidr("192.168.0.0/16/1"));
    assert.ok(!isIpv4OrCidr("256.0.0.1"));
  });
});
