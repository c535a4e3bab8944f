/**
 * The ways a program reaches the plugin, through the real CLI: the npm package's
 * `bin/pulumi-resource-dbpasswords` named in Pulumi.yaml (a raw CustomResource that declares no
 * secret, from a project where the package is installed as npm installs it), the plugin
 * archive of `npm run pack-plugin` installed with `pulumi plugin install` (a YAML program that
 * names no plugin path), `pulumi import` of an existing user and instance, and a Go program
 * through the generated Go SDK. Against the Milvus test server and the GeminiDB emulator.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MilvusTestServer, startMilvusTestServer } from "../../harness/milvus-grpc";
import { GeminiDbEmulator, TEST_INSTANCE, TEST_PROJECT, startEmulator } from "../../harness/geminidb-emulator";
import { installedProject } from "../../harness/installed";
import { CliResult, PulumiProject, pluginResources } from "../../harness/pulumi-cli";
import { secretValue } from "../../harness/support";
import { REPO_ROOT } from "../../harness/tools";
import { packPlugin } from "../../scripts/pack-plugin";
import { auditPluginState } from "../helpers/audit";

const ROOT_PW = "Inst-root-Pw1";
const BOOT = "Inst-boot-Pw0";
const P1 = "Inst-first-Pw1";
const P2 = "Inst-second-Pw2";
const GEM = ["Inst-gem-Pw01~", "Inst-gem-Pw02~"];
const AK = "INSTALLACCESSK01";
const SK = "Install-secret-key/1";
const SECRETS = [ROOT_PW, BOOT, P1, P2, SK, ...GEM];

/** A new project directory holding `files`. */
function projectDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-plugin-prog-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** A YAML program with one GeminiDbAdminPassword; `plugins` is the Pulumi.yaml plugins block, if any. */
function geminiYaml(emu: GeminiDbEmulator, plugins = ""): string {
  return `name: plugin-install-yaml
runtime: yaml
${plugins}config:
  rwuserPassword:
    type: string
    secret: true
resources:
  db:
    type: dbpasswords:index:GeminiDbAdminPassword
    properties:
      region: eu-west-101
      projectId: ${TEST_PROJECT}
      instanceId: ${TEST_INSTANCE}
      password: \${rwuserPassword}
      endpoint: ${emu.url}
      iamEndpoint: ${emu.url}
`;
}

describe("reaching the plugin: npm package, plugin archive, pulumi import, Go", function () {
  this.timeout(900000);
  let milvus: MilvusTestServer;
  let emu: GeminiDbEmulator;
  const projects: PulumiProject[] = [];
  const dirs: string[] = [];

  before(async () => {
    milvus = await startMilvusTestServer({ root: ROOT_PW });
    emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
  });
  after(async () => {
    for (const p of projects) await p.cleanup();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    await milvus?.stop();
    await emu?.stop();
  });

  /** A project in `dir` with a new stack, its outputs kept for the audit. */
  async function project(
    dir: string,
    env: NodeJS.ProcessEnv,
    config: Record<string, string>,
    secrets: Record<string, string>,
  ) {
    const p = new PulumiProject(dir, "e2e", env);
    projects.push(p);
    dirs.push(dir);
    await p.init(config, secrets);
    const outputs: CliResult[] = [];
    const step = async (args: string[]) => {
      const r = await p.run(args);
      outputs.push(r);
      assert.strictEqual(r.code, 0, r.all);
      return r;
    };
    return { p, outputs, step };
  }

  it("a raw CustomResource that declares no secret, through the installed npm package's bin: state holds no plaintext", async () => {
    milvus.users.set("raw_app", BOOT);
    // The program reads its secret config with `require`, not `requireSecret`: the resource gets
    // the passwords as plain strings, and what keeps them out of state is the plugin alone.
    const { p, outputs, step } = await project(
      installedProject(path.join(__dirname, "raw-program")),
      {},
      { milvusAddress: milvus.address },
      { rootPassword: ROOT_PW, appPassword: P1, bootPassword: BOOT },
    );
    await step(["up", "--yes"]);
    assert.strictEqual(milvus.users.get("raw_app"), P1);
    const audited = await auditPluginState(p, SECRETS, outputs, { mustHold: [P1] });
    assert.strictEqual(audited, 1);
    const [r] = pluginResources((await p.exportState(true)).json);
    assert.strictEqual(secretValue(r.outputs.password), P1);
    await p.setSecret("appPassword", P2);
    await step(["up", "--yes"]);
    assert.strictEqual(milvus.users.get("raw_app"), P2);
    await auditPluginState(p, SECRETS, outputs, { mustHold: [P2] });
    await step(["destroy", "--yes"]);
  });

  it("the plugin archive, installed with pulumi plugin install, serves a YAML program that names no path", async () => {
    const archive = packPlugin(fs.mkdtempSync(path.join(os.tmpdir(), "pdp-archive-")));
    dirs.push(path.dirname(archive));
    const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version;
    const { p, outputs, step } = await project(
      projectDir({ "Pulumi.yaml": geminiYaml(emu) }),
      { HW_ACCESS_KEY: AK, HW_SECRET_KEY: SK },
      {},
      { rwuserPassword: GEM[0] },
    );
    await step(["plugin", "install", "resource", "dbpasswords", version, "--file", archive]);
    const ls = await step(["plugin", "ls"]);
    assert.match(ls.stdout, new RegExp(`dbpasswords\\s+resource\\s+${version.replace(/\./g, "\\.")}`));
    await step(["up", "--yes"]);
    assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, GEM[0]);
    await p.setSecret("rwuserPassword", GEM[1]);
    const r = await step(["up", "--yes"]);
    assert.match(r.stdout, /\[diff: ~password,rotatedAt\]/);
    assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, GEM[1]);
    await auditPluginState(p, SECRETS, outputs, { mustHold: [GEM[1]] });
    await step(["destroy", "--yes"]);
  });

  it("pulumi import adopts an existing Milvus user by id; the next up sets the program's password from currentPassword", async () => {
    milvus.users.set("legacy", BOOT);
    const plugins = `plugins:\n  providers:\n    - name: dbpasswords\n      path: ${path.join(REPO_ROOT, "bin")}\n`;
    const dir = projectDir({ "Pulumi.yaml": `name: plugin-import\nruntime: yaml\n${plugins}resources: {}\n` });
    const { p, outputs, step } = await project(dir, { MILVUS_USER: "root", MILVUS_PASSWORD: ROOT_PW }, {}, {});
    const id = `legacy@${milvus.address}`;
    const imported = await step(["import", "dbpasswords:index:MilvusUserPassword", "legacy", id, "--yes"]);
    assert.match(imported.stdout, /= 1 imported|1 imported/);
    let [r] = pluginResources((await p.exportState(true)).json);
    assert.strictEqual(r.id, id);
    assert.strictEqual(r.outputs.passwordVerified, false);
    assert.strictEqual(r.outputs.password, undefined, "an imported user's password is unknown");
    assert.strictEqual(milvus.users.get("legacy"), BOOT, "import changed nothing");

    await p.setSecret("legacyPassword", P1);
    await p.setSecret("legacyCurrentPassword", BOOT);
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      `name: plugin-import\nruntime: yaml\n${plugins}config:\n  legacyPassword: {type: string, secret: true}\n` +
        `  legacyCurrentPassword: {type: string, secret: true}\nresources:\n  legacy:\n` +
        `    type: dbpasswords:index:MilvusUserPassword\n    properties:\n      connection:\n` +
        `        address: ${milvus.address}\n      user: legacy\n      password: \${legacyPassword}\n` +
        `      currentPassword: \${legacyCurrentPassword}\n`,
    );
    const up = await step(["up", "--yes"]);
    assert.match(up.stdout, /~ 1 updated/);
    assert.strictEqual(milvus.users.get("legacy"), P1);
    [r] = pluginResources((await p.exportState(true)).json);
    assert.strictEqual(r.outputs.passwordVerified, true);
    await step(["preview", "--expect-no-changes"]);
    await auditPluginState(p, SECRETS, outputs, { mustHold: [P1] });
  });

  it("pulumi import adopts a GeminiDB instance by id; the next up resets its password", async () => {
    const plugins = `plugins:\n  providers:\n    - name: dbpasswords\n      path: ${path.join(REPO_ROOT, "bin")}\n`;
    const dir = projectDir({ "Pulumi.yaml": `name: plugin-import-gem\nruntime: yaml\n${plugins}resources: {}\n` });
    const { p, outputs, step } = await project(
      dir,
      { HW_ACCESS_KEY: AK, HW_SECRET_KEY: SK, HW_REGION_NAME: "eu-west-101", HW_GEMINIDB_ENDPOINT: emu.url },
      {},
      { rwuserPassword: GEM[0] },
    );
    emu.resetCounts();
    await step([
      "import",
      "dbpasswords:index:GeminiDbAdminPassword",
      "db",
      `${TEST_PROJECT}/${TEST_INSTANCE}`,
      "--yes",
    ]);
    assert.strictEqual(emu.count("password.put"), 0, "import reset the password");
    assert.ok(emu.count("instances.get") >= 1, "import did not look the instance up");
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      geminiYaml(emu, plugins).replace("name: plugin-install-yaml", "name: plugin-import-gem"),
    );
    await step(["up", "--yes"]);
    assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, GEM[0]);
    assert.strictEqual(emu.count("password.put"), 1);
    await auditPluginState(p, SECRETS, outputs, { mustHold: [GEM[0]] });
  });

  it("a Go program through the generated Go SDK (Pulumi's Go host of sdk/v3 v3.66.0): up, rotation, refresh, destroy", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-go-"));
    const source = path.join(__dirname, "go-program");
    for (const f of fs.readdirSync(source)) {
      const text = fs
        .readFileSync(path.join(source, f), "utf8")
        .replace(/\.\.\/\.\.\/\.\.\/sdk\/go/g, path.join(REPO_ROOT, "sdk", "go"))
        .replace(/\.\.\/\.\.\/\.\.\/bin/g, path.join(REPO_ROOT, "bin"));
      fs.writeFileSync(path.join(dir, f), text);
    }
    const { p, outputs, step } = await project(
      dir,
      { GOFLAGS: "-mod=mod", GOSUMDB: "off", GOTOOLCHAIN: "local" },
      { milvusAddress: milvus.address },
      { rootPassword: ROOT_PW, appPassword: P1 },
    );
    await step(["up", "--yes"]);
    assert.strictEqual(milvus.users.get("go_app"), P1);
    await step(["preview", "--expect-no-changes"]);
    await p.setSecret("appPassword", P2);
    const r = await step(["up", "--yes"]);
    assert.match(r.stdout, /\[diff: ~password,rotatedAt\]/);
    assert.strictEqual(milvus.users.get("go_app"), P2);
    await auditPluginState(p, SECRETS, outputs, { mustHold: [P2] });
    const refresh = await step(["refresh", "--yes"]);
    assert.doesNotMatch(refresh.stdout, /updated|=>/, "refresh finds no drift");
    await step(["destroy", "--yes"]);
  });
});
