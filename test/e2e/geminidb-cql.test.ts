/**
 * GeminiDbAdminPassword with `cql` through the real CLI, on both faces: the TypeScript example
 * (examples/geminidb-admin-password, the dynamic resource) and a YAML program (the plugin),
 * against the GeminiDB emulator backed by a real Apache Cassandra (each reset becomes ALTER ROLE
 * rwuser there). Every reset is proved by a CQL login; a reset done in the console shows on
 * refresh and the next up repairs it; an unreachable database after the API's 204 fails the up
 * naming cql and leaves state recording the reset, unverified (secret like every password); the
 * state audit runs after every step.
 */
import * as assert from "assert";
import * as path from "path";
import { GeminiDbEmulator, TEST_INSTANCE, TEST_PROJECT, startEmulator } from "../../harness/geminidb-emulator";
import { RealCassandra, sharedCassandra } from "../../harness/real-cassandra";
import { alterRolePassword, cqlAs, cqlCanLogin } from "../../harness/cql";
import { CliResult, PulumiProject, dynamicResources, pluginResources } from "../../harness/pulumi-cli";
import { secretValue } from "../../harness/support";
import { REPO_ROOT } from "../../harness/tools";
import { cqlString } from "../../provider/cql/client";
import { auditPluginState } from "../helpers/audit";

const FACES = [
  {
    face: "the TypeScript example (dynamic resource)",
    dir: path.join(REPO_ROOT, "examples", "geminidb-admin-password"),
    config: (emu: GeminiDbEmulator, cql: string) => ({
      region: "eu-west-101",
      projectId: TEST_PROJECT,
      instanceId: TEST_INSTANCE,
      endpoint: emu.url,
      iamEndpoint: emu.url,
      cqlAddress: cql,
    }),
    resources: dynamicResources,
  },
  {
    face: "a YAML program (the plugin)",
    dir: path.join(__dirname, "plugin-cql-program"),
    config: (emu: GeminiDbEmulator, cql: string) => ({ instanceId: TEST_INSTANCE, endpoint: emu.url, cqlAddress: cql }),
    resources: pluginResources,
  },
];

for (const f of FACES) {
  describe(`GeminiDB with cql through the real CLI: ${f.face}`, function () {
    this.timeout(600000);
    const P = ["E2e-cql~Pw01", "E2e-cql~Pw02", "E2e-cql~Pw03"];
    const CONSOLE = "E2e-console~Pw9";
    const seen = [...P, CONSOLE];
    let db: RealCassandra;
    let emu: GeminiDbEmulator;
    let project: PulumiProject;
    const outputs: CliResult[] = [];
    const endpoint = () => ({ address: db.address });
    const step = async (args: string[], ok = true) => {
      const r = await project.run(args);
      outputs.push(r);
      if (ok) assert.strictEqual(r.code, 0, r.all);
      return r;
    };
    const state = async () => {
      const [r] = f.resources((await project.exportState(true)).json);
      return { ...r.outputs, password: secretValue(r.outputs.password) };
    };
    const audit = (mustHold: string[] = []) => auditPluginState(project, seen, outputs, { mustHold });

    before(async () => {
      db = await sharedCassandra();
      seen.push(db.superuser.password);
      await cqlAs(endpoint(), db.superuser, [
        `CREATE ROLE IF NOT EXISTS rwuser WITH PASSWORD = ${cqlString("E2e-cql~Pw00")} AND LOGIN = true`,
      ]);
      emu = await startEmulator();
      emu.useDatabase(endpoint(), db.superuser);
      const token = emu.issueToken(TEST_PROJECT);
      seen.push(token);
      project = new PulumiProject(f.dir, "e2e-cql", { HW_AUTH_TOKEN: token });
      await project.init(f.config(emu, db.address), { rwuserPassword: P[0] });
    });
    after(async () => {
      await project?.cleanup();
      await emu?.stop();
    });

    it("pulumi up resets rwuser and proves it by a CQL login", async () => {
      await step(["up", "--yes"]);
      assert.strictEqual(await cqlCanLogin(endpoint(), "rwuser", P[0]), true);
      assert.strictEqual((await state()).passwordVerified, true);
      await audit([P[0]]);
    });

    it("a new secret resets again: the new password logs in, the old one is refused", async () => {
      await project.setSecret("rwuserPassword", P[1]);
      await step(["up", "--yes"]);
      assert.strictEqual(await cqlCanLogin(endpoint(), "rwuser", P[1]), true);
      assert.strictEqual(await cqlCanLogin(endpoint(), "rwuser", P[0]), false);
      await step(["preview", "--expect-no-changes"]);
      await audit([P[1]]);
    });

    it("a reset in the console shows on refresh as passwordVerified: true => false; up repairs it", async () => {
      await alterRolePassword(endpoint(), db.superuser, "rwuser", CONSOLE, { settle: true });
      const refresh = await step(["refresh", "--yes", "--diff"]);
      assert.match(refresh.stdout, /passwordVerified\s*:\s*true\s*=>\s*false/);
      emu.resetCounts();
      await step(["up", "--yes"]);
      assert.strictEqual(emu.count("password.put"), 1, "the repair resets the stored password again");
      assert.strictEqual(await cqlCanLogin(endpoint(), "rwuser", P[1]), true);
      assert.strictEqual(await cqlCanLogin(endpoint(), "rwuser", CONSOLE), false);
      assert.strictEqual((await state()).passwordVerified, true);
      await audit([P[1]]);
    });

    it("an unreachable database after the 204 fails the up naming cql; state records the reset, unverified", async () => {
      await project.ok(["config", "set", "cqlAddress", "127.0.0.1:9"]);
      await project.setSecret("rwuserPassword", P[2]);
      const failed = await step(["up", "--yes"], false);
      assert.notStrictEqual(failed.code, 0);
      assert.match(failed.all, /could not reach the database \(cql\)/);
      const s = await state();
      assert.strictEqual(s.password, P[2], "state records the reset the API made");
      assert.strictEqual(s.passwordVerified, false);
      await audit([P[2]]); // the recorded password is encrypted like every other
      await project.ok(["config", "set", "cqlAddress", db.address]);
      await step(["up", "--yes"]);
      assert.strictEqual((await state()).passwordVerified, true);
      assert.strictEqual(await cqlCanLogin(endpoint(), "rwuser", P[2]), true);
      await step(["preview", "--expect-no-changes"]);
      await audit([P[2]]);
    });

    it("pulumi destroy leaves the password", async () => {
      await step(["destroy", "--yes"]);
      assert.strictEqual(await cqlCanLogin(endpoint(), "rwuser", P[2]), true);
      await audit();
    });
  });
}
