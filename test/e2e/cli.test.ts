/**
 * End to end with the real Pulumi CLI (built from source), a real embedded Milvus (pymilvus as
 * the witness) and the GeminiDB emulator. Every command runs as a user types it in the
 * example's directory. After every step the state is audited: the plain export holds every
 * password only encrypted, the --show-secrets export proves the audit looked at the right
 * values, no CLI output holds a secret, and __provider holds neither secrets nor credentials.
 */
import * as assert from "assert";
import * as path from "path";
import { MilvusSession } from "../../provider/milvus/client";
import { MILVUS_DEFAULT_ROOT } from "../../harness/fixtures";
import { RealMilvus, startRealMilvus } from "../../harness/real-milvus";
import { pymilvusCanLogin } from "../../harness/pymilvus";
import { PulumiProject, CliResult, dynamicResources } from "../../harness/pulumi-cli";
import { assertNoLeak } from "../helpers/leaks";
import { REPO_ROOT } from "../../harness/tools";
import { secretValue } from "../../harness/support";
import { GeminiDbEmulator, TEST_INSTANCE, startEmulator } from "../../harness/geminidb-emulator";

const EXAMPLES = path.join(REPO_ROOT, "examples");

/** Audits one stack after a step; returns the __provider sizes seen. */
async function auditState(
  project: PulumiProject,
  secrets: string[],
  outputs: CliResult[],
  mustHold: string[],
): Promise<number[]> {
  const plain = await project.exportState(false);
  const shown = await project.exportState(true);
  assertNoLeak([plain.text], secrets, "the plain state export");
  assertNoLeak(
    outputs.map((o) => o.all),
    secrets,
    "CLI output",
  );
  // Pulumi's own language host and dynamic provider launcher sit next to the CLI, as in its
  // distribution: no step may warn (e.g. "using pulumi-language-nodejs from $PATH").
  for (const o of outputs) {
    const warned = o.all.split("\n").filter((l) => /\bwarning\b/i.test(l));
    assert.deepStrictEqual(warned, [], "a CLI step reported a warning");
  }
  // The audit is only worth something if the values are really in state: --show-secrets has them.
  // (secrets' plaintext is JSON inside JSON there, so look for the escaped forms too)
  const escaped = (s: string) => [s, JSON.stringify(s).slice(1, -1), JSON.stringify(JSON.stringify(s)).slice(3, -3)];
  for (const s of mustHold)
    assert.ok(
      escaped(s).some((f) => shown.text.includes(f)),
      "a password expected in state is missing from --show-secrets",
    );
  const sizes: number[] = [];
  for (const r of dynamicResources(plain.json)) {
    const provider = r.inputs?.__provider ?? r.outputs?.__provider;
    assert.strictEqual(typeof provider, "string", "__provider is plain text");
    assertNoLeak([provider], secrets, "__provider");
    assert.doesNotMatch(provider, /secretKey|X-Auth-Token|authorization/i);
    sizes.push(provider.length);
    // every password-bearing output is an encrypted secret in the plain export
    for (const key of ["password", "currentPassword", "connection", "auth", "standbyPassword"]) {
      const v = r.outputs?.[key];
      if (v !== undefined)
        assert.ok(
          v?.["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270",
          `output ${key} is not a secret`,
        );
    }
  }
  return sizes;
}

describe("pulumi CLI end to end", function () {
  this.timeout(900000);
  let milvus: RealMilvus;
  const ROOT_PW = "E2e-root-Pw1";
  const BOOT = "E2e-boot-Pw0";
  const providerSizes: number[] = [];

  before(async () => {
    milvus = await startRealMilvus();
    const s = new MilvusSession({ hostPort: milvus.address, tls: false, timeoutMs: 10000 }, MILVUS_DEFAULT_ROOT);
    await s.createUser("search_app", BOOT);
    await s.updatePassword(MILVUS_DEFAULT_ROOT.username, MILVUS_DEFAULT_ROOT.password, ROOT_PW);
  });
  after(async () => {
    await milvus?.stop();
    if (providerSizes.length)
      console.log(`      __provider sizes in state: ${[...new Set(providerSizes)].join(", ")} bytes`);
  });

  describe("examples/milvus-user-password, run as a user types it", () => {
    let project: PulumiProject;
    const outputs: CliResult[] = [];
    const P1 = "E2e-first-Pw1";
    const P2 = "E2e-second-Pw2";
    const P3 = "E2e-third-Pw3";
    const OUTSIDE = "E2e-outside-Pw4";
    const secrets = [ROOT_PW, BOOT, P1, P2, P3, OUTSIDE];
    const run = async (args: string[], opts?: { input?: string }) => {
      const r = await project.run(args, opts);
      outputs.push(r);
      return r;
    };

    before(async () => {
      project = new PulumiProject(path.join(EXAMPLES, "milvus-user-password"), "e2e");
      await project.init(
        { milvusAddress: milvus.address },
        { milvusRootPassword: ROOT_PW, searchAppPassword: P1, searchAppCurrentPassword: BOOT },
      );
    });
    after(async () => project?.cleanup());

    it("pulumi up sets the password (pymilvus: new logs in, bootstrap does not)", async () => {
      const r = await run(["up", "--yes"]);
      assert.strictEqual(r.code, 0, r.all);
      assert.match(r.stdout, /\+ 2 created/);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", P1), true);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", BOOT), false);
      providerSizes.push(...(await auditState(project, secrets, outputs, [P1])));
    });

    it("pulumi preview --diff on an unchanged program shows no changes", async () => {
      const r = await run(["preview", "--diff", "--expect-no-changes"]);
      assert.strictEqual(r.code, 0, r.all);
      assert.match(r.stdout, /2 unchanged/);
      assert.doesNotMatch(r.stdout, /~ |\+ |- /);
    });

    it("rotates after pulumi config set --secret, with the old password from state", async () => {
      await project.setSecret("searchAppPassword", P2);
      const preview = await run(["preview", "--diff"]);
      assert.match(preview.stdout, /~ 1 to update/);
      assert.match(preview.stdout, /password\s*:\s*\[secret\]/);
      const r = await run(["up", "--yes"]);
      assert.strictEqual(r.code, 0, r.all);
      assert.match(r.stdout, /~ 1 updated/);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", P2), true);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", P1), false);
      await auditState(project, secrets, outputs, [P2]);
    });

    it("pulumi refresh after an out-of-band change shows drift without the value", async () => {
      const s = new MilvusSession(
        { hostPort: milvus.address, tls: false, timeoutMs: 10000 },
        { username: "root", password: ROOT_PW },
      );
      await s.updatePassword("search_app", P2, OUTSIDE);
      const r = await run(["refresh", "--yes", "--diff"]);
      assert.strictEqual(r.code, 0, r.all);
      assert.match(r.stdout, /passwordVerified\s*:\s*true\s*=>\s*false/);
      const state = await project.exportState(true);
      assert.strictEqual(dynamicResources(state.json)[0].outputs.passwordVerified, false);
      await auditState(project, secrets, outputs, [P2]);
    });

    it("an update the server refuses fails clearly and leaves state matching the database", async () => {
      await project.setSecret("searchAppPassword", P3);
      const r = await run(["up", "--yes"]);
      assert.notStrictEqual(r.code, 0);
      assert.match(r.all, /set currentPassword to the user's present password/);
      // nothing changed: the server keeps the out-of-band password, state keeps its last known one
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", OUTSIDE), true);
      const state = await project.exportState(true);
      assert.strictEqual(secretValue(dynamicResources(state.json)[0].outputs.password), P2);
      await auditState(project, secrets, outputs, [P2]);
    });

    it("the next pulumi up converges once currentPassword names the present password", async () => {
      await project.setSecret("searchAppCurrentPassword", OUTSIDE);
      const r = await run(["up", "--yes"]);
      assert.strictEqual(r.code, 0, r.all);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", P3), true);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", OUTSIDE), false);
      const again = await run(["preview", "--expect-no-changes"]);
      assert.strictEqual(again.code, 0, again.all);
      await auditState(project, secrets, outputs, [P3]);
    });

    it("pulumi destroy removes the resource and leaves the user and its password", async () => {
      const r = await run(["destroy", "--yes"]);
      assert.strictEqual(r.code, 0, r.all);
      assert.match(r.stdout, /- 2 deleted/);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", P3), true);
      assertNoLeak(
        outputs.map((o) => o.all),
        secrets,
        "CLI output",
      );
      // Pulumi's own language host and dynamic provider launcher sit next to the CLI, as in its
      // distribution: no step may warn (e.g. "using pulumi-language-nodejs from $PATH").
      for (const o of outputs) {
        const warned = o.all.split("\n").filter((l) => /\bwarning\b/i.test(l));
        assert.deepStrictEqual(warned, [], "a CLI step reported a warning");
      }
    });
  });

  describe("examples/milvus-rotation-trigger", () => {
    let project: PulumiProject;
    const outputs: CliResult[] = [];
    before(async () => {
      project = new PulumiProject(path.join(EXAMPLES, "milvus-rotation-trigger"), "e2e");
      await project.init({ milvusAddress: milvus.address, rotation: "2026-Q4" }, { milvusRootPassword: ROOT_PW });
    });
    after(async () => project?.cleanup());

    async function generated(): Promise<string> {
      const r = await project.ok(["stack", "output", "password", "--show-secrets"]);
      return r.stdout.trim();
    }

    it("creates the user with a generated password, then rotates it when the trigger changes", async () => {
      const up1 = await project.run(["up", "--yes"]);
      outputs.push(up1);
      assert.strictEqual(up1.code, 0, up1.all);
      const first = await generated();
      assert.strictEqual(first.length, 32);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "reporting", first), true);
      const plainOutput = await project.ok(["stack", "output", "password"]);
      assert.match(plainOutput.stdout, /\[secret\]/);

      await project.ok(["config", "set", "rotation", "2027-Q1"]);
      const up2 = await project.run(["up", "--yes"]);
      outputs.push(up2);
      assert.strictEqual(up2.code, 0, up2.all);
      const second = await generated();
      assert.notStrictEqual(second, first);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "reporting", second), true);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "reporting", first), false);
      await auditState(project, [ROOT_PW, first, second], outputs, [second]);
      const destroy = await project.run(["destroy", "--yes"]);
      assert.strictEqual(destroy.code, 0, destroy.all);
    });
  });

  describe("examples/milvus-zero-downtime: two users take turns", () => {
    let project: PulumiProject;
    const outputs: CliResult[] = [];
    const seen: string[] = [ROOT_PW];
    const step = async (args: string[]) => {
      const r = await project.run(args);
      outputs.push(r);
      assert.strictEqual(r.code, 0, r.all);
      return r;
    };
    const current = async () => {
      const active = (await project.ok(["stack", "output", "activeUser"])).stdout.trim();
      const password = (await project.ok(["stack", "output", "password", "--show-secrets"])).stdout.trim();
      seen.push(password);
      return { active, password };
    };
    before(async () => {
      project = new PulumiProject(path.join(EXAMPLES, "milvus-zero-downtime"), "e2e");
      await project.init(
        { milvusAddress: milvus.address, rotation: "2026-11", deleteUserOnDestroy: "true" },
        { milvusRootPassword: ROOT_PW },
      );
    });
    after(async () => project?.cleanup());

    it("up, two rotations, refresh, destroy: the previous credential works for one rotation", async () => {
      await step(["up", "--yes"]);
      const first = await current();
      assert.strictEqual(first.active, "search_blue");
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_blue", first.password), true);
      assert.match((await project.ok(["stack", "output", "password"])).stdout, /\[secret\]/);

      await project.ok(["config", "set", "rotation", "2026-12"]);
      await step(["up", "--yes"]);
      const second = await current();
      assert.strictEqual(second.active, "search_green");
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_green", second.password), true);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_blue", first.password), true, "previous");

      await project.ok(["config", "set", "rotation", "2027-01"]);
      await step(["up", "--yes"]);
      const third = await current();
      assert.strictEqual(third.active, "search_blue");
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_blue", third.password), true);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_green", second.password), true, "previous");
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_blue", first.password), false, "2 ago");

      const refresh = await step(["refresh", "--yes"]);
      assert.doesNotMatch(refresh.stdout, /passwordVerified/, "refresh finds no drift");
      await step(["preview", "--expect-no-changes"]);
      await auditState(project, seen, outputs, [third.password, second.password]);

      await step(["destroy", "--yes"]);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_blue", third.password), false);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_green", second.password), false);
    });
  });

  describe("examples/geminidb-admin-password against the emulator", () => {
    const INSTANCE = TEST_INSTANCE;
    const AK = "E2EACCESSKEY0001";
    const SK = "E2e-secret-key/0001";
    const RW1 = "Rw-e2e~pass1";
    const RW2 = "Rw-e2e~pass2";
    let emu: GeminiDbEmulator;
    let project: PulumiProject;
    const outputs: CliResult[] = [];

    before(async () => {
      emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
      // AK/SK only through the environment, as in a pipeline
      project = new PulumiProject(path.join(EXAMPLES, "geminidb-admin-password"), "e2e", {
        HW_ACCESS_KEY: AK,
        HW_SECRET_KEY: SK,
      });
      await project.init(
        { region: "eu-west-101", instanceId: INSTANCE, endpoint: emu.url, iamEndpoint: emu.url },
        { rwuserPassword: RW1 },
      );
    });
    after(async () => {
      await project?.cleanup();
      await emu?.stop();
    });

    it("resets the rwuser password (AK/SK from the environment, project looked up by region)", async () => {
      const r = await project.run(["up", "--yes"]);
      outputs.push(r);
      assert.strictEqual(r.code, 0, r.all);
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, RW1);
      assert.strictEqual(emu.count("iam.projects"), 1);
      const shown = await project.exportState(true);
      assert.ok(!shown.text.includes(SK), "the secret key from the environment is not in state, even decrypted");
      assert.ok(!shown.text.includes(AK), "the access key from the environment is not in state");
      providerSizes.push(...(await auditState(project, [SK, RW1], outputs, [RW1])));
    });

    it("rotates on a new secret, and refresh keeps the resource while the instance exists", async () => {
      await project.setSecret("rwuserPassword", RW2);
      const r = await project.run(["up", "--yes"]);
      outputs.push(r);
      assert.strictEqual(r.code, 0, r.all);
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, RW2);
      const refresh = await project.run(["refresh", "--yes"]);
      outputs.push(refresh);
      assert.strictEqual(refresh.code, 0, refresh.all);
      assert.match(refresh.stdout, /2 unchanged/);
      await auditState(project, [SK, RW1, RW2], outputs, [RW2]);
    });

    it("a reset the API refuses fails with its code and request id; the next up converges", async () => {
      await project.setSecret("rwuserPassword", RW1);
      emu.instances.get(INSTANCE)!.status = "abnormal";
      const failed = await project.run(["up", "--yes"]);
      outputs.push(failed);
      assert.notStrictEqual(failed.code, 0);
      assert.match(failed.all, /status is abnormal/);
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, RW2);
      emu.instances.get(INSTANCE)!.status = "normal";
      const ok = await project.run(["up", "--yes"]);
      outputs.push(ok);
      assert.strictEqual(ok.code, 0, ok.all);
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, RW1);
      await auditState(project, [SK, RW1, RW2], outputs, [RW1]);
    });

    it("destroy makes no API call", async () => {
      emu.resetCounts();
      const r = await project.run(["destroy", "--yes"]);
      assert.strictEqual(r.code, 0, r.all);
      assert.strictEqual(emu.count("password.put"), 0);
    });
  });
});
