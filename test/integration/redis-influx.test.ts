/**
 * The login proofs of GeminiDB for Redis and for Influx (provider/redis/client, provider/influx/
 * client) against real servers: Debian's redis-server 7.0 and influxd 1.6, each plain and with
 * TLS, started by the harness on loopback with passwords on. What a proof answers (true, false,
 * or a typed error, transient or not), that a reset done the way GeminiDB's API does it shows at
 * once, and that no error holds a password. Every server starts in well under a second.
 */
import * as assert from "assert";
import * as net from "net";
import { RealInflux, startRealInflux } from "../../harness/real-influx";
import { RealRedis, startRealRedis } from "../../harness/real-redis";
import { freePort } from "../../harness/support";
import { influxLogin } from "../../provider/influx/client";
import { redisLogin } from "../../provider/redis/client";
import { DbPasswordError, InfluxError, RedisError } from "../../provider/shared/errors";
import { assertNoLeak, errorTexts } from "../helpers/leaks";

const P = ["Rds-Pw01~aa", "Rds-Pw02~bb", "Rds-Pw03~cc"];
/**
 * Every character that quoting could get wrong, a line feed and non-ASCII included (and a CR
 * for Redis: InfluxQL has no way to write one).
 */
const AWKWARD = `Aw k'"\\$*%:&=+?#\n\u00e9\u4e2d-9`;
const WRONG = "Wrong-Pw9~zz";

/** One engine's server, as the cases below use it. */
interface Engine {
  name: string;
  tls: boolean;
  errorClass: typeof RedisError | typeof InfluxError;
  /** A password with every character quoting could get wrong. */
  awkward: string;
  address(): string;
  login(password: string, timeoutMs?: number, tls?: boolean): Promise<boolean>;
  setPassword(password: string): Promise<void>;
  current(): string;
  restart?(): Promise<void>;
  stop?(): Promise<void>;
}

function redisEngine(server: () => RealRedis, tls: boolean): Engine {
  return {
    name: `redis${tls ? " with TLS" : ""}`,
    tls,
    errorClass: RedisError,
    awkward: `\r${AWKWARD}\r\n`,
    address: () => server().address,
    login: (pw, timeoutMs = 2000, tls = server().tls) => redisLogin({ ...server().target(timeoutMs), tls }, pw),
    setPassword: (pw) => server().setPassword(pw),
    current: () => server().password,
    restart: () => server().restart(),
    stop: () => server().stop(),
  };
}

function influxEngine(server: () => RealInflux, tls: boolean): Engine {
  return {
    name: `influx${tls ? " with TLS" : ""}`,
    tls,
    errorClass: InfluxError,
    awkward: AWKWARD,
    address: () => server().address,
    login: (pw, timeoutMs = 2000, tls = server().tls) =>
      influxLogin({ ...server().target(timeoutMs), tls }, "rwuser", pw),
    setPassword: (pw) => server().setPassword(pw),
    current: () => server().admin.password,
    restart: () => server().restart(),
    stop: () => server().stop(),
  };
}

/** The error `fn` rejects with (fails when it resolves). */
async function rejection(fn: () => Promise<unknown>): Promise<DbPasswordError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof DbPasswordError, `not a typed error: ${String(err)}`);
    return err;
  }
  return assert.fail("resolved, expected a typed error");
}

describe("Redis and InfluxDB login proofs on real servers", function () {
  this.timeout(30000);
  let redis: RealRedis;
  let redisTls: RealRedis;
  let influx: RealInflux;
  let influxTls: RealInflux;

  before(async () => {
    [redis, redisTls, influx, influxTls] = await Promise.all([
      startRealRedis({ password: P[0] }),
      startRealRedis({ password: P[0], tls: true }),
      startRealInflux({ adminPassword: P[0] }),
      startRealInflux({ adminPassword: P[0], tls: true }),
    ]);
  });
  after(async () => {
    await Promise.all([redis, redisTls, influx, influxTls].map((s) => s?.destroy()));
  });

  const engines: Engine[] = [
    redisEngine(() => redis, false),
    redisEngine(() => redisTls, true),
    influxEngine(() => influx, false),
    influxEngine(() => influxTls, true),
  ];

  for (const engine of engines) {
    describe(engine.name, () => {
      it("logs in with the right password and is refused with a wrong one", async () => {
        assert.strictEqual(await engine.login(engine.current()), true);
        assert.strictEqual(await engine.login(WRONG), false);
      });

      it("after a reset the new password logs in at once and the old one is refused", async () => {
        const old = engine.current();
        const next = old === P[1] ? P[2] : P[1];
        await engine.setPassword(next);
        assert.strictEqual(await engine.login(next), true);
        assert.strictEqual(await engine.login(old), false);
      });

      it("carries any character of a password unchanged (quotes, backslash, line ends, non-ASCII)", async () => {
        const old = engine.current();
        await engine.setPassword(engine.awkward);
        assert.strictEqual(await engine.login(engine.awkward), true);
        assert.strictEqual(await engine.login(engine.awkward.slice(0, -1)), false);
        await engine.setPassword(old);
      });

      it("a TLS setting the server does not share is a typed error that holds no password", async () => {
        const err = await rejection(() => engine.login(engine.current(), 500, !engine.tls));
        assert.ok(err instanceof engine.errorClass);
        assert.strictEqual(err.operation, "login");
        assert.ok(err.target?.includes(engine.address()), err.message);
        assert.match(err.message, /tls/i);
        if (!engine.tls) {
          // a TLS client against a plain server: trying again will not help
          assert.strictEqual(err.serverCode, "TLS");
          assert.strictEqual(err.transient, false);
        }
        assertNoLeak(errorTexts(err), [engine.current()], "the error");
      });
    });
  }

  describe("a server that cannot be asked", () => {
    it("a closed port is a transient typed error, for each engine", async () => {
      const port = await freePort();
      const target = { hostPort: `127.0.0.1:${port}`, tls: false, timeoutMs: 1000 };
      const r = await rejection(() => redisLogin(target, P[0]));
      const f = await rejection(() => influxLogin(target, "rwuser", P[0]));
      for (const [err, cls] of [
        [r, RedisError],
        [f, InfluxError],
      ] as const) {
        assert.ok(err instanceof cls);
        assert.strictEqual(err.serverCode, "ECONNREFUSED");
        assert.strictEqual(err.transient, true);
        assertNoLeak(errorTexts(err), [P[0]], "the error");
      }
    });

    it("a server that accepts and never answers is a transient timeout within the bound", async () => {
      const held: net.Socket[] = [];
      const silent = net.createServer((s) => held.push(s));
      await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
      const target = {
        hostPort: `127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
        tls: false,
        timeoutMs: 300,
      };
      try {
        const t0 = Date.now();
        const r = await rejection(() => redisLogin(target, P[0]));
        const f = await rejection(() => influxLogin(target, "rwuser", P[0]));
        assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
        for (const err of [r, f]) {
          assert.strictEqual(err.serverCode, "TIMEOUT");
          assert.strictEqual(err.transient, true);
        }
        assert.strictEqual(held.length, 2, "one connection per proof");
      } finally {
        held.forEach((s) => s.destroy());
        await new Promise((r) => silent.close(r));
      }
    });

    it("a stopped server is refused (transient); restarted, the current password still logs in", async () => {
      for (const engine of [engines[0], engines[2]]) {
        const current = engine.current();
        await engine.stop!();
        const err = await rejection(() => engine.login(current));
        assert.strictEqual(err.transient, true, err.message);
        await engine.restart!();
        assert.strictEqual(await engine.login(current), true, engine.name);
      }
    });
  });

  describe("redis", () => {
    it("sends one AUTH on one connection per proof, the password as a RESP bulk string", async () => {
      const seen: Buffer[] = [];
      let connections = 0;
      const proxy = net.createServer((client) => {
        connections++;
        const upstream = net.connect(redis.port, "127.0.0.1");
        client.on("data", (d: Buffer) => seen.push(d));
        client.pipe(upstream).pipe(client);
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
      });
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
      try {
        const target = {
          hostPort: `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
          tls: false,
          timeoutMs: 2000,
        };
        assert.strictEqual(await redisLogin(target, redis.password), true);
        assert.strictEqual(await redisLogin(target, WRONG), false);
        assert.strictEqual(connections, 2);
        const sent = Buffer.concat(seen).toString("utf8");
        assert.strictEqual(sent.match(/AUTH/g)?.length, 2);
        const pw = Buffer.from(redis.password, "utf8");
        assert.ok(sent.includes(`*2\r\n$4\r\nAUTH\r\n$${pw.length}\r\n${redis.password}\r\n*1\r\n$4\r\nPING\r\n`));
      } finally {
        await new Promise((r) => proxy.close(r));
      }
    });

    it("a server without a password is a non-transient PASSWORD_FREE error: no password can be proven", async () => {
      const current = redis.password;
      await redis.setPassword("");
      try {
        const err = await rejection(() => redisLogin(redis.target(), current));
        assert.ok(err instanceof RedisError);
        assert.strictEqual(err.serverCode, "PASSWORD_FREE");
        assert.strictEqual(err.transient, false);
        assertNoLeak(errorTexts(err), [current], "the error");
      } finally {
        await redis.setPassword(current);
      }
      assert.strictEqual(await redisLogin(redis.target(), current), true);
    });
  });

  describe("influx", () => {
    it("a wrong password and an unknown user are both refused (401: false)", async () => {
      assert.strictEqual(await influxLogin(influx.target(), "rwuser", WRONG), false);
      assert.strictEqual(await influxLogin(influx.target(), "nobody", influx.admin.password), false);
    });
  });
});
