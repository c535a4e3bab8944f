/**
 * provider/cql/login.ts's cqlNodeLogin on a real Apache Cassandra (the suite's shared nodes,
 * plain and client TLS), with the DataStax driver's logins (harness/cql-driver.ts) as the witness: the
 * same answer for the right password, a wrong one, an unknown role and a role without LOGIN;
 * a password changed by ALTER ROLE; TLS with the node's CA, without it, and a mismatched TLS
 * setting either way. No error holds the password.
 */
import * as assert from "assert";
import * as util from "util";
import { RealCassandra, sharedCassandra } from "../../harness/real-cassandra";
import { alterRolePassword, cqlAs } from "../../harness/cql";
import { cqlString, cqlTarget } from "../../provider/cql/client";
import { driverLogin } from "../../harness/cql-driver";
import { CqlNode, cqlNodeLogin } from "../../provider/cql/login";
import { CqlError } from "../../provider/shared/errors";

describe("cqlNodeLogin on a real Cassandra node (plain and TLS)", function () {
  this.timeout(240000);
  let plain: RealCassandra;
  let tls: RealCassandra;
  const PW = "Login-Pw-0001'x";
  let n = 0;
  const fresh = () => `login_role_${++n}_${Date.now() % 100000}`;
  const nodeOf = (db: RealCassandra, extra: Partial<CqlNode> = {}): CqlNode => ({
    host: "127.0.0.1",
    port: db.port,
    ...(db.caCertificate ? { tls: true, caCertificate: db.caCertificate } : {}),
    ...extra,
  });
  const endpointOf = (db: RealCassandra) => ({
    address: db.address,
    ...(db.caCertificate ? { tls: true, caCertificate: db.caCertificate } : {}),
  });
  const createRole = (db: RealCassandra, role: string, options = "AND LOGIN = true") =>
    cqlAs(endpointOf(db), db.superuser, [`CREATE ROLE "${role}" WITH PASSWORD = ${cqlString(PW)} ${options}`], [PW]);
  /** The CqlError a login threw, checked to hold no form of the password. */
  const failure = async (node: CqlNode, role: string, password: string) => {
    const err = await cqlNodeLogin(node, role, password, 10000).then(
      (v) => assert.fail(`expected a CqlError, the login answered ${v}`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof CqlError, `not a CqlError: ${err}`);
    for (const text of [err.message, util.inspect(err), JSON.stringify(err)]) assert.ok(!text.includes(password), text);
    return err;
  };

  before(async function () {
    this.timeout(300000);
    [plain, tls] = await Promise.all([sharedCassandra(), sharedCassandra({ tls: true })]);
  });

  for (const kind of ["plain", "tls"] as const) {
    it(`${kind}: answers as the driver does for the right password, a wrong one, an unknown role and a role without LOGIN`, async () => {
      const db = kind === "plain" ? plain : tls;
      const [role, noLogin] = [fresh(), fresh()];
      await createRole(db, role);
      await createRole(db, noLogin, "AND LOGIN = false");
      const cases: Array<[string, string, boolean]> = [
        [role, PW, true],
        [role, "Wrong-Pw-0002", false],
        [`${role}_missing`, PW, false],
        [noLogin, PW, false],
      ];
      for (const [user, password, expected] of cases) {
        assert.strictEqual(await cqlNodeLogin(nodeOf(db), user, password, 10000), expected, `${user}`);
        assert.strictEqual(await driverLogin(cqlTarget(endpointOf(db)), user, password), expected, `driver: ${user}`);
      }
    });
  }

  it("sees a password changed by ALTER ROLE once the node's credentials cache lets it (the old one refused)", async () => {
    const role = fresh();
    await createRole(plain, role);
    assert.strictEqual(await cqlNodeLogin(nodeOf(plain), role, PW, 10000), true);
    await alterRolePassword(endpointOf(plain), plain.superuser, role, "Login-Pw-0003", { settle: true });
    assert.strictEqual(await cqlNodeLogin(nodeOf(plain), role, "Login-Pw-0003", 10000), true);
    assert.strictEqual(await cqlNodeLogin(nodeOf(plain), role, PW, 10000), false);
  });

  it("tls without the node's CA (system trust only): a TLS CqlError, not a refusal", async () => {
    const err = await failure(nodeOf(tls, { caCertificate: undefined }), "cassandra", tls.superuser.password);
    assert.strictEqual(err.serverCode, "TLS");
    assert.strictEqual(err.transient, false);
  });

  it("a plain login to a TLS-only node is cut off: a CqlError that says to check TLS; a TLS login to a plain node fails its handshake", async () => {
    const cut = await failure(
      nodeOf(tls, { tls: false, caCertificate: undefined }),
      "cassandra",
      tls.superuser.password,
    );
    assert.match(cut.message, /check cql\.tls/);
    const handshake = await failure(nodeOf(plain, { tls: true }), "cassandra", plain.superuser.password);
    assert.strictEqual(handshake.serverCode, "TLS");
  });
});
