/**
 * A real 3-node Cassandra (harness/cassandra-cluster) and the facts a proof that logs in on
 * every node relies on, each login pinned to one node (provider/cql/login's cqlNodeLogin):
 * every node checks credentials itself, through a credentials cache of its own that ALTER ROLE
 * does not invalidate, so a node that checked the old password a moment ago keeps taking it
 * until its own `credentials_validity` runs out; with system_auth at Cassandra's default RF 1,
 * a role's login depends on the one node that holds its row. And the harness's own operations:
 * per-node settings, stop, kill, start, restart.
 */
import * as assert from "assert";
import * as util from "util";
import { CassandraCluster, ClusterNode, sharedCassandraCluster } from "../../harness/cassandra-cluster";
import { waitFor } from "../../harness/support";
import { atDefaultAuthReplication } from "../helpers/cluster-hooks";
import { cqlString, cqlTarget } from "../../provider/cql/client";
import { driverLogin } from "../../harness/cql-driver";
import { cqlNodeLogin } from "../../provider/cql/login";
import { CqlError } from "../../provider/shared/errors";

/** Node 3's credentials cache keeps an entry this long; nodes 1 and 2 keep Cassandra's default, 2 s. */
const NODE3_VALIDITY_MS = 10000;
const DEFAULT_VALIDITY_MS = 2000;

describe("a real 3-node Cassandra: per-node logins and credentials caches", function () {
  this.timeout(300000);
  let cluster: CassandraCluster;
  let n = 0;
  const fresh = () => `cl_role_${++n}_${Date.now() % 100000}`;
  const login = (node: ClusterNode, user: string, password: string) =>
    cqlNodeLogin({ host: node.host, port: node.port }, user, password, 10000);

  before(async function () {
    this.timeout(600000);
    cluster = await sharedCassandraCluster({
      nodes: [{}, {}, { credentialsValidityMs: NODE3_VALIDITY_MS, credentialsUpdateIntervalMs: NODE3_VALIDITY_MS }],
    });
    const rss = cluster.nodes.map((x) => `${Math.round(x.rssBytes() / 2 ** 20)} MiB`).join(", ");
    console.log(`    [cluster] started in ${(cluster.startMs / 1000).toFixed(1)} s; RSS per node: ${rss}`);
  });

  it("puts each node on its own address with the same CQL port, every node up and in the ring", async () => {
    assert.deepStrictEqual(
      cluster.nodes.map((x) => x.host),
      ["127.0.0.2", "127.0.0.3", "127.0.0.4"],
    );
    assert.strictEqual(new Set(cluster.nodes.map((x) => x.port)).size, 1);
    const status = await cluster.nodetool(cluster.nodes[0], ["status"]);
    for (const node of cluster.nodes)
      assert.match(status, new RegExp(`^UN\\s+${node.host.replace(/\./g, "\\.")}\\s`, "m"));
    const [auth] = await cluster.nodes[0].cql([
      "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'system_auth'",
    ]);
    assert.deepStrictEqual(auth.first().replication, {
      class: "org.apache.cassandra.locator.NetworkTopologyStrategy",
      datacenter1: "3",
    });
  });

  it("applies credentials_validity and credentials_update_interval per node: 10 s on node 3, Cassandra's defaults on nodes 1 and 2", async () => {
    const settings = await Promise.all(
      cluster.nodes.map(async (node) => {
        // system_views are the node's own: the pinned session reads the node it names
        const [rows] = await node.cql([
          "SELECT name, value FROM system_views.settings WHERE name IN ('credentials_validity', 'credentials_update_interval')",
        ]);
        return Object.fromEntries(rows.rows.map((r) => [r.name, r.value]));
      }),
    );
    assert.deepStrictEqual(
      settings.map((s) => s.credentials_validity),
      ["2s", "2s", `${NODE3_VALIDITY_MS}ms`], // (Cassandra prints its default as 2s)
    );
    assert.deepStrictEqual(
      settings.map((s) => s.credentials_update_interval),
      [null, null, `${NODE3_VALIDITY_MS}ms`], // unset: the validity
    );
  });

  it("each node answers a login itself: the right password logs in, a wrong one and an unknown role are refused", async () => {
    const role = fresh();
    await cluster.nodes[0].cql([`CREATE ROLE "${role}" WITH PASSWORD = ${cqlString("Cluster-Pw-1")} AND LOGIN = true`]);
    for (const node of cluster.nodes) {
      await waitFor(`${role} on node ${node.index}`, () => login(node, role, "Cluster-Pw-1"), 10000, 250);
      assert.strictEqual(await login(node, role, "Cluster-Pw-2"), false);
      assert.strictEqual(await login(node, `${role}_missing`, "Cluster-Pw-1"), false);
    }
  });

  it("RF 3: after ALTER ROLE through node 1, node 1 refuses the old password at once; node 3, which checked it just before, takes it until its own cache expires", async () => {
    const role = fresh();
    const [OLD, NEW] = ["Cache-Pw-Old-1", "Cache-Pw-New-2"];
    const [node1, node2, node3] = cluster.nodes;
    await node1.cql([`CREATE ROLE "${role}" WITH PASSWORD = ${cqlString(OLD)} AND LOGIN = true`]);
    // nodes 2 and 3 check the old password now, which puts the role's hash in their caches
    // (node 1 never checks it before the change)
    await waitFor(`${role} on node 3`, () => login(node3, role, OLD), 10000, 250);
    assert.strictEqual(await login(node2, role, OLD), true);
    const cachedAt = Date.now();
    await node1.cql([`ALTER ROLE "${role}" WITH PASSWORD = ${cqlString(NEW)}`], [NEW]);

    assert.strictEqual(await login(node1, role, OLD), false, "node 1 refuses the old password at once");
    assert.strictEqual(await login(node1, role, NEW), true, "node 1 takes the new password at once");
    assert.strictEqual(await login(node3, role, OLD), true, "node 3 takes the old password from its cache");
    assert.strictEqual(await login(node3, role, NEW), false, "node 3 refuses the new password meanwhile");

    // past node 2's validity (2 s since it checked), within node 3's (10 s)
    await new Promise((r) => setTimeout(r, Math.max(0, cachedAt + DEFAULT_VALIDITY_MS + 1000 - Date.now())));
    assert.ok(Date.now() - cachedAt < NODE3_VALIDITY_MS - 2000, "the check below comes before node 3's cache expires");
    assert.deepStrictEqual(
      [await login(node2, role, OLD), await login(node2, role, NEW)],
      [false, true],
      "node 2's cache (2 s) has let go",
    );
    assert.deepStrictEqual(
      [await login(node3, role, OLD), await login(node3, role, NEW)],
      [true, false],
      "node 3's cache (10 s) still holds the old hash",
    );

    await waitFor("node 3 to refuse the old password", async () => !(await login(node3, role, OLD)), 20000, 500);
    const flippedAfter = Date.now() - cachedAt;
    assert.strictEqual(await login(node3, role, NEW), true);
    assert.ok(
      flippedAfter >= NODE3_VALIDITY_MS - 1000,
      `node 3 let go after ${flippedAfter} ms, not before its validity`,
    );
  });

  it("kill and restart one node: a killed node refuses connections, the two others keep logging in once they have noticed, the restarted node logs in again", async () => {
    const [node1, node2, node3] = cluster.nodes;
    const su = cluster.superuser;
    await node2.kill();
    const killedAt = Date.now();
    assert.strictEqual(node2.running(), false);
    await assert.rejects(
      login(node2, su.username, su.password),
      (e: unknown) => (e as CqlError).serverCode === "ECONNREFUSED",
    );
    // RF 3 and QUORUM: two nodes of three answer; until the failure detector convicts node 2
    // a read may still be sent to it and time out
    const first = await login(node1, su.username, su.password).catch((e: unknown) => (e as Error).message);
    for (const node of [node1, node3])
      await waitFor(
        `a login on node ${node.index} with node 2 killed`,
        () => login(node, su.username, su.password),
        60000,
        500,
      );
    console.log(
      `    [kill] node 1's first login after the kill: ${first}; both others log in ${((Date.now() - killedAt) / 1000).toFixed(1)} s after it`,
    );
    await node2.restart(); // a killed node: stop has nothing to do, then it starts with its data
    assert.strictEqual(node2.running(), true);
    assert.strictEqual(await login(node2, su.username, su.password), true);
  });

  describe("with system_auth at Cassandra's default RF 1", () => {
    atDefaultAuthReplication(() => cluster);

    it("a role's login needs the node holding its row: with it stopped, another node cannot check the password (cqlNodeLogin throws a transient CqlError, not a refusal; the driver hears the same answer)", async () => {
      const role = fresh();
      const PW = "Rf1-Pw-1";
      await cluster.nodes[0].cql([`CREATE ROLE "${role}" WITH PASSWORD = ${cqlString(PW)} AND LOGIN = true`]);
      const [owner] = await cluster.replicasOfRole(role);
      const other = cluster.nodes.find((x) => x !== owner)!;
      assert.strictEqual(await login(owner, role, PW), true);
      await owner.stop();
      assert.strictEqual(owner.running(), false);
      await assert.rejects(login(owner, role, PW), (e: unknown) => (e as CqlError).serverCode === "ECONNREFUSED");
      try {
        // cqlNodeLogin: the node answers 0x0100 "Unable to perform authentication: ..." (no replica)
        const err = await login(other, role, PW).then(
          (v) => assert.fail(`cqlNodeLogin answered ${v}`),
          (e: unknown) => e as CqlError,
        );
        assert.ok(err instanceof CqlError, String(err));
        assert.strictEqual(err.serverCode, "256");
        assert.strictEqual(err.transient, true);
        assert.match(
          err.message,
          /could not check the credentials: Unable to perform authentication: .*(Cannot achieve consistency level|Operation timed out)/,
        );
        assert.ok(!err.message.includes(PW));
        // the DataStax driver, a witness, hears the same answer: an AuthenticationError with that text
        const driverAnswer = await driverLogin(cqlTarget({ address: other.address }), role, PW).catch(
          (e: unknown) => e,
        );
        const driverText = util.inspect(driverAnswer);
        console.log(
          `    [rf1] node ${owner.index} holds ${role} and is stopped; on node ${other.index}: cqlNodeLogin threw "${err.message}"; the driver: ${driverText.split("\n")[0]}`,
        );
        assert.ok(driverAnswer instanceof Error, `the driver answered ${String(driverAnswer)}`);
        assert.match(driverText, /AuthenticationError[\s\S]*Unable to perform authentication/);
      } finally {
        await owner.start();
      }
      // with its node back, the role logs in everywhere again, once the other node has seen it up
      // (until then it still cannot check the password: transient, asked again)
      let back: boolean | undefined;
      await waitFor(
        `node ${other.index} to check ${role} again`,
        async () => {
          back = await login(other, role, PW);
          return true;
        },
        30000,
        500,
      );
      assert.strictEqual(back, true, "with its node back, the role logs in everywhere again");
      await cluster.nodes[0].cql([`DROP ROLE "${role}"`]);
    });
  });
});
