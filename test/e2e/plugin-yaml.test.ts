/**
 * Pulumi YAML programs through the dbpasswords plugin (the real CLI and Pulumi's YAML language
 * host, which reads the plugin's schema): examples/yaml-geminidb-admin-password against the
 * GeminiDB emulator, and a Milvus program whose second user takes the first one's generated
 * password (an input not known in a first preview) against a real embedded Milvus, pymilvus as
 * the witness. After every step the state is audited (export, backend files, CLI output).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { MilvusSession } from "../../provider/milvus/client";
import { RealMilvus, setRootPassword, startRealMilvus } from "../../harness/real-milvus";
import { pymilvusCanLogin } from "../../harness/pymilvus";
import { GeminiDbEmulator, TEST_INSTANCE, TEST_PROJECT, startEmulator } from "../../harness/geminidb-emulator";
import { CliResult, PulumiProject, pluginResources } from "../../harness/pulumi-cli";
import { secretValue } from "../../harness/support";
import { REPO_ROOT } from "../../harness/tools";
import { auditPluginState } from "../helpers/audit";

const DAY_MS = 86_400_000;

/** Runs CLI steps of one project, keeping their output for the audit. */
function stepper(project: () => PulumiProject, outputs: CliResult[]) {
  return async (args: string[], expectOk = true) => {
    const r = await project().run(args);
    outputs.push(r);
    if (expectOk) assert.strictEqual(r.code, 0, r.all);
    return r;
  };
}

describe("Pulumi YAML programs through the plugin", function () {
  this.timeout(900000);

  describe("examples/yaml-geminidb-admin-password (GeminiDB emulator, AK/SK from the environment)", () => {
    const AK = "YAMLACCESSKEY001";
    const SK = "Yaml-secret-key/01";
    const P = ["Yaml-gem-Pw01~", "Yaml-gem-Pw02~", "Yaml-gem-Pw03~"];
    const seen = [SK, ...P];
    let emu: GeminiDbEmulator;
    let project: PulumiProject;
    const outputs: CliResult[] = [];
    const step = stepper(() => project, outputs);
    const audit = (mustHold: string[] = []) => auditPluginState(project, seen, outputs, { mustHold });
    const rwuser = () => emu.instances.get(TEST_INSTANCE)!.password;

    before(async () => {
      emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
      project = new PulumiProject(path.join(REPO_ROOT, "examples", "yaml-geminidb-admin-password"), "e2e", {
        HW_ACCESS_KEY: AK,
        HW_SECRET_KEY: SK,
      });
      await project.init(
        {
          region: "ap-southeast-1",
          projectId: TEST_PROJECT,
          instanceId: TEST_INSTANCE,
          endpoint: emu.url,
          iamEndpoint: emu.url,
        },
        { rwuserPassword: P[0] },
      );
    });
    after(async () => {
      await project?.cleanup();
      await emu?.stop();
    });

    it("pulumi up resets rwuser to the password from secret config", async () => {
      const r = await step(["up", "--yes"]);
      assert.match(r.stdout, /\+ 2 created/);
      assert.strictEqual(rwuser(), P[0]);
      assert.strictEqual(emu.count("password.put"), 1);
      assert.strictEqual(await audit([P[0]]), 1);
    });

    it("pulumi preview --expect-no-changes passes, with no reset", async () => {
      emu.resetCounts();
      await step(["preview", "--expect-no-changes"]);
      assert.strictEqual(emu.count("password.put"), 0);
      await audit();
    });

    it("a new secret previews as ~password and resets again", async () => {
      await project.setSecret("rwuserPassword", P[1]);
      const preview = await step(["preview", "--diff"]);
      assert.match(preview.stdout, /~ password\s*:\s*\[secret\] => \[secret\]/);
      const r = await step(["up", "--yes"]);
      // the example has rotateAfterDays: setting the password moves nextRotationAt too
      assert.match(r.stdout, /\[diff: ~nextRotationAt,password,rotatedAt\]/);
      assert.strictEqual(rwuser(), P[1]);
      await audit([P[1]]);
    });

    it("a bad input fails the preview naming the field and the rule, never the value, with no call", async () => {
      emu.resetCounts();
      await project.setSecret("rwuserPassword", "short~A");
      const r = await step(["preview"], false);
      assert.notStrictEqual(r.code, 0);
      assert.match(r.all, /password: must be 8 to 32 characters long/);
      assert.doesNotMatch(r.all, /short~A/);
      assert.deepStrictEqual(emu.calls, {}, "the emulator was called for a bad input");
      await project.setSecret("rwuserPassword", P[1]);
      await audit();
    });

    it("rotation by schedule: once rotateAfterDays (90) has passed, the given password is refused until renewed", async () => {
      const exported = await project.exportState(false);
      for (const r of pluginResources(exported.json)) {
        const back = new Date(Date.parse(r.outputs.rotatedAt) - 91 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
        r.inputs.rotatedAt = back;
        r.outputs.rotatedAt = back;
      }
      const file = path.join(project.stateDir, "aged.json");
      fs.writeFileSync(file, JSON.stringify(exported.json));
      await step(["stack", "import", "--file", file]);
      fs.rmSync(file);
      emu.resetCounts();
      const refused = await step(["up", "--yes"], false);
      assert.notStrictEqual(refused.code, 0);
      assert.match(refused.all, /password: is due for rotation \(set .*, rotateAfterDays 90\) and is given in config/);
      assert.strictEqual(emu.count("password.put"), 0);
      assert.strictEqual(rwuser(), P[1]);
      await project.setSecret("rwuserPassword", P[2]);
      await step(["up", "--yes"]);
      assert.strictEqual(rwuser(), P[2]);
      await step(["preview", "--expect-no-changes"]);
      await audit([P[2]]);
    });

    it("pulumi refresh keeps the resource (the instance exists); destroy leaves the password", async () => {
      await step(["refresh", "--yes"]);
      assert.strictEqual(pluginResources((await project.exportState(false)).json).length, 1);
      const r = await step(["destroy", "--yes"]);
      assert.match(r.stdout, /- 2 deleted/);
      assert.strictEqual(rwuser(), P[2]);
      await audit();
    });
  });

  describe("a Milvus program: an input computed from another resource, drift (real Milvus)", () => {
    const ROOT_PW = "Yaml-root-Pw1";
    const OUTSIDE = "Yaml-outside-Pw9";
    const seen = [ROOT_PW, OUTSIDE];
    let milvus: RealMilvus;
    let project: PulumiProject;
    const outputs: CliResult[] = [];
    const step = stepper(() => project, outputs);
    const audit = (mustHold: string[] = []) => auditPluginState(project, seen, outputs, { mustHold });
    const passwords = async () => {
      const byName: Record<string, any> = {};
      for (const r of pluginResources((await project.exportState(true)).json)) {
        byName[String(r.urn).split("::").pop()!] = { ...r.outputs, password: secretValue(r.outputs.password) };
      }
      seen.push(byName.first?.password, byName.second?.password);
      return byName;
    };

    before(async () => {
      milvus = await startRealMilvus();
      await setRootPassword(milvus, ROOT_PW);
      project = new PulumiProject(path.join(__dirname, "plugin-yaml-program"), "e2e");
      await project.init({ milvusAddress: milvus.address }, { rootPassword: ROOT_PW });
    });
    after(async () => {
      await project?.cleanup();
      await milvus?.stop();
    });

    it("a first preview passes with the second user's password not known yet", async () => {
      const r = await step(["preview", "--diff"]);
      assert.match(r.stdout, /\+ 3 to create/);
      assert.match(r.stdout, /password\s*:\s*\[secret\]|password\s*:\s*output<string>|\[unknown\]/);
      await audit();
    });

    it("pulumi up creates both users; the second gets the first one's generated password", async () => {
      await step(["up", "--yes"]);
      const p = await passwords();
      assert.strictEqual(p.first.password.length, 32);
      assert.strictEqual(p.second.password, p.first.password);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "yaml_first", p.first.password), true);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "yaml_second", p.first.password), true);
      await step(["preview", "--expect-no-changes"]);
      assert.strictEqual(await audit([p.first.password]), 2);
    });

    it("a bad input fails the preview naming the field and the rule, never the value", async () => {
      await project.ok(["config", "set", "secondUser", "9second"]);
      const r = await step(["preview"], false);
      assert.notStrictEqual(r.code, 0);
      assert.match(r.all, /user: must start with a letter and hold only letters, digits and underscores/);
      assert.doesNotMatch(r.all, /9second/);
      await project.ok(["config", "set", "secondUser", "yaml_second"]);
      await audit();
    });

    it("refresh after a change outside Pulumi shows passwordVerified: true => false, and true once it is back", async () => {
      const p = await passwords();
      const root = new MilvusSession(
        { hostPort: milvus.address, tls: false, timeoutMs: 10000 },
        { username: "root", password: ROOT_PW },
      );
      await root.updatePassword("yaml_second", p.second.password, OUTSIDE);
      const drift = await step(["refresh", "--yes", "--diff"]);
      assert.match(drift.stdout, /passwordVerified\s*:\s*true\s*=>\s*false/);
      assert.strictEqual((await passwords()).second.passwordVerified, false);
      assert.strictEqual((await passwords()).first.passwordVerified, true);
      await root.updatePassword("yaml_second", OUTSIDE, p.second.password);
      // (a refresh shows what the next `up` would do, and there is nothing left to do)
      await step(["refresh", "--yes"]);
      assert.strictEqual((await passwords()).second.passwordVerified, true);
      await step(["preview", "--expect-no-changes"]);
      await audit([p.second.password]);
    });

    it("pulumi destroy deletes both users (deleteUserOnDestroy)", async () => {
      const p = await passwords();
      const r = await step(["destroy", "--yes"]);
      assert.match(r.stdout, /- 3 deleted/);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "yaml_first", p.first.password), false);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "yaml_second", p.first.password), false);
      await audit();
    });
  });
});
