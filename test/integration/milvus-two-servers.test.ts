/**
 * Two embedded Milvus servers at once, as two test workers start them: each comes up (its
 * embedded etcd and every component on ports of its own, not the fixed defaults), and each holds
 * only what was written to it. pymilvus, an independent client, is the witness.
 */
import * as assert from "assert";
import { RealMilvus, setRootPassword, startRealMilvus } from "../../harness/real-milvus";
import { pymilvusCanLogin, pymilvusSnapshot } from "../../harness/pymilvus";
import { MilvusSession } from "../../provider/milvus/client";

describe("two embedded Milvus servers running at the same time (pymilvus as witness)", function () {
  this.timeout(300000);
  const ROOT_PW = ["Two-root-A-Pw1", "Two-root-B-Pw2"];
  const USERS = [
    ["only_on_a", "Only-on-A-Pw1"],
    ["only_on_b", "Only-on-B-Pw2"],
  ];
  let servers: RealMilvus[] = [];

  before(async () => {
    // Started together, as two workers would: the launcher's port choices race here if they can.
    const started = await Promise.allSettled([startRealMilvus(), startRealMilvus()]);
    servers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    await Promise.all(servers.map((m, i) => setRootPassword(m, ROOT_PW[i])));
  });
  after(async () => {
    await Promise.all(servers.map((m) => m.stop()));
  });

  it("both listen, each on its own address", () => {
    assert.strictEqual(servers.length, 2);
    assert.notStrictEqual(servers[0].address, servers[1].address);
  });

  it("a user created on each (with our Node client) exists on that server only", async () => {
    await Promise.all(
      servers.map((m, i) =>
        new MilvusSession(
          { hostPort: m.address, tls: false, timeoutMs: 10000 },
          { username: "root", password: ROOT_PW[i] },
        ).createUser(USERS[i][0], USERS[i][1]),
      ),
    );
    for (const [i, m] of servers.entries()) {
      const snapshot = await pymilvusSnapshot(m.address, ["root", ROOT_PW[i]]);
      assert.deepStrictEqual(snapshot.users.sort(), [USERS[i][0], "root"].sort(), `users on server ${i + 1}`);
    }
  });

  it("each user logs in on its own server and not on the other", async () => {
    for (const [i, [user, password]] of USERS.entries()) {
      assert.strictEqual(await pymilvusCanLogin(servers[i].address, user, password), true, `${user} on its server`);
      assert.strictEqual(await pymilvusCanLogin(servers[1 - i].address, user, password), false, `${user} elsewhere`);
    }
  });

  it("each root password holds on its own server only", async () => {
    assert.strictEqual(await pymilvusCanLogin(servers[0].address, "root", ROOT_PW[0]), true);
    assert.strictEqual(await pymilvusCanLogin(servers[1].address, "root", ROOT_PW[0]), false);
    assert.strictEqual(await pymilvusCanLogin(servers[1].address, "root", ROOT_PW[1]), true);
  });
});
