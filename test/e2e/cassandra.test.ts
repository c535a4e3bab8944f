/**
 * CassandraRolePassword through the real CLI on a real Apache Cassandra, on both faces:
 * examples/cassandra-role-zero-downtime (TypeScript, two roles taking turns), with a service
 * that reconnects all the time and must never be refused, and a YAML program through the
 * plugin, with a bad input that makes no connection at all. The state audit runs after every
 * step; CQL is the witness.
 */
import * as assert from "assert";
import * as path from "path";
import { RealCassandra, sharedCassandra } from "../../harness/real-cassandra";
import { alterRolePassword, cqlAs, cqlCanLogin, roleGrantsOf } from "../../harness/cql";
import { CliResult, PulumiProject, pluginResources } from "../../harness/pulumi-cli";
import { REPO_ROOT } from "../../harness/tools";
import { auditPluginState, rolePairState } from "../helpers/audit";
import { HoldProxy } from "../../harness/hold-proxy";

function stepper(project: () => PulumiProject, outputs: CliResult[]) {
  return async (args: string[], ok = true) => {
    const r = await project().run(args);
    outputs.push(r);
    if (ok) assert.strictEqual(r.code, 0, r.all);
    return r;
  };
}

describe("CassandraRolePassword through the real CLI", function () {
  this.timeout(900000);
  let db: RealCassandra;
  const endpoint = () => ({ address: db.address });
  before(async () => {
    db = await sharedCassandra();
    await cqlAs(endpoint(), db.superuser, [
      "CREATE KEYSPACE IF NOT EXISTS shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      "CREATE ROLE IF NOT EXISTS shop_reader",
      "GRANT SELECT ON KEYSPACE shop TO shop_reader",
    ]);
  });

  describe("examples/cassandra-role-zero-downtime: two roles take turns", () => {
    let project: PulumiProject;
    const outputs: CliResult[] = [];
    const step = stepper(() => project, outputs);
    const seen: string[] = [];
    const current = () => rolePairState(project, seen);
    const audit = (mustHold: string[] = []) => auditPluginState(project, seen, outputs, { mustHold });

    before(async () => {
      seen.push(db.superuser.password);
      project = new PulumiProject(path.join(REPO_ROOT, "examples", "cassandra-role-zero-downtime"), "e2e", {});
      await project.init(
        { cassandraAddress: db.address, rotation: "2026-11" },
        { cassandraPassword: db.superuser.password },
      );
    });
    after(async () => project?.cleanup());

    it("pulumi up creates both roles; the active one logs in", async () => {
      await step(["up", "--yes"]);
      const s = await current();
      assert.strictEqual(s.active, "orders_blue");
      assert.strictEqual(await cqlCanLogin(endpoint(), "orders_blue", s.password), true);
      assert.strictEqual(await cqlCanLogin(endpoint(), "orders_green", s.standby), true);
      // the application's grants go to the active role, as an operator gives them
      await cqlAs(endpoint(), db.superuser, ["GRANT shop_reader TO orders_blue"]);
      await audit([s.password]);
    });

    it("two rotations while a service reconnects every 100 ms: it is never refused, and the grants follow", async () => {
      let creds = await current();
      let attempts = 0;
      const refused: string[] = [];
      let running = true;
      // the service: reconnects all the time with the credentials it last read from the stack
      const service = (async () => {
        while (running) {
          const { active, password } = creds;
          attempts++;
          if (!(await cqlCanLogin(endpoint(), active, password))) refused.push(active);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      try {
        for (const rotation of ["2026-12", "2027-01"]) {
          await project.ok(["config", "set", "rotation", rotation]);
          await step(["up", "--yes"]);
          creds = await current(); // the service picks up the new credentials after the up
        }
      } finally {
        running = false;
        await service;
      }
      assert.ok(attempts > 20, `the service reconnected only ${attempts} times`);
      assert.deepStrictEqual(refused, [], "a reconnecting service was refused during a rotation");
      assert.strictEqual(creds.active, "orders_blue", "two rotations bring the first role back");
      const rows = (role: string) => roleGrantsOf(endpoint(), db.superuser, role);
      assert.deepStrictEqual(await rows("orders_green"), ["role:shop_reader"]);
      await step(["preview", "--expect-no-changes"]);
      await audit([creds.password]);
    });

    it("refresh shows the standby role's password changed outside Pulumi; up repairs it without a rotation", async () => {
      const s = await current();
      await alterRolePassword(endpoint(), db.superuser, "orders_green", "Outside-Pw-77", { settle: true });
      const r = await step(["refresh", "--yes", "--diff"]);
      assert.match(r.stdout, /passwordVerified\s*:\s*true\s*=>\s*false/);
      await step(["up", "--yes"]);
      const after = await current();
      assert.strictEqual(after.active, s.active, "a repair is no rotation");
      assert.strictEqual(await cqlCanLogin(endpoint(), "orders_green", s.standby), true);
      await step(["preview", "--expect-no-changes"]);
      await audit([after.password]);
    });

    it("pulumi destroy with deleteRoleOnDestroy drops both roles", async () => {
      const s = await current();
      await project.ok(["config", "set", "deleteRoleOnDestroy", "true"]);
      await step(["up", "--yes"]);
      await step(["destroy", "--yes"]);
      await new Promise((r) => setTimeout(r, 2500)); // the credentials cache
      assert.strictEqual(await cqlCanLogin(endpoint(), s.active, s.password), false);
      await audit();
    });
  });

  describe("a YAML program through the plugin", () => {
    let project: PulumiProject;
    let proxy: HoldProxy;
    const outputs: CliResult[] = [];
    const step = stepper(() => project, outputs);
    const P = ["Yaml-role-Pw1", "Yaml-role-Pw2"];
    const audit = (mustHold: string[] = []) =>
      auditPluginState(project, [...P, db.superuser.password], outputs, { mustHold });

    before(async () => {
      const [host, port] = db.address.split(":");
      proxy = new HoldProxy(host, Number(port));
      await proxy.start();
      project = new PulumiProject(path.join(__dirname, "plugin-cassandra-program"), "e2e", {});
      await project.init(
        { cassandraAddress: proxy.address },
        { cassandraPassword: db.superuser.password, appPassword: P[0] },
      );
    });
    after(async () => {
      await project?.cleanup();
      await proxy?.stop();
    });

    it("up creates the role with the password from config; a new secret previews as ~password and rotates", async () => {
      await step(["up", "--yes"]);
      assert.strictEqual(await cqlCanLogin(endpoint(), "yaml_app", P[0]), true);
      await project.setSecret("appPassword", P[1]);
      const preview = await step(["preview", "--diff"]);
      assert.match(preview.stdout, /~ password\s*:\s*\[secret\] => \[secret\]/);
      await step(["up", "--yes"]);
      assert.strictEqual(await cqlCanLogin(endpoint(), "yaml_app", P[1]), true);
      assert.strictEqual(await cqlCanLogin(endpoint(), "yaml_app", P[0]), false);
      const [r] = pluginResources((await project.exportState(true)).json);
      assert.strictEqual(r.outputs.passwordVerified, true);
      await step(["preview", "--expect-no-changes"]);
      await audit([P[1]]);
    });

    it("a bad role name fails the preview naming role and the rule, with no connection to the database", async () => {
      await project.ok(["config", "set", "role", "Yaml-App"]);
      const before = proxy.accepted;
      const r = await step(["preview"], false);
      assert.notStrictEqual(r.code, 0);
      assert.match(
        r.all,
        /role: must start with a lowercase letter and hold only lowercase letters, digits and underscores/,
      );
      assert.doesNotMatch(r.all, /Yaml-App/);
      assert.strictEqual(proxy.accepted, before, "the bad input reached the database");
      await project.ok(["config", "set", "role", "yaml_app"]);
      await audit();
    });

    it("destroy drops the role (deleteRoleOnDestroy)", async () => {
      await step(["destroy", "--yes"]);
      await new Promise((r) => setTimeout(r, 2500)); // the credentials cache
      assert.strictEqual(await cqlCanLogin(endpoint(), "yaml_app", P[1]), false);
      await audit();
    });
  });
});
