/**
 * GeminiDB Mongo's login proof (provider/mongo/client, the official driver) against a real
 * server that speaks MongoDB's wire protocol with SCRAM: FerretDB v1.24.2 (harness/real-mongo,
 * built from the Go module proxy), plain and TLS only, with rwuser in `admin`. What a login
 * answers (true, false, or a typed error), then GeminiDbAdminPassword on a Mongo instance of
 * the emulator backed by that server (each reset becomes `updateUser rwuser` there), run as the
 * provider host runs it (the built package) with a short proof bound: create and rotation
 * proved, drift found by refresh and repaired by the next update, a 204 that did nothing
 * refused. No password in any error or log. Each server starts in under a second (once built).
 */
import * as assert from "assert";
import { GEMINIDB_RETRY } from "../../provider/geminidb/client";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "../../provider/geminidb/schema";
import { GeminiDbEmulator, TEST_PROJECT, emulatorInputs, startEmulator } from "../../harness/geminidb-emulator";
import { RealMongo, startRealMongo } from "../../harness/real-mongo";
import { freePort } from "../../harness/support";
import { mongoLogin } from "../../provider/mongo/client";
import { DbPasswordError, MongoError } from "../../provider/shared/errors";
import { assertNoLeak, captureOutput, errorTexts } from "../helpers/leaks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dist: typeof import("../../provider/geminidb/operations") = require("pulumi-db-passwords/dist/geminidb/operations");
const ops = dist.withSettings({
  retry: { ...GEMINIDB_RETRY, baseDelayMs: 50, maxDelayMs: 500, maxElapsedMs: 5000 },
  proof: { boundMs: 3000, baseDelayMs: 100, maxDelayMs: 500 },
});

const MONGO_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90in02";
const INITIAL = "Mgo-initial-Pw0~";
const P = ["Mgo-rw-Pw01~x", "Mgo-rw-Pw02~x", "Mgo-rw-Pw03~x", "Mgo-rw-Pw04~x"];
const CONSOLE = "Mgo-console-Pw9~";
const WRONG = "Wrong-Pw9~zz";
const ALL = [INITIAL, ...P, CONSOLE, WRONG];

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

describe("GeminiDB Mongo on a real MongoDB-wire server (FerretDB)", function () {
  this.timeout(60000);
  let mongo: RealMongo;
  let mongoTls: RealMongo;

  before(async function () {
    // the first run on a machine builds FerretDB (scripts/install-ferretdb.sh, minutes)
    this.timeout(900000);
    [mongo, mongoTls] = await Promise.all([
      startRealMongo({ adminPassword: INITIAL }),
      startRealMongo({ adminPassword: INITIAL, tls: true }),
    ]);
  });
  after(async () => {
    await Promise.all([mongo?.destroy(), mongoTls?.destroy()]);
  });

  describe("mongoLogin", () => {
    for (const tls of [false, true]) {
      const server = () => (tls ? mongoTls : mongo);
      it(`${tls ? "TLS with the server's CA" : "plain"}: the right password logs in, a wrong one is refused (false)`, async () => {
        assert.strictEqual(await mongoLogin(server().target(), "rwuser", server().admin.password), true);
        assert.strictEqual(await mongoLogin(server().target(), "rwuser", WRONG), false);
        assert.strictEqual(await mongoLogin(server().target(), "nobody", server().admin.password), false);
      });
    }

    it("a closed port is a transient MongoError within the bound, without the password", async () => {
      const target = { hostPort: `127.0.0.1:${await freePort()}`, tls: false, timeoutMs: 500 };
      const t0 = Date.now();
      const err = await rejection(() => mongoLogin(target, "rwuser", INITIAL));
      assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
      assert.ok(err instanceof MongoError, String(err));
      assert.strictEqual(err.operation, "login");
      assert.strictEqual(err.transient, true);
      assert.ok(err.target?.includes(target.hostPort), err.message);
      assert.match(err.message, /ECONNREFUSED/);
      assertNoLeak(errorTexts(err), ALL, "the error");
    });

    it("TLS without the server's CA (the system's CAs only) is a non-transient TLS error", async () => {
      const target = { ...mongoTls.target(1000), caCertificate: undefined };
      const err = await rejection(() => mongoLogin(target, "rwuser", mongoTls.admin.password));
      assert.ok(err instanceof MongoError, String(err));
      assert.strictEqual(err.serverCode, "TLS");
      assert.strictEqual(err.transient, false);
      assert.match(err.message, /mongo\.tls and mongo\.caCertificate/);
      assertNoLeak(errorTexts(err), ALL, "the error");
    });

    // What the driver gives for a TLS setting the server does not share: no TLS reason at all
    // (server selection times out, or the monitor's connection is closed), so the error is a
    // transient "not reachable" within the bound. These cases pin that down.
    for (const [what, server, tls] of [
      ["a TLS client against a plain server", () => mongo, true],
      ["a plain client against a TLS-only server", () => mongoTls, false],
    ] as Array<[string, () => RealMongo, boolean]>) {
      it(`${what}: a typed error within the bound that names the target and holds no password`, async () => {
        const target = { ...server().target(1000), tls };
        const t0 = Date.now();
        const err = await rejection(() => mongoLogin(target, "rwuser", server().admin.password));
        assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
        assert.ok(err instanceof MongoError, String(err));
        assert.strictEqual(err.operation, "login");
        assert.ok(err.target?.includes(server().address), err.message);
        assertNoLeak(errorTexts(err), ALL, "the error");
      });
    }

    it("a password changed with updateUser: the new one logs in at once, the old one is refused", async () => {
      const old = mongo.admin.password;
      await mongo.setPassword(P[3]);
      assert.strictEqual(await mongoLogin(mongo.target(), "rwuser", P[3]), true);
      assert.strictEqual(await mongoLogin(mongo.target(), "rwuser", old), false);
      await mongo.setPassword(old);
    });
  });

  describe("GeminiDbAdminPassword on a Mongo instance backed by FerretDB", () => {
    let emu: GeminiDbEmulator;
    let token: string;

    beforeEach(async () => {
      // each test starts from what the server holds now
      emu = await startEmulator((e) => {
        e.instances.set(MONGO_ID, {
          id: MONGO_ID,
          projectId: TEST_PROJECT,
          status: "normal",
          datastore: "mongodb",
          actions: [],
          password: mongo.admin.password,
        });
        e.backWith(MONGO_ID, { kind: "mongo", server: mongo });
      });
      token = emu.issueToken(TEST_PROJECT);
    });
    afterEach(() => emu.stop());

    const inputs = (password: string, extra: Partial<GeminiDbAdminPasswordInputs> = {}) =>
      emulatorInputs(emu, {
        instanceId: MONGO_ID,
        auth: { token },
        password,
        mongo: { address: mongo.address, timeoutMs: 2000 },
        ...extra,
      });
    const login = (pw: string) => mongoLogin(mongo.target(), "rwuser", pw);

    it("proves create and rotation: the new password logs in, the old one is refused; engine mongodb", async () => {
      const old = mongo.admin.password;
      const r = await captureOutput(async () => {
        const created = await ops.create(inputs(P[0], { engine: "mongodb" }));
        assert.strictEqual(created.outs!.passwordVerified, true);
        assert.strictEqual(created.outs!.engine, "mongodb");
        assert.strictEqual(await login(P[0]), true);
        assert.strictEqual(await login(old), false);
        emu.resetCounts();
        const updated = await ops.update(created.id, created.outs!, inputs(P[1]));
        assert.strictEqual(updated.outs!.passwordVerified, true);
        assert.strictEqual(emu.count("password.put"), 1);
        assert.strictEqual(await login(P[1]), true);
        assert.strictEqual(await login(P[0]), false);
      });
      assert.ok(!r.error, String(r.error));
      assertNoLeak([r.output], ALL, "log");
    });

    it("refresh after a reset elsewhere reports passwordVerified false without a secret; the next update repairs it", async () => {
      const created = await ops.create(inputs(P[2]));
      await mongo.setPassword(CONSOLE);
      const r = await captureOutput(() => ops.read(created.id, created.outs!));
      assert.ok(!r.error, String(r.error));
      const drifted = r.result!.props as GeminiDbAdminPasswordOutputs;
      assert.strictEqual(drifted.passwordVerified, false);
      assert.strictEqual(drifted.password, P[2], "state keeps the password it set");
      assertNoLeak([r.output, JSON.stringify(drifted)], [CONSOLE], "refresh");
      assertNoLeak([r.output], ALL, "refresh log");
      const d = await ops.diff(created.id, drifted, inputs(P[2]));
      assert.deepStrictEqual(d.diffs, ["passwordVerified"]);
      emu.resetCounts();
      const repaired = await ops.update(created.id, drifted, inputs(P[2]));
      assert.strictEqual(repaired.outs!.passwordVerified, true);
      assert.strictEqual(emu.count("password.put"), 1, "the repair resets the stored password again");
      assert.strictEqual(await login(P[2]), true);
      assert.strictEqual(await login(CONSOLE), false);
    });

    it("a 204 that did nothing fails the update naming mongo: the database did not change", async () => {
      const created = await ops.create(inputs(P[0]));
      emu.inject("password.put", { kind: "fakeSuccess" });
      emu.resetCounts();
      const r = await captureOutput(() => ops.update(created.id, created.outs!, inputs(P[3])));
      const err = r.error as Error;
      assert.ok(err, "the update must fail");
      assert.strictEqual(err.name, "MongoError", String(err));
      assert.match(err.message, /\(mongo\).*did not change/s);
      assert.strictEqual(emu.count("password.put"), 1);
      assert.strictEqual(await login(P[0]), true, "the server still has the old password");
      assert.strictEqual(await login(P[3]), false);
      assertNoLeak([...errorTexts(err), r.output], ALL, "error");
    });
  });
});
