/**
 * No secret in plaintext in state, whatever a program passes: every secret field of the three
 * resources given as a plain string, through the real CLI, on both faces.
 *
 *  - TypeScript (the dynamic classes): test/reliability/plain-secrets-program, which reads
 *    every secret with `config.require` (not `requireSecret`) or has it as a literal;
 *  - YAML through the dbpasswords plugin: a program with every secret as a literal, nested
 *    ones included (`connection.password`, `auth.secretKey`), which a generated SDK would not
 *    wrap either.
 *
 * After `up`, a rotation, `refresh` (and for the plugin, `pulumi import` and the `up` that
 * takes the imported user over), the plain `pulumi stack export`, every file of the backend
 * and every line the CLI printed hold none of the values, in any form (test/helpers/leaks.ts);
 * every value the spec calls secret, in inputs and in outputs, is ciphertext in the export
 * (itself, or the block that holds it). The values looked for are the ones the program gave
 * and every value `--show-secrets` shows at a secret path (generated standby passwords, the
 * password seeds). Against the Milvus gRPC test server, the GeminiDB emulator and the shared
 * Cassandra node. docs/security.md says what is encrypted where.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MilvusTestServer, startMilvusTestServer } from "../../harness/milvus-grpc";
import { GeminiDbEmulator, TEST_PROJECT, startEmulator } from "../../harness/geminidb-emulator";
import { CliResult, PulumiProject, dynamicResources, pluginResources } from "../../harness/pulumi-cli";
import { RealCassandra, sharedCassandra } from "../../harness/real-cassandra";
import { cqlAs, cqlLogsInWithin } from "../../harness/cql";
import { secretValue } from "../../harness/support";
import { REPO_ROOT } from "../../harness/tools";
import { cqlName, cqlString } from "../../provider/cql/client";
import { milvusSpec } from "../../provider/milvus/spec";
import { geminiDbSpec } from "../../provider/geminidb/spec";
import { cassandraSpec } from "../../provider/cassandra/spec";
import { ResourceSpec, secretPaths } from "../../provider/shared/spec";
import { assertNoLeakStored } from "../helpers/audit";

const SIG = "4dabf18193072939515e22adb298388d";
const SPECS: Record<string, ResourceSpec> = {
  "pulumi-nodejs:dynamic/milvus:UserPassword": milvusSpec,
  "pulumi-nodejs:dynamic/geminidb:AdminPassword": geminiDbSpec,
  "pulumi-nodejs:dynamic/cassandra:RolePassword": cassandraSpec,
  "dbpasswords:index:MilvusUserPassword": milvusSpec,
  "dbpasswords:index:GeminiDbAdminPassword": geminiDbSpec,
  "dbpasswords:index:CassandraRolePassword": cassandraSpec,
};

/** An instance id of the emulator: 32 hex characters, `in`, two digits. */
const instanceId = (n: number) => `${String(n).repeat(32).slice(0, 32)}in06`;

/** Where, in a plain export, a secret path was found encrypted: the field itself or a block above it. */
type Sealed = Record<string, "leaf" | "block">;

/**
 * Walks `path` through a plain export's `props`: "leaf" when the value there is ciphertext,
 * "block" when a block above it is, undefined when the path is absent. Fails on a plain value.
 */
function sealedAt(props: any, p: string, where: string): "leaf" | "block" | undefined {
  const steps = p.split(".");
  let v = props;
  for (let i = 0; i < steps.length; i++) {
    if (v === undefined || v === null) return undefined;
    if (v[SIG]) {
      assert.strictEqual(typeof v.ciphertext, "string", `${where}: a secret without ciphertext`);
      return "block";
    }
    v = v[steps[i]];
  }
  if (v === undefined || v === null) return undefined;
  assert.ok(v[SIG] && typeof v.ciphertext === "string", `${where} is in the state export in plaintext`);
  return "leaf";
}

/** The plaintext of every secret path, in inputs and outputs, of a --show-secrets export's resources. */
function shownSecrets(resources: any[]): string[] {
  const out: string[] = [];
  const walk = (v: any, steps: string[]) => {
    v = secretValue(v);
    if (v === undefined || v === null) return;
    if (steps.length === 0) {
      if (typeof v === "string") out.push(v);
      return;
    }
    walk(v[steps[0]], steps.slice(1));
  };
  for (const r of resources)
    for (const p of secretPaths(SPECS[r.type])) for (const where of [r.inputs, r.outputs]) walk(where, p.split("."));
  return out;
}

/**
 * The audit after a step: the plain export, every backend file and every CLI output so far
 * hold none of `given` nor of what --show-secrets shows at a secret path; every secret path is
 * ciphertext. Returns, per resource name, where each secret path was found sealed.
 */
async function audit(
  project: PulumiProject,
  given: string[],
  outputs: CliResult[],
  expectResources: number,
): Promise<Record<string, Sealed>> {
  const shown = await project.exportState(true);
  const ours = (json: any) => [...dynamicResources(json), ...pluginResources(json)];
  const resources = ours(shown.json);
  assert.strictEqual(resources.length, expectResources, "resources in state");
  const values = [...new Set([...given, ...shownSecrets(resources)])];
  for (const g of given) assert.ok(g.length >= 8, "a value looked for is long enough to mean something");
  const plain = await assertNoLeakStored(project, values, outputs);
  const sealed: Record<string, Sealed> = {};
  for (const r of ours(plain.json)) {
    const name = String(r.urn).split("::").pop()!;
    sealed[name] = {};
    for (const where of ["inputs", "outputs"] as const)
      for (const p of secretPaths(SPECS[r.type])) {
        const s = sealedAt(r[where], p, `${name} ${where}.${p}`);
        if (s) sealed[name][`${where}.${p}`] = s;
      }
  }
  return sealed;
}

describe("security: no secret in plaintext in state, whatever a program passes", function () {
  this.timeout(300000);
  let milvus: MilvusTestServer;
  let emu: GeminiDbEmulator;
  let cassandra: RealCassandra;
  const MILVUS_ROOT = "Plain-root-Pw1";
  const IAM_PW = "Literal-iam~Pw7"; // the literal of plain-secrets-program
  const AK = "PLAINSECRETAK001";
  const SK = "Plain-secret-key/01";
  const ST = "Plain-security-token-01";
  let TOKEN = "";

  before(async () => {
    const node = sharedCassandra();
    milvus = await startMilvusTestServer({ root: MILVUS_ROOT });
    emu = await startEmulator((e) => {
      e.users.set("sec-deployer", { password: IAM_PW, domain: "acme" });
      e.akSk.set(AK, { sk: SK, securityToken: ST });
      for (let n = 1; n <= 6; n++)
        e.instances.set(instanceId(n), {
          id: instanceId(n),
          projectId: TEST_PROJECT,
          status: "normal",
          datastore: "Cassandra",
          actions: [],
          password: `Initial~pw${n}`,
        });
    });
    TOKEN = emu.issueToken(TEST_PROJECT);
    cassandra = await node;
  });
  after(async () => {
    await milvus?.stop();
    await emu?.stop();
  });

  /** Creates `role` with `password` on the shared node, as a console would. */
  const createRole = (role: string, password: string) =>
    cqlAs(
      { address: cassandra.address },
      cassandra.superuser,
      [`CREATE ROLE IF NOT EXISTS ${cqlName(role)} WITH LOGIN = true AND PASSWORD = ${cqlString(password)}`],
      [password],
    );

  it("TypeScript, every secret a plain string (config.require, a literal, the environment): up, rotation, refresh leave none in state or output", async () => {
    const BOOT = "Ts-token-boot~Pw0";
    const ROLE_BOOT = "Ts-role-boot~Pw0";
    milvus.users.set("sec_token_user", BOOT);
    await createRole("sec_role", ROLE_BOOT);
    const round = (n: number) => ({
      pairPassword: `Ts-pair-Pw${n}~x`,
      tokenUserPassword: `Ts-token-Pw${n}~x`,
      geminiTokenPassword: `Ts-gem-tok~Pw${n}`,
      geminiAkSkPassword: `Ts-gem-aksk~Pw${n}`,
      geminiIamPassword: `Ts-gem-iam~Pw${n}`,
      rolePassword: `Ts-role-Pw${n}~x`,
    });
    const secrets = {
      milvusRootPassword: MILVUS_ROOT,
      milvusToken: `root:${MILVUS_ROOT}`,
      tokenUserBootPassword: BOOT,
      geminiToken: TOKEN,
      geminiAccessKey: AK,
      geminiSecretKey: SK,
      geminiSecurityToken: ST,
      cassandraSuperuserPassword: cassandra.superuser.password,
      roleBootPassword: ROLE_BOOT,
    };
    const plain = {
      milvusAddress: milvus.address,
      geminiProject: TEST_PROJECT,
      geminiEndpoint: emu.url,
      geminiTokenInstance: instanceId(1),
      geminiAkSkInstance: instanceId(2),
      geminiIamInstance: instanceId(3),
      cassandraAddress: cassandra.address,
    };
    // the access key id is no secret (the spec's `accessKey`), as an AWS key id is not
    const given = [
      ...Object.entries(secrets).flatMap(([k, v]) => (k === "geminiAccessKey" ? [] : [v])),
      ...Object.values(round(1)),
      ...Object.values(round(2)),
      IAM_PW,
    ];
    const project = new PulumiProject(path.join(__dirname, "plain-secrets-program"), "plain");
    const outputs: CliResult[] = [];
    let env: NodeJS.ProcessEnv = {};
    const step = async (args: string[]) => {
      const r = await project.run(args, { env });
      outputs.push(r);
      assert.strictEqual(r.code, 0, r.all.slice(-4000));
      return r;
    };
    // read by the program with config.require: plain strings
    const configure = (values: Record<string, string>, flag: "--secret" | "--plaintext") =>
      step(["config", "set-all", ...Object.entries(values).flatMap(([k, v]) => [flag, `${k}=${v}`])]);
    try {
      await step(["stack", "init", "plain"]);
      await configure(plain, "--plaintext");
      await configure({ ...secrets, ...round(1) }, "--secret");
      const up = await step(["up", "--yes", "--diff"]);
      const sealed = await audit(project, given, outputs, 6);
      assert.strictEqual(milvus.users.get("sec_token_user"), round(1).tokenUserPassword);
      assert.strictEqual(emu.instances.get(instanceId(2))!.password, round(1).geminiAkSkPassword);
      assert.ok(await cqlLogsInWithin({ address: cassandra.address }, "sec_role", round(1).rolePassword));
      // the diffs stay readable: a secret shows as [secret], the fields around it as they are
      // (up --diff prints its preview, then the update)
      assert.match(up.stdout, /password\s*:\s*\[secret\]/);
      assert.ok(up.stdout.includes(milvus.address), "connection.address shows in the diff");
      // what the engine encrypts: a field under a plain object by itself; a block given as an
      // Output whole; outputs' blocks that hold a secret whole (additionalSecretOutputs)
      assert.strictEqual(sealed["milvus-pair"]["inputs.connection.password"], "leaf");
      assert.strictEqual(sealed["milvus-pair"]["inputs.password"], "leaf");
      assert.strictEqual(sealed["milvus-pair"]["outputs.connection.password"], "block");
      assert.strictEqual(sealed["milvus-pair"]["outputs.standbyPassword"], "leaf");
      assert.strictEqual(sealed["milvus-token"]["inputs.connection.token"], "block");
      assert.strictEqual(sealed["milvus-token"]["inputs.currentPassword"], "leaf");
      assert.strictEqual(sealed["gemini-aksk"]["inputs.auth.secretKey"], "leaf");
      assert.strictEqual(sealed["gemini-aksk"]["inputs.auth.securityToken"], "leaf");
      assert.strictEqual(sealed["gemini-iam"]["inputs.auth.password"], "leaf");
      assert.strictEqual(sealed["gemini-token"]["inputs.auth.token"], "leaf");
      assert.strictEqual(sealed["cassandra-role"]["inputs.connection.password"], "leaf");
      assert.strictEqual(sealed["cassandra-role"]["outputs.password"], "leaf");

      // From the environment this time: the CLI masks the values of secret config in what it
      // prints, which would hide a leak of these from the check of its output. (Not plaintext
      // config: Pulumi itself keeps the stack's config in the state of the default
      // pulumi-nodejs provider, plaintext values in plaintext, whatever the resources do.)
      env = Object.fromEntries(Object.entries(round(2)).map(([k, v]) => [`PDP_PLAIN_${k}`, v]));
      const rotation = await step(["up", "--yes", "--diff"]);
      assert.match(rotation.stdout, /~ 6 updated/);
      assert.match(rotation.stdout, /password\s*:\s*\[secret\]/);
      assert.strictEqual(milvus.users.get("sec_token_user"), round(2).tokenUserPassword);
      assert.strictEqual(emu.instances.get(instanceId(1))!.password, round(2).geminiTokenPassword);
      assert.strictEqual(emu.instances.get(instanceId(3))!.password, round(2).geminiIamPassword);
      assert.ok(await cqlLogsInWithin({ address: cassandra.address }, "sec_role", round(2).rolePassword));
      await audit(project, given, outputs, 6);

      const refresh = await step(["refresh", "--yes"]);
      assert.doesNotMatch(refresh.stdout, /=>/, "refresh finds no drift");
      const after = await audit(project, given, outputs, 6);
      assert.strictEqual(after["milvus-pair"]["outputs.password"], "leaf", "refresh keeps the outputs encrypted");
      assert.strictEqual(after["cassandra-role"]["inputs.connection.password"], "leaf");

      // A stack written before the classes kept inputs secret: its inputs in plaintext (its
      // outputs were already encrypted). The next up, with nothing to change, encrypts them.
      const old = (await project.exportState(true)).json;
      const unwrap = (v: any): any =>
        v?.[SIG]
          ? unwrap(secretValue(v))
          : v && typeof v === "object"
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]))
            : v;
      for (const r of dynamicResources(old)) r.inputs = unwrap(r.inputs);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pdp-old-state-")), "old.json");
      fs.writeFileSync(file, JSON.stringify(old));
      await step(["stack", "import", "--file", file]);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      const before = JSON.stringify(dynamicResources((await project.exportState(false)).json).map((r) => r.inputs));
      assert.ok(before.includes(round(2).pairPassword), "the imported stack holds its inputs in plaintext");
      const again = await step(["up", "--yes"]);
      assert.match(again.stdout, /7 unchanged/);
      await audit(project, given, outputs, 6);
    } finally {
      await project.cleanup();
    }
  });

  it("YAML through the plugin, every secret a literal, nested ones too: up, rotation, refresh, import leave none in state or output", async () => {
    const BOOT = "Yml-token-boot~Pw0";
    const ROLE_BOOT = "Yml-role-boot~Pw0";
    const LEGACY_BOOT = "Yml-legacy-boot~Pw0";
    milvus.users.set("yml_token_user", BOOT);
    milvus.users.set("yml_legacy", LEGACY_BOOT);
    await createRole("yml_role", ROLE_BOOT);
    const round = (n: number) => ({
      pair: `Yml-pair-Pw${n}~x`,
      tokenUser: `Yml-token-Pw${n}~x`,
      gemToken: `Yml-gem-tok~Pw${n}`,
      gemAkSk: `Yml-gem-aksk~Pw${n}`,
      gemIam: `Yml-gem-iam~Pw${n}`,
      role: `Yml-role-Pw${n}~x`,
      legacy: `Yml-legacy-Pw${n}~x`,
    });
    const given = [
      MILVUS_ROOT,
      BOOT,
      ROLE_BOOT,
      LEGACY_BOOT,
      TOKEN,
      SK,
      ST,
      IAM_PW,
      cassandra.superuser.password,
      ...Object.values(round(1)),
      ...Object.values(round(2)),
    ];
    const q = JSON.stringify; // a JSON string is a YAML scalar
    const gemini = (instance: string, auth: Record<string, string>, password: string) =>
      `    type: dbpasswords:index:GeminiDbAdminPassword\n    properties:\n      region: eu-west-101\n` +
      `      projectId: ${TEST_PROJECT}\n      instanceId: ${instance}\n      endpoint: ${emu.url}\n` +
      `      iamEndpoint: ${emu.url}\n      auth:\n` +
      Object.entries(auth)
        .map(([k, v]) => `        ${k}: ${q(v)}\n`)
        .join("") +
      `      password: ${q(password)}\n`;
    const program = (pw: ReturnType<typeof round>, imported: boolean) =>
      `name: plain-secrets-yaml\nruntime: yaml\nplugins:\n  providers:\n    - name: dbpasswords\n` +
      `      path: ${path.join(REPO_ROOT, "bin")}\nresources:\n` +
      `  milvus-pair:\n    type: dbpasswords:index:MilvusUserPassword\n    properties:\n      connection:\n` +
      `        address: ${milvus.address}\n        username: root\n        password: ${q(MILVUS_ROOT)}\n` +
      `      user: yml_pair_a\n      standbyUser: yml_pair_b\n      password: ${q(pw.pair)}\n` +
      `      createIfMissing: true\n` +
      `  milvus-token:\n    type: dbpasswords:index:MilvusUserPassword\n    properties:\n      connection:\n` +
      `        address: ${milvus.address}\n        token: ${q(`root:${MILVUS_ROOT}`)}\n` +
      `      user: yml_token_user\n      password: ${q(pw.tokenUser)}\n      currentPassword: ${q(BOOT)}\n` +
      `  gemini-token:\n${gemini(instanceId(4), { token: TOKEN }, pw.gemToken)}` +
      `  gemini-aksk:\n${gemini(instanceId(5), { accessKey: AK, secretKey: SK, securityToken: ST }, pw.gemAkSk)}` +
      `  gemini-iam:\n${gemini(instanceId(6), { userName: "sec-deployer", password: IAM_PW, domainName: "acme" }, pw.gemIam)}` +
      `  cassandra-role:\n    type: dbpasswords:index:CassandraRolePassword\n    properties:\n      connection:\n` +
      `        address: ${cassandra.address}\n        username: cassandra\n` +
      `        password: ${q(cassandra.superuser.password)}\n` +
      `      role: yml_role\n      password: ${q(pw.role)}\n      currentPassword: ${q(ROLE_BOOT)}\n` +
      (imported
        ? `  imported:\n    type: dbpasswords:index:MilvusUserPassword\n    properties:\n      connection:\n` +
          `        address: ${milvus.address}\n        username: root\n        password: ${q(MILVUS_ROOT)}\n` +
          `      user: yml_legacy\n      password: ${q(pw.legacy)}\n      currentPassword: ${q(LEGACY_BOOT)}\n`
        : "");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-plain-yaml-"));
    const write = (text: string) => fs.writeFileSync(path.join(dir, "Pulumi.yaml"), text);
    write(program(round(1), false));
    const project = new PulumiProject(dir, "plain");
    const outputs: CliResult[] = [];
    const step = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const r = await project.run(args, { env });
      outputs.push(r);
      assert.strictEqual(r.code, 0, r.all.slice(-4000));
      return r;
    };
    try {
      await step(["stack", "init", "plain"]);
      const up = await step(["up", "--yes", "--diff"]);
      const sealed = await audit(project, given, outputs, 6);
      assert.strictEqual(milvus.users.get("yml_token_user"), round(1).tokenUser);
      assert.strictEqual(emu.instances.get(instanceId(5))!.password, round(1).gemAkSk);
      assert.ok(await cqlLogsInWithin({ address: cassandra.address }, "yml_role", round(1).role));
      assert.match(up.stdout, /password\s*:\s*\[secret\]/);
      assert.ok(up.stdout.includes(milvus.address), "connection.address shows in the diff");
      // the plugin wraps each secret field itself, nested ones included, in inputs and outputs alike
      for (const [name, paths] of Object.entries({
        "milvus-pair": ["connection.password", "password"],
        "milvus-token": ["connection.token", "currentPassword"],
        "gemini-aksk": ["auth.secretKey", "auth.securityToken"],
        "gemini-iam": ["auth.password"],
        "gemini-token": ["auth.token"],
        "cassandra-role": ["connection.password", "currentPassword"],
      }))
        for (const p of paths)
          for (const where of ["inputs", "outputs"])
            assert.strictEqual(sealed[name][`${where}.${p}`], "leaf", `${name} ${where}.${p}`);

      write(program(round(2), false));
      const rotation = await step(["up", "--yes", "--diff"]);
      assert.match(rotation.stdout, /~ 6 updated/);
      assert.match(rotation.stdout, /~ password\s*:\s*\[secret\] => \[secret\]/);
      assert.strictEqual(milvus.users.get("yml_token_user"), round(2).tokenUser);
      assert.strictEqual(emu.instances.get(instanceId(6))!.password, round(2).gemIam);
      assert.ok(await cqlLogsInWithin({ address: cassandra.address }, "yml_role", round(2).role));
      await audit(project, given, outputs, 6);

      const refresh = await step(["refresh", "--yes"]);
      assert.doesNotMatch(refresh.stdout, /=>/, "refresh finds no drift");
      await audit(project, given, outputs, 6);

      // `pulumi import` with the admin from the environment (which never enters state), then the
      // program takes the user over with literal passwords
      await step(
        ["import", "dbpasswords:index:MilvusUserPassword", "imported", `yml_legacy@${milvus.address}`, "--yes"],
        {
          MILVUS_USER: "root",
          MILVUS_PASSWORD: MILVUS_ROOT,
        },
      );
      assert.strictEqual(milvus.users.get("yml_legacy"), LEGACY_BOOT, "import changed nothing");
      await audit(project, given, outputs, 7);
      write(program(round(2), true));
      await step(["up", "--yes", "--diff"]);
      assert.strictEqual(milvus.users.get("yml_legacy"), round(2).legacy);
      const imported = await audit(project, given, outputs, 7);
      for (const p of ["connection.password", "password", "currentPassword"])
        assert.strictEqual(imported.imported[`inputs.${p}`], "leaf", `imported inputs.${p}`);
    } finally {
      await project.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
