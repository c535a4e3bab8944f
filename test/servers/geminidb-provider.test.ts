/**
 * GeminiDbAdminPassword's provider driven against the IAM + GeminiDB emulator over real
 * HTTP: each auth mode, token expiry and re-authentication, every documented error code,
 * every non-normal instance status, retries counted, leaks checked on every error path.
 */
import * as assert from "assert";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "../../provider/geminidb/schema";
import { GEMINIDB_PASSWORD_POLICY, checkPassword } from "../../provider/shared/password";
import { GEMINIDB_RETRY } from "../../provider/geminidb/client";
import { GeminiDbFault, GeminiDbEmulator } from "../../harness/geminidb-emulator";
import { assertNoLeak, captureOutput, errorTexts } from "../helpers/leaks";
import { passwordNode, serve } from "../helpers/cql-server";

const PROJECT = "0123456789abcdef0123456789abcdef";
const INSTANCE = "9136fd2a9fcd405ea4674276ce36dae8in06";
const REGION = "eu-west-101";
const AK = "AKEXAMPLE0000001";
const SK = "Sk-secret-0001/abc+def";
const IAM_PW = "Iam-user-Pw-01";
const NEW_PW = "Rw-user~pw1";
const NEXT_PW = "Rw-user~pw2";

// The lifecycle as the provider host runs it (the built package), with short retry bounds
// injected; the real bounds are GEMINIDB_RETRY.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const operations: typeof import("../../provider/geminidb/operations") = require("pulumi-db-passwords/dist/geminidb/operations");
const provider = operations.withSettings({
  retry: { ...GEMINIDB_RETRY, baseDelayMs: 20, maxDelayMs: 1500, maxElapsedMs: 20000 },
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const distAuth = require("../../dist/geminidb/auth");

describe("GeminiDbAdminPassword against the IAM + GeminiDB emulator", function () {
  this.timeout(60000);
  let emu: GeminiDbEmulator;
  let token: string;

  beforeEach(async () => {
    emu = new GeminiDbEmulator();
    emu.projects.set(REGION, PROJECT);
    emu.users.set("deployer", { password: IAM_PW, domain: "acme" });
    emu.akSk.set(AK, { sk: SK });
    emu.instances.set(INSTANCE, {
      id: INSTANCE,
      projectId: PROJECT,
      status: "normal",
      datastore: "Cassandra",
      actions: [],
      password: "Initial-pw~0",
    });
    await emu.start();
    token = emu.issueToken(PROJECT);
    distAuth.clearTokenCache();
  });
  afterEach(async () => emu.stop());

  const base = (auth: GeminiDbAdminPasswordInputs["auth"]): GeminiDbAdminPasswordInputs => ({
    region: REGION,
    projectId: PROJECT,
    instanceId: INSTANCE,
    endpoint: emu.url,
    iamEndpoint: emu.url,
    auth,
    timeoutMs: 2000,
  });
  const withToken = () => base({ token });
  const withAkSk = () => base({ accessKey: AK, secretKey: SK });
  const withIam = () => base({ userName: "deployer", password: IAM_PW, domainName: "acme" });

  async function expectFailure(p: Promise<unknown>, pattern: RegExp, extraSecrets: string[] = []) {
    const { error, output } = await captureOutput(() => p);
    assert.ok(error, "expected a failure");
    assert.strictEqual((error as Error).name, "GeminiDbError", String(error));
    assert.match((error as Error).message, pattern);
    assertNoLeak([...errorTexts(error), output], [token, SK, IAM_PW, NEW_PW, NEXT_PW, ...extraSecrets], "error or log");
    return error as Error & { serverCode?: string; httpStatus?: number; requestId?: string };
  }

  describe("each auth mode", () => {
    for (const [mode, inputs] of [
      ["a given token", withToken],
      ["AK/SK signing", withAkSk],
      ["an IAM password", withIam],
    ] as const) {
      it(`resets the rwuser password with ${mode}`, async () => {
        const r = await provider.create({ ...inputs(), password: NEW_PW });
        assert.strictEqual(emu.instances.get(INSTANCE)!.password, NEW_PW);
        assert.strictEqual(r.id, `${PROJECT}/${INSTANCE}`);
        assert.strictEqual(emu.count("instances.get"), 1, "pre-check once");
        assert.strictEqual(emu.count("password.put"), 1);
        const put = emu.received.find((x) => x.route === "password.put")!;
        assert.deepStrictEqual(JSON.parse(put.body), { password: NEW_PW });
        if (mode === "AK/SK signing") {
          assert.match(
            String(put.headers.authorization),
            /^SDK-HMAC-SHA256 Access=AKEXAMPLE0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/,
          );
          assert.strictEqual(put.headers["x-project-id"], PROJECT);
        } else {
          assert.ok(typeof put.headers["x-auth-token"] === "string");
        }
      });
    }

    it("signs X-Security-Token with temporary AK/SK credentials, and is refused without it", async () => {
      emu.akSk.set(AK, { sk: SK, securityToken: "sts-token-xyz" });
      await provider.create({
        ...base({ accessKey: AK, secretKey: SK, securityToken: "sts-token-xyz" }),
        password: NEW_PW,
      });
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, NEW_PW);
      const put = emu.received.find((x) => x.route === "password.put")!;
      assert.match(
        String(put.headers.authorization),
        /SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,/,
      );
      await expectFailure(provider.create({ ...withAkSk(), password: NEXT_PW }), /verify security token fail/, [
        "sts-token-xyz",
      ]);
    });

    it("refuses a wrong secret key with APIG.0301, without retrying", async () => {
      const err = await expectFailure(
        provider.create({ ...base({ accessKey: AK, secretKey: "Wrong-sk-value" }), password: NEW_PW }),
        /verify aksk signature fail/,
        ["Wrong-sk-value"],
      );
      assert.strictEqual(err.serverCode, "APIG.0301");
      assert.strictEqual(err.httpStatus, 401);
      assert.ok(err.requestId && emu.requestIds.includes(err.requestId));
      assert.strictEqual(emu.count("instances.get"), 1);
      assert.strictEqual(emu.count("password.put"), 0);
    });

    it("refuses an unknown token with APIG.0301", async () => {
      const err = await expectFailure(
        provider.create({ ...base({ token: "not-a-real-token" }), password: NEW_PW }),
        /decrypt token fail/,
        ["not-a-real-token"],
      );
      assert.strictEqual(err.serverCode, "APIG.0301");
    });

    it("refuses a token of another project with DBS.200010", async () => {
      const other = emu.issueToken("ffffffffffffffffffffffffffffffff");
      emu.projects.set("other-region-1", "ffffffffffffffffffffffffffffffff");
      const err = await expectFailure(
        provider.create({ ...base({ token: other }), password: NEW_PW }),
        /not scoped to the project/,
        [other],
      );
      assert.strictEqual(err.serverCode, "DBS.200010");
      // the API reference lists DBS.200010 under 400
      assert.strictEqual(err.httpStatus, 400);
    });

    it("refuses a wrong IAM password clearly", async () => {
      await expectFailure(
        provider.create({
          ...base({ userName: "deployer", password: "Wrong-iam-pw", domainName: "acme" }),
          password: NEW_PW,
        }),
        /username or password is wrong/,
        ["Wrong-iam-pw"],
      );
      assert.strictEqual(emu.count("password.put"), 0);
    });

    it("looks the project id up by region name when none is given (AK/SK)", async () => {
      const r = await provider.create({ ...withAkSk(), projectId: undefined, password: NEW_PW });
      assert.strictEqual(r.outs!.projectId, PROJECT);
      assert.strictEqual(emu.count("iam.projects"), 1);
    });

    it("takes the project id from the IAM token's scope when none is given (IAM password)", async () => {
      const r = await provider.create({ ...withIam(), projectId: undefined, password: NEW_PW });
      assert.strictEqual(r.outs!.projectId, PROJECT);
      assert.strictEqual(emu.count("iam.projects"), 0);
    });

    it("uses HW_* credentials from the environment and never puts them in the outputs", async () => {
      const env = { HW_ACCESS_KEY: AK, HW_SECRET_KEY: SK };
      Object.assign(process.env, env);
      try {
        const r = await provider.create({ ...base(undefined), password: NEW_PW });
        assert.strictEqual(emu.instances.get(INSTANCE)!.password, NEW_PW);
        assert.ok(!JSON.stringify(r.outs).includes(SK));
        assert.ok(!JSON.stringify(r.outs).includes(AK));
      } finally {
        delete process.env.HW_ACCESS_KEY;
        delete process.env.HW_SECRET_KEY;
      }
    });
  });

  describe("tokens", () => {
    it("caches the IAM token across operations in one process", async () => {
      const c = await provider.create({ ...withIam(), password: NEW_PW });
      await provider.update(c.id, c.outs!, { ...withIam(), password: NEXT_PW });
      assert.strictEqual(emu.count("iam.tokens"), 1);
    });

    it("gets a new token when the cached one is near expiry", async () => {
      emu.tokenLifetimeMs = 60 * 1000; // inside the 5-minute refresh margin at once
      const c = await provider.create({ ...withIam(), password: NEW_PW });
      assert.strictEqual(emu.count("iam.tokens"), 2, "query and PUT each needed a fresh token");
      emu.tokenLifetimeMs = 24 * 3600 * 1000;
      await provider.update(c.id, c.outs!, { ...withIam(), password: NEXT_PW });
      assert.strictEqual(emu.count("iam.tokens"), 3, "one fresh 24 h token, then reused");
    });

    it("re-authenticates once when a token expires mid-run, then succeeds", async () => {
      emu.inject("password.put", { kind: "expireToken" });
      await provider.create({ ...withIam(), password: NEW_PW });
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, NEW_PW);
      assert.strictEqual(emu.count("iam.tokens"), 2);
      assert.strictEqual(emu.count("password.put"), 2);
    });

    it("re-authenticates only once: a second 401 is an error", async () => {
      emu.inject("password.put", { kind: "expireToken" }, { kind: "expireToken" });
      const err = await expectFailure(provider.create({ ...withIam(), password: NEW_PW }), /token expires/);
      assert.strictEqual(err.httpStatus, 401);
      assert.strictEqual(emu.count("password.put"), 2);
    });

    it("cannot renew a given token: an expired one is a clear error", async () => {
      const short = emu.issueToken(PROJECT, -1000);
      await expectFailure(provider.create({ ...base({ token: short }), password: NEW_PW }), /token expires/, [short]);
    });
  });

  describe("instance pre-check", () => {
    for (const status of ["abnormal", "creating", "frozen", "data_disk_full", "createfail", "enlargefail"]) {
      it(`refuses an instance whose status is ${status}, sending no PUT`, async () => {
        emu.instances.get(INSTANCE)!.status = status;
        await expectFailure(provider.create({ ...withToken(), password: NEW_PW }), new RegExp(`status is ${status}`));
        assert.strictEqual(emu.count("password.put"), 0);
      });
    }
    it("refuses a missing instance", async () => {
      emu.instances.clear();
      const err = await expectFailure(provider.create({ ...withToken(), password: NEW_PW }), /does not exist/);
      assert.strictEqual(err.serverCode, "DBS.200002");
      assert.strictEqual(emu.count("password.put"), 0);
    });
    it("refuses an engine the reset does not serve, by name, before any reset", async () => {
      emu.instances.get(INSTANCE)!.datastore = "hbase";
      await expectFailure(
        provider.create({ ...withToken(), password: NEW_PW }),
        /GeminiDB hbase instance; the password reset serves Cassandra, Mongo, Influx and Redis/,
      );
      assert.strictEqual(emu.count("password.put"), 0);
    });
    it("resets a Mongo instance (no proof block) and says which engine it is", async () => {
      emu.instances.get(INSTANCE)!.datastore = "mongodb";
      const c = await provider.create({ ...withToken(), password: NEW_PW });
      assert.strictEqual(c.outs!.engine, "mongodb");
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, NEW_PW);
    });
    it("refuses, before any reset, an instance of another engine than the program expects", async () => {
      emu.instances.get(INSTANCE)!.datastore = "redis";
      await expectFailure(
        provider.create({ ...withToken(), password: NEW_PW, engine: "cassandra" }),
        /GeminiDB redis instance, and engine is cassandra/,
      );
      assert.strictEqual(emu.count("password.put"), 0);
    });
    it("refuses, before any reset, a proof block of another engine than the instance's", async () => {
      emu.instances.get(INSTANCE)!.datastore = "redis";
      await expectFailure(
        provider.create({ ...withToken(), password: NEW_PW, cql: { address: "127.0.0.1:1" } }),
        /cql proves a reset on cassandra instances, and the instance is a GeminiDB redis instance/,
      );
      assert.strictEqual(emu.count("password.put"), 0);
    });
    it("refuses an instance with a running action", async () => {
      emu.instances.get(INSTANCE)!.actions = ["RESIZE_VOLUME"];
      await expectFailure(provider.create({ ...withToken(), password: NEW_PW }), /busy \(RESIZE_VOLUME\)/);
      assert.strictEqual(emu.count("password.put"), 0);
    });
  });

  describe("error codes and retries", () => {
    const retried: Array<[string, GeminiDbFault]> = [
      [
        "429 with Retry-After",
        { kind: "status", status: 429, code: "APIG.0308", msg: "The request is throttled.", retryAfter: "1" },
      ],
      ["500", { kind: "status", status: 500, code: "DBS.200000", msg: "Internal error" }],
      ["502", { kind: "status", status: 502, code: "APIG.0201", msg: "Backend unavailable" }],
      ["503", { kind: "status", status: 503, code: "APIG.0202", msg: "Backend unavailable" }],
      [
        "DBS.200019 (busy)",
        { kind: "status", status: 403, code: "DBS.200019", msg: "Another operation is being performed" },
      ],
      ["DBS.201015", { kind: "status", status: 400, code: "DBS.201015", msg: "The operation is not allowed now" }],
      ["DBS.280005", { kind: "status", status: 400, code: "DBS.280005", msg: "Server busy" }],
      ["a dropped connection", { kind: "drop" }],
      ["a slow answer beyond the timeout", { kind: "delay", ms: 3000 }],
    ];
    for (const [name, fault] of retried) {
      it(`retries ${name} and succeeds on the next call`, async () => {
        emu.inject("password.put", fault);
        const started = Date.now();
        await provider.create({ ...withToken(), password: NEW_PW });
        assert.strictEqual(emu.instances.get(INSTANCE)!.password, NEW_PW);
        assert.strictEqual(emu.count("password.put"), 2);
        if (fault.kind === "status" && fault.retryAfter)
          assert.ok(Date.now() - started >= 1000, "waited for Retry-After");
      });
    }

    it("retries DBS.200019 three times, then succeeds (four PUTs)", async () => {
      const busy: GeminiDbFault = { kind: "status", status: 403, code: "DBS.200019", msg: "busy" };
      emu.inject("password.put", busy, busy, busy);
      await provider.create({ ...withToken(), password: NEW_PW });
      assert.strictEqual(emu.count("password.put"), 4);
    });

    it("gives up after the bounded number of tries on a lasting 503", async () => {
      const down: GeminiDbFault = { kind: "status", status: 503, code: "APIG.0202", msg: "Backend unavailable" };
      emu.inject("password.put", down, down, down, down, down, down);
      const err = await expectFailure(provider.create({ ...withToken(), password: NEW_PW }), /Backend unavailable/);
      assert.strictEqual(err.httpStatus, 503);
      assert.strictEqual(emu.count("password.put"), 5);
    });

    it("converges when the server applied the change but the connection dropped", async () => {
      emu.inject("password.put", { kind: "applyThenDrop" });
      await provider.create({ ...withToken(), password: NEW_PW });
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, NEW_PW);
      assert.strictEqual(emu.count("password.put"), 2, "the idempotent PUT was repeated");
    });

    const final: Array<[string, GeminiDbFault, RegExp]> = [
      [
        "400 DBS.200001",
        { kind: "status", status: 400, code: "DBS.200001", msg: "Parameter error" },
        /Parameter error/,
      ],
      [
        "404 DBS.200002",
        { kind: "status", status: 404, code: "DBS.200002", msg: "The instance does not exist" },
        /does not exist/,
      ],
      [
        "403 DBS.200010",
        { kind: "status", status: 403, code: "DBS.200010", msg: "Authentication mismatch" },
        /mismatch/,
      ],
      [
        "403 DBS.200011",
        { kind: "status", status: 403, code: "DBS.200011", msg: "The instance status does not allow this operation" },
        /does not allow/,
      ],
      [
        "403 DBS.200018",
        { kind: "status", status: 403, code: "DBS.200018", msg: "The instance type does not support this operation" },
        /does not support/,
      ],
      [
        "400 DBS.200029",
        { kind: "status", status: 400, code: "DBS.200029", msg: "Invalid password" },
        /Invalid password/,
      ],
    ];
    for (const [name, fault, pattern] of final) {
      it(`does not retry ${name}, and the error carries code, status and request id`, async () => {
        emu.inject("password.put", fault);
        const err = await expectFailure(provider.create({ ...withToken(), password: NEW_PW }), pattern);
        assert.strictEqual(emu.count("password.put"), 1);
        assert.strictEqual(err.serverCode, (fault as { code: string }).code);
        assert.strictEqual(err.httpStatus, (fault as { status: number }).status);
        assert.strictEqual(err.requestId, emu.requestIds[emu.requestIds.length - 1]);
        assert.ok(err.message.includes(`request id ${err.requestId}`));
      });
    }

    it("refuses to follow a redirect and sends nothing to its target", async () => {
      emu.inject("instances.get", { kind: "redirect", location: "http://127.0.0.2:9/steal" });
      await expectFailure(provider.create({ ...withToken(), password: NEW_PW }), /refused to follow a redirect/);
      assert.strictEqual(emu.count("password.put"), 0);
    });

    it("never echoes the password a server puts in its error message", async () => {
      emu.inject("password.put", {
        kind: "status",
        status: 400,
        code: "DBS.200029",
        msg: `Invalid password ${NEW_PW}`,
      });
      await expectFailure(provider.create({ ...withToken(), password: NEW_PW }), /Invalid password \[redacted\]/);
    });
  });

  describe("lifecycle", () => {
    it("generates a policy-conforming password with two specials, and rotates it on a trigger change", async () => {
      const c = await provider.create(withToken());
      const pw1 = c.outs!.password;
      assert.deepStrictEqual(checkPassword(pw1, GEMINIDB_PASSWORD_POLICY), []);
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, pw1);
      const same = await provider.update(c.id, c.outs!, withToken());
      assert.strictEqual(same.outs!.password, pw1);
      assert.strictEqual(emu.count("password.put"), 1, "no trigger change, no reset");
      const rotated = await provider.update(c.id, same.outs!, { ...withToken(), rotationTrigger: "2026-11" });
      assert.notStrictEqual(rotated.outs!.password, pw1);
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, rotated.outs!.password);
    });

    it("rotates on a password change", async () => {
      const c = await provider.create({ ...withToken(), password: NEW_PW });
      const d = await provider.diff(c.id, c.outs!, { ...withToken(), password: NEXT_PW });
      assert.strictEqual(d.changes, true);
      assert.deepStrictEqual(d.replaces, []);
      await provider.update(c.id, c.outs!, { ...withToken(), password: NEXT_PW });
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, NEXT_PW);
    });

    it("replaces on a new instance, region or project", async () => {
      const c = await provider.create({ ...withToken(), password: NEW_PW });
      const olds = c.outs as GeminiDbAdminPasswordOutputs;
      assert.deepStrictEqual(
        (
          await provider.diff(c.id, olds, {
            ...withToken(),
            password: NEW_PW,
            instanceId: "ffffffffffffffffffffffffffffffffin06",
          })
        ).replaces,
        ["instanceId"],
      );
      assert.deepStrictEqual(
        (await provider.diff(c.id, olds, { ...withToken(), password: NEW_PW, region: "cn-north-4" })).replaces,
        ["region"],
      );
      assert.deepStrictEqual(
        (
          await provider.diff(c.id, olds, {
            ...withToken(),
            password: NEW_PW,
            projectId: "ffffffffffffffffffffffffffffffff",
          })
        ).replaces,
        ["projectId"],
      );
      assert.strictEqual((await provider.diff(c.id, olds, { ...withToken(), password: NEW_PW })).changes, false);
    });

    it("reads an instance that still exists, and one that is gone", async () => {
      const c = await provider.create({ ...withToken(), password: NEW_PW });
      assert.strictEqual((await provider.read(c.id, c.outs!)).id, c.id);
      emu.instances.clear();
      assert.strictEqual((await provider.read(c.id, c.outs!)).id, "");
    });

    it("a refresh with cql asks the API and the node at once, and an instance that is gone waits for no login", async () => {
      // a node that takes rwuser's password as the emulator holds it, or, once told to, never answers
      let hold = false;
      const apiAnswersAtLogin: number[] = [];
      const takes = passwordNode(
        (user, password) => user === "rwuser" && password === emu.instances.get(INSTANCE)!.password,
      );
      const node = await serve((req, socket, connection) => {
        if (req.opcode === 0x01) {
          apiAnswersAtLogin.push(emu.requestIds.length);
          if (hold) return;
        }
        takes(req, socket, connection);
      });
      try {
        const cql = { address: `127.0.0.1:${node.port}`, discoverNodes: false };
        const c = await provider.create({ ...withToken(), password: NEW_PW, cql });
        assert.strictEqual(c.outs!.passwordVerified, true);
        // the instance query answers late: the login has begun before it answers
        emu.inject("instances.get", { kind: "delay", ms: 500 });
        const answered = emu.requestIds.length;
        const read = await provider.read(c.id, c.outs!);
        assert.strictEqual(read.id, c.id);
        assert.strictEqual((read.props as GeminiDbAdminPasswordOutputs).passwordVerified, true);
        assert.strictEqual(apiAnswersAtLogin.at(-1), answered, "the login began before the API answered");
        // gone: the API's answer decides, the unanswered login is left behind
        hold = true;
        emu.instances.clear();
        const gone = await provider.read(c.id, c.outs!);
        assert.strictEqual(gone.id, "");
        assert.strictEqual(gone.props, undefined);
      } finally {
        await node.close();
      }
    });

    it("deletes without calling the API", async () => {
      const c = await provider.create({ ...withToken(), password: NEW_PW });
      emu.resetCounts();
      await provider.remove(c.id, c.outs!);
      assert.deepStrictEqual(emu.calls, {});
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, NEW_PW);
    });
  });
});
