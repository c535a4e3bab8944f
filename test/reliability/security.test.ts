/**
 * Security checks:
 *  - a rotation of each resource through the real CLI at -v=7 and -v=10, with logs flowing
 *    to the plugins and to stderr, and with NODE_ENV=debug (which turns the Milvus SDK's
 *    request logging on at load): no password, token or key in anything our provider or the
 *    SDKs print, in any form (see ENGINE_DUMP for what the engine itself prints);
 *  - the Milvus SDK's debug log stays off in our client, with a control showing that the
 *    SDK left to itself does log the base64 passwords of UpdateCredential;
 *  - the GeminiDB client refuses redirects on every route that carries credentials (token
 *    request with the IAM password in its body, signed query, PUT with the new password),
 *    and the redirect's target receives nothing.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { geminiDbAdminPasswordProvider as gemini } from "../../provider";
import { MilvusTestServer, startMilvusTestServer } from "../../harness/milvus-grpc";
import { GeminiDbEmulator, Route, TEST_INSTANCE, TEST_PROJECT, startEmulator } from "../../harness/geminidb-emulator";
import { CliResult, PulumiProject } from "../../harness/pulumi-cli";
import { assertNoLeak, captureOutput, errorTexts, leakForms } from "../helpers/leaks";
import { REPO_ROOT } from "../../harness/tools";

const EXAMPLES = path.join(REPO_ROOT, "examples");
const PROJECT = TEST_PROJECT;
const INSTANCE = TEST_INSTANCE;
/**
 * Pulumi's own engine (3.248) writes resource inputs and provider config, secrets included,
 * in its debug lines from -v=7 on ("Planner decided to ...", "Marshaling/Unmarshaling
 * property for RPC[...]"), although its docs promise no known credentials below 11 (see
 * pulumi/pulumi#19465 and Pulumi's 2026 log-redaction work). Those lines are the engine's,
 * not ours. So at every level each line holding a secret must be one of those engine dumps;
 * nothing our provider or the SDKs print may hold one.
 */
const ENGINE_DUMP =
  /"msg":"(Planner decided to \w+ 'urn|Marshaling property for RPC\[|Unmarshaling property for RPC\[)/;
const LOW = ["-v=3", "--logflow", "--logtostderr"];
const HIGH = ["-v=10", "--logflow", "--logtostderr"];

function auditVerbose(runs: Array<{ level: string[]; r: CliResult }>, secrets: string[]): void {
  let engineDumps = 0;
  for (const { level, r } of runs) {
    const leaking = r.all.split("\n").filter((l) => secrets.some((s) => leakForms(s).some((f) => l.includes(f))));
    const ours = leaking.filter((l) => !ENGINE_DUMP.test(l));
    engineDumps += leaking.length - ours.length;
    assertNoLeak(ours, secrets, `output at ${level[0]}, outside the engine's own property dumps`);
  }
  console.log(`      engine property-dump lines holding a secret: ${engineDumps} (Pulumi's own, from -v=7 on)`);
}

describe("security: nothing of ours puts a secret in logs, at any verbosity", function () {
  this.timeout(600000);

  it("MilvusUserPassword: up and rotation at -v=10 with --logflow and NODE_ENV=debug", async () => {
    const ROOT_PW = "Sec-root-Pw1";
    const BOOT = "Sec-boot-Pw0";
    const P1 = "Sec-first-Pw1";
    const P2 = "Sec-second-Pw2";
    const server = await startMilvusTestServer({ root: ROOT_PW, search_app: BOOT });
    const project = new PulumiProject(path.join(EXAMPLES, "milvus-user-password"), "sec", { NODE_ENV: "debug" });
    try {
      await project.init(
        { milvusAddress: server.address },
        { milvusRootPassword: ROOT_PW, searchAppPassword: P1, searchAppCurrentPassword: BOOT },
      );
      const runs: Array<{ level: string[]; r: CliResult }> = [];
      for (const [step, level] of [
        [P1, LOW],
        [P2, HIGH],
      ] as const) {
        if (step === P2) await project.setSecret("searchAppPassword", P2);
        const r = await project.run(["up", "--yes", ...level]);
        runs.push({ level, r });
        assert.strictEqual(r.code, 0, r.all.slice(-3000));
        assert.strictEqual(server.users.get("search_app"), step);
      }
      for (const level of [LOW, HIGH]) runs.push({ level, r: await project.run(["refresh", "--yes", ...level]) });
      const all = runs.map((x) => x.r.all).join("\n");
      assert.ok(all.split("\n").length > 500, `expected verbose logs, got ${all.split("\n").length} lines`);
      assert.match(all, /Update\(urn/, "the logs cover the provider's Update call");
      assert.doesNotMatch(all, /Milvus-sdk-node|\[Request\]/, "the Milvus SDK's debug log stayed off");
      auditVerbose(runs, [ROOT_PW, BOOT, P1, P2]);
    } finally {
      await project.cleanup();
      await server.stop();
    }
  });

  it("GeminiDbAdminPassword: up and rotation at -v=10 with --logflow, IAM password from the environment", async () => {
    const IAM_PW = "Sec-iam-Pw1";
    const RW1 = "Rw-sec~pass1";
    const RW2 = "Rw-sec~pass2";
    const emu = await startEmulator((e) => e.users.set("deployer", { password: IAM_PW, domain: "acme" }));
    const project = new PulumiProject(path.join(EXAMPLES, "geminidb-admin-password"), "sec", {
      HW_USER_NAME: "deployer",
      HW_PASSWORD: IAM_PW,
      HW_DOMAIN_NAME: "acme",
    });
    try {
      await project.init(
        { region: "eu-west-101", instanceId: INSTANCE, endpoint: emu.url, iamEndpoint: emu.url },
        { rwuserPassword: RW1 },
      );
      const runs: Array<{ level: string[]; r: CliResult }> = [];
      for (const [step, level] of [
        [RW1, LOW],
        [RW2, HIGH],
      ] as const) {
        if (step === RW2) await project.setSecret("rwuserPassword", RW2);
        const r = await project.run(["up", "--yes", ...level]);
        runs.push({ level, r });
        assert.strictEqual(r.code, 0, r.all.slice(-3000));
        assert.strictEqual(emu.instances.get(INSTANCE)!.password, step);
      }
      const tokens = [...emu.tokens.keys()];
      assert.ok(tokens.length >= 1, "IAM tokens were issued");
      assert.match(runs[1].r.all, /Update\(urn/, "the logs cover the provider's Update call");
      auditVerbose(runs, [IAM_PW, RW1, RW2, ...tokens]);
    } finally {
      await project.cleanup();
      await emu.stop();
    }
  });
});

/** Runs a script in a fresh node process (a fresh SDK logger) with NODE_ENV=debug; returns its output. */
function nodeDebug(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", script],
      { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: "debug" }, timeout: 60000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout + stderr)),
    );
  });
}

describe("security: the Milvus SDK's debug log stays off", function () {
  this.timeout(120000);
  let server: MilvusTestServer;
  const OLD = "Sdk-old-Pw1";
  const NEW = "Sdk-new-Pw2";
  beforeEach(async () => {
    server = await startMilvusTestServer({ app: OLD });
  });
  afterEach(async () => server.stop());

  it("control: the SDK on its own, under NODE_ENV=debug, logs UpdateCredential with the base64 passwords", async () => {
    const out = await nodeDebug(`
      const { MilvusClient } = require("@zilliz/milvus2-sdk-node");
      (async () => {
        const c = new MilvusClient({ address: ${JSON.stringify(server.address)}, username: "root", password: "Milvus", telemetry: { enabled: false } });
        await c.updateUser({ username: "app", oldPassword: ${JSON.stringify(OLD)}, newPassword: ${JSON.stringify(NEW)} });
        await c.closeConnection();
      })();`);
    assert.strictEqual(server.users.get("app"), NEW);
    assert.ok(
      leakForms(NEW).some((f) => out.includes(f)),
      "the control must show the SDK's leak, else the check below proves nothing",
    );
  });

  it("our client, under the same NODE_ENV=debug, logs nothing of the call", async () => {
    const out = await nodeDebug(`
      const { MilvusSession } = require("./dist/milvus/client");
      (async () => {
        const s = new MilvusSession({ hostPort: ${JSON.stringify(server.address)}, tls: false, timeoutMs: 5000 }, { username: "root", password: "Milvus" });
        await s.updatePassword("app", ${JSON.stringify(OLD)}, ${JSON.stringify(NEW)});
      })().catch((e) => { console.error(String(e)); process.exit(1); });`);
    assert.strictEqual(server.users.get("app"), NEW);
    assert.doesNotMatch(out, /\[Request\]|\[Response/);
    assertNoLeak([out], [OLD, NEW], "SDK output");
  });
});

describe("security: the GeminiDB client refuses redirects on every route that carries credentials", function () {
  this.timeout(60000);
  const IAM_PW = "Redirect-iam-Pw1";
  const AK = "REDIRECTAK000001";
  const SK = "Redirect-sk/0001";
  const RW = "Rw-redirect~pw1";
  let emu: GeminiDbEmulator;
  let other: http.Server;
  let received: Array<{ url?: string; headers: http.IncomingHttpHeaders }> = [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const distAuth = require("../../dist/geminidb/auth");

  before(async () => {
    other = http.createServer((req, res) => {
      received.push({ url: req.url, headers: req.headers });
      res.end("{}");
    });
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
  });
  after(async () => new Promise<void>((r) => other.close(() => r())));
  beforeEach(async () => {
    emu = await startEmulator((e) => {
      e.users.set("deployer", { password: IAM_PW, domain: "acme" });
      e.akSk.set(AK, { sk: SK });
    });
    distAuth.clearTokenCache();
    received = [];
  });
  afterEach(async () => emu.stop());

  const cases: Array<[Route, "iam" | "aksk", string]> = [
    ["iam.tokens", "iam", "token request (IAM password in the body)"],
    ["iam.projects", "aksk", "project lookup (signed)"],
    ["instances.get", "iam", "instance query (X-Auth-Token)"],
    ["password.put", "aksk", "password reset (signed, new password in the body)"],
  ];
  for (const [route, mode, what] of cases) {
    for (const status of [301, 302, 307, 308]) {
      it(`${what}: a ${status} to another host is refused and the other host gets nothing`, async () => {
        const port = (other.address() as net.AddressInfo).port;
        emu.inject(route, { kind: "redirect", status, location: `http://127.0.0.1:${port}/steal` });
        const auth =
          mode === "iam"
            ? { userName: "deployer", password: IAM_PW, domainName: "acme" }
            : { accessKey: AK, secretKey: SK };
        const { error, output } = await captureOutput(() =>
          gemini.create({
            region: "eu-west-101",
            projectId: route === "iam.projects" ? undefined : PROJECT,
            instanceId: INSTANCE,
            endpoint: emu.url,
            iamEndpoint: emu.url,
            auth,
            password: RW,
            timeoutMs: 2000,
          }),
        );
        assert.ok(error, "the operation fails");
        assert.strictEqual((error as Error).name, "GeminiDbError");
        assert.match((error as Error).message, /refused to follow a redirect/);
        assert.match((error as Error).message, new RegExp(`http ${status}`));
        assert.strictEqual(received.length, 0, "nothing reached the redirect's target");
        assert.strictEqual(emu.instances.get(INSTANCE)!.password, "Initial~pw0");
        assertNoLeak([...errorTexts(error), output], [IAM_PW, SK, RW], "error or log");
      });
    }
  }
});
