/**
 * CassandraRolePassword on a real Apache Cassandra, as the provider host runs it (the built
 * package), with CQL as the witness: created roles are LOGIN roles and never superusers; a
 * connection identity sets a password outright, a role alone changes its own; a password with a
 * quote is set exactly and a hostile one changes nothing else; drift shows on refresh and is
 * repaired; two roles take turns with exactly the same roles and permissions; what the
 * connection identity may not do fails with the server's code; every error is free of secrets.
 */
import * as assert from "assert";
import type { CassandraRolePasswordInputs, CassandraRolePasswordOutputs } from "../../provider/cassandra/schema";
import { RealCassandra, sharedCassandra } from "../../harness/real-cassandra";
import { alterRolePassword, cqlAs, cqlCanLogin, roleGrantsOf } from "../../harness/cql";
import { cqlString, withCqlSession } from "../../provider/cql/client";
import { cqlTarget } from "../../harness/cql";
import { assertNoLeak, captureOutput, errorTexts } from "../helpers/leaks";
import { HoldProxy } from "../../harness/hold-proxy";

/** Connections an operation's session opens to one node (provider/cql/login.ts's cqlNodeSession: one). */
const SESSION_CONNECTIONS = 1;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dist: typeof import("../../provider/cassandra/operations") = require("pulumi-db-passwords/dist/cassandra/operations");
const ops = dist.withSettings({ settle: { boundMs: 5000, baseDelayMs: 100, maxDelayMs: 500 } });

type Out = CassandraRolePasswordOutputs;

describe("CassandraRolePassword on a real Cassandra (CQL as the witness)", function () {
  this.timeout(240000);
  let db: RealCassandra;
  const P = ["Role-Pw-0001", "Role-Pw-0002", "Role-Pw-0003", "Role-Pw-0004"];
  const secrets = () => [...P, db.superuser.password, "Outside-Pw-9", "Deploy-Pw-1"];
  let n = 0;
  /** a role name of its own for each test */
  const fresh = () => `it_role_${++n}_${Date.now() % 100000}`;
  const endpoint = () => ({ address: db.address });
  const admin = () => ({ address: db.address, username: db.superuser.username, password: db.superuser.password });
  const inputs = (role: string, extra: Partial<CassandraRolePasswordInputs> = {}): CassandraRolePasswordInputs => ({
    connection: admin(),
    role,
    ...extra,
  });
  const rolesRow = (role: string) =>
    withCqlSession(cqlTarget(endpoint()), db.superuser, async (s) =>
      (await s.execute(`LIST ROLES OF "${role}"`)).rows.find((r) => r.role === role),
    );

  before(async () => {
    db = await sharedCassandra();
    await cqlAs(endpoint(), db.superuser, [
      "CREATE KEYSPACE IF NOT EXISTS orders WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      "CREATE TABLE IF NOT EXISTS orders.items (id int PRIMARY KEY, name text)",
      "CREATE ROLE IF NOT EXISTS orders_reader",
      "CREATE ROLE IF NOT EXISTS orders_writer",
    ]);
  });

  it("creates a missing role with createIfMissing: a LOGIN role, never a superuser, with the password proved", async () => {
    const role = fresh();
    const c = await ops.create(inputs(role, { password: P[0], createIfMissing: true }));
    assert.strictEqual(c.id, `${role}@${db.address}`);
    assert.strictEqual(c.outs!.passwordVerified, true);
    assert.strictEqual(await cqlCanLogin(endpoint(), role, P[0]), true);
    const row = await rolesRow(role);
    assert.strictEqual(row?.super, false);
    assert.strictEqual(row?.login, true);
  });

  it("a create opens one statements session and one login more: discovery, whose login answers the proof's on the contact point", async () => {
    const proxy = new HoldProxy("127.0.0.1", Number(db.address.split(":").pop()));
    await proxy.start();
    try {
      const role = fresh();
      const viaProxy = { ...admin(), address: proxy.address };
      const c = await ops.create(inputs(role, { connection: viaProxy, password: P[0], createIfMissing: true }));
      assert.strictEqual(c.outs!.passwordVerified, true);
      // the driver's session (LIST ROLES OF answering "doesn't exist" keeps it for CREATE ROLE: a
      // second session was a second login); discovery: one login, then the peers
      assert.strictEqual(proxy.accepted, SESSION_CONNECTIONS + 1, `connections: ${proxy.accepted}`);
    } finally {
      await proxy.stop();
    }
  });

  it("refuses a missing role without createIfMissing, naming role", async () => {
    const { error } = await captureOutput(() => ops.create(inputs(fresh(), { password: P[0] })));
    assert.strictEqual((error as Error).name, "ConfigError");
    assert.match((error as Error).message, /does not exist: set createIfMissing: true/);
  });

  it("the connection identity sets an existing role's password without its old one, then rotates it", async () => {
    const role = fresh();
    await cqlAs(endpoint(), db.superuser, [
      `CREATE ROLE "${role}" WITH PASSWORD = ${cqlString("Unknown-Pw-7")} AND LOGIN = true`,
    ]);
    const c = await ops.create(inputs(role, { password: P[0] }));
    assert.strictEqual(await cqlCanLogin(endpoint(), role, P[0]), true);
    const u = await ops.update(c.id, c.outs!, inputs(role, { password: P[1] }));
    assert.strictEqual(u.outs!.passwordVerified, true);
    assert.strictEqual(await cqlCanLogin(endpoint(), role, P[1]), true);
    assert.strictEqual(await cqlCanLogin(endpoint(), role, P[0]), false);
  });

  it("without a connection identity the role changes its own password, from currentPassword, then from state", async () => {
    const role = fresh();
    await cqlAs(endpoint(), db.superuser, [
      `CREATE ROLE "${role}" WITH PASSWORD = ${cqlString(P[3])} AND LOGIN = true`,
    ]);
    const self = (extra: Partial<CassandraRolePasswordInputs>) => ({
      connection: { address: db.address },
      role,
      ...extra,
    });
    const c = await ops.create(self({ password: P[0], currentPassword: P[3] }));
    assert.strictEqual(await cqlCanLogin(endpoint(), role, P[0]), true);
    const u = await ops.update(c.id, c.outs!, self({ password: P[1], currentPassword: P[3] }));
    assert.strictEqual(await cqlCanLogin(endpoint(), role, P[1]), true);
    assert.strictEqual(await cqlCanLogin(endpoint(), role, P[0]), false);
    assert.strictEqual(u.outs!.password, P[1]);
  });

  it("a password with a quote is set exactly; a hostile one changes the password and nothing else", async () => {
    const role = fresh();
    const quoted = "It's-a-Pw1";
    const hostile = "x' AND SUPERUSER = true AND LOGIN = true --1A";
    const c = await ops.create(inputs(role, { password: quoted, createIfMissing: true }));
    assert.strictEqual(await cqlCanLogin(endpoint(), role, quoted), true);
    await ops.update(c.id, c.outs!, inputs(role, { password: hostile }));
    assert.strictEqual(await cqlCanLogin(endpoint(), role, hostile), true);
    assert.strictEqual((await rolesRow(role))?.super, false, "the password's text must not have made a superuser");
  });

  it("refresh reports a password changed outside Pulumi; the next update repairs it", async () => {
    const role = fresh();
    const c = await ops.create(inputs(role, { password: P[0], createIfMissing: true }));
    await alterRolePassword(endpoint(), db.superuser, role, "Outside-Pw-9", { settle: true });
    const read = await ops.read(c.id, c.outs!);
    const drifted = read.props as Out;
    assert.strictEqual(drifted.passwordVerified, false);
    const d = await ops.diff(c.id, drifted, inputs(role, { password: P[0], createIfMissing: true }));
    assert.deepStrictEqual(d.diffs, ["passwordVerified"]);
    const repaired = await ops.update(c.id, drifted, inputs(role, { password: P[0], createIfMissing: true }));
    assert.strictEqual(repaired.outs!.passwordVerified, true);
    assert.strictEqual(await cqlCanLogin(endpoint(), role, P[0]), true);
    assert.strictEqual(await cqlCanLogin(endpoint(), role, "Outside-Pw-9"), false);
    // a dropped role leaves state
    await cqlAs(endpoint(), db.superuser, [`DROP ROLE "${role}"`]);
    await new Promise((r) => setTimeout(r, 2500)); // the credentials cache
    assert.deepStrictEqual(await ops.read(c.id, repaired.outs!), { id: "", props: undefined });
  });

  it("standbyRole: two roles take turns with the active role's roles and permissions, previous works, two-ago refused", async () => {
    const blue = fresh();
    const green = fresh();
    const pair = (extra: Partial<CassandraRolePasswordInputs> = {}) =>
      inputs(blue, { standbyRole: green, createIfMissing: true, rotationTrigger: "r1", ...extra });
    const c = await ops.create(pair());
    let state = c.outs as Out;
    assert.strictEqual(state.activeRole, blue);
    await cqlAs(endpoint(), db.superuser, [
      `GRANT orders_reader TO "${blue}"`,
      `GRANT MODIFY ON TABLE orders.items TO "${blue}"`,
      `GRANT SELECT ON KEYSPACE orders TO "${green}"`, // extra on the standby: to be revoked
    ]);
    const passwords: string[] = [state.password];
    for (const [i, trigger] of ["r2", "r3"].entries()) {
      const u = await ops.update(c.id, state, pair({ rotationTrigger: trigger }));
      state = u.outs as Out;
      passwords.push(state.password);
      const active = state.activeRole!;
      const previous = active === blue ? green : blue;
      assert.strictEqual(active, i === 0 ? green : blue, "the roles take turns");
      assert.strictEqual(await cqlCanLogin(endpoint(), active, state.password), true);
      assert.strictEqual(
        await cqlCanLogin(endpoint(), previous, state.standbyPassword!),
        true,
        "the previous role keeps working",
      );
      if (i === 1)
        assert.strictEqual(await cqlCanLogin(endpoint(), active, passwords[0]), false, "two rotations ago is refused");
      const grants = (role: string) => roleGrantsOf(endpoint(), db.superuser, role);
      assert.deepStrictEqual(await grants(active), await grants(previous));
      assert.deepStrictEqual(await grants(active), ["permission:MODIFY <table orders.items>", "role:orders_reader"]);
    }
    const read = await ops.read(c.id, state);
    assert.strictEqual((read.props as Out).passwordVerified, true);
    await ops.remove(c.id, { ...state, deleteRoleOnDestroy: true });
    assert.strictEqual(await rolesRow(blue).catch(() => undefined), undefined);
    assert.strictEqual(await rolesRow(green).catch(() => undefined), undefined);
    // a destroy run again (its first run's answer lost): DROP ROLE IF EXISTS finds nothing, and succeeds
    await ops.remove(c.id, { ...state, deleteRoleOnDestroy: true });
  });

  it("an identity without the right to create roles fails with the server's code 8448, and nothing changed", async () => {
    const deployer = fresh();
    await cqlAs(endpoint(), db.superuser, [
      `CREATE ROLE "${deployer}" WITH PASSWORD = ${cqlString("Deploy-Pw-1")} AND LOGIN = true`,
    ]);
    const role = fresh();
    const { error, output } = await captureOutput(() =>
      ops.create({
        connection: { address: db.address, username: deployer, password: "Deploy-Pw-1" },
        role,
        password: P[0],
        createIfMissing: true,
      }),
    );
    const err = error as Error & { serverCode?: string };
    assert.strictEqual(err?.name, "CqlError", String(err));
    assert.strictEqual(err.serverCode, "8448");
    assertNoLeak([...errorTexts(err), output], secrets(), "error or log");
    assert.strictEqual(await rolesRow(role).catch(() => undefined), undefined);
  });
});
