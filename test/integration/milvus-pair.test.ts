/**
 * Rotation without downtime on a real Milvus, pymilvus as the witness: with `standbyUser` a
 * service logged in with the active credential keeps working across a rotation (without it,
 * the same service is cut off at the rotation); the roles of both users are the same after
 * a role was bound to the active user between rotations; the credential from two rotations
 * ago no longer logs in.
 */
import * as assert from "assert";
import { RealMilvus, setRootPassword, startRealMilvus } from "../../harness/real-milvus";
import { pymilvusCanLogin, pymilvusSession, pymilvusSetup, pymilvusSnapshot } from "../../harness/pymilvus";
import * as ops from "../../provider/milvus/operations";
import type { MilvusUserPasswordOutputs } from "../../provider/milvus/schema";

describe("zero-downtime rotation with standbyUser (real Milvus, pymilvus as witness)", function () {
  this.timeout(300000);
  const ROOT_PW = "Pair-root-Pw1";
  const P = ["Blue-green-Pw1", "Blue-green-Pw2", "Blue-green-Pw3"];
  let milvus: RealMilvus;
  const root: [string, string] = ["root", ROOT_PW];
  let connection: { address: string; username: string; password: string };
  let outs: MilvusUserPasswordOutputs;
  const inputs = (password: string) => ({
    connection,
    user: "svc_blue",
    standbyUser: "svc_green",
    password,
    createIfMissing: true,
    deleteUserOnDestroy: true,
  });
  const rolesOf = async (user: string) => (await pymilvusSnapshot(milvus.address, root)).userRoles[user];

  before(async () => {
    milvus = await startRealMilvus();
    await setRootPassword(milvus, ROOT_PW);
    connection = { address: milvus.address, username: "root", password: ROOT_PW };
    await pymilvusSetup(milvus.address, root, {
      collection: "pair_docs",
      users: { svc_blue: "Blue-boot-Pw0", svc_single: "Single-boot-Pw0" },
      roles: {
        docs_reader: [["Collection", "pair_docs", "Search"]],
        docs_writer: [["Collection", "pair_docs", "Insert"]],
        docs_auditor: [["Global", "*", "DescribeCollection"]],
      },
      bind: { svc_blue: ["docs_reader", "docs_writer"] },
    });
  });
  after(async () => {
    await milvus?.stop();
  });

  it("create: svc_blue is active with the password; svc_green exists with its own password and the same roles", async () => {
    outs = (await ops.create({ ...inputs(P[0]), currentPassword: "Blue-boot-Pw0" })).outs!;
    assert.strictEqual(outs.activeUser, "svc_blue");
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "svc_blue", P[0]), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "svc_green", outs.standbyPassword!), true);
    assert.deepStrictEqual(await rolesOf("svc_green"), ["docs_reader", "docs_writer"]);
  });

  it("a service logged in with the active credential keeps working across a rotation", async () => {
    const service = await pymilvusSession(milvus.address, outs.activeUser!, outs.password);
    try {
      // a role bound to the active user between rotations goes to the new active user too
      await pymilvusSetup(milvus.address, root, { bind: { svc_blue: ["docs_auditor"] } });
      outs = (await ops.update("id", outs, inputs(P[1]))).outs!;
      assert.strictEqual(outs.activeUser, "svc_green");
      for (let i = 0; i < 3; i++) {
        assert.deepStrictEqual(await service.call(), { ok: true, error: null }, `call ${i} after the rotation`);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      service.close();
    }
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "svc_green", P[1]), true, "the new active credential");
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "svc_blue", P[0]), true, "the previous one still works");
    const snapshot = await pymilvusSnapshot(milvus.address, root);
    assert.deepStrictEqual(snapshot.userRoles.svc_green, ["docs_auditor", "docs_reader", "docs_writer"]);
    assert.deepStrictEqual(snapshot.userRoles.svc_blue, snapshot.userRoles.svc_green);
  });

  it("the next rotation: the credential from two rotations ago stops working, the previous one still works", async () => {
    outs = (await ops.update("id", outs, inputs(P[2]))).outs!;
    assert.strictEqual(outs.activeUser, "svc_blue");
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "svc_blue", P[2]), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "svc_green", P[1]), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "svc_blue", P[0]), false, "two rotations ago");
    assert.deepStrictEqual(await rolesOf("svc_blue"), await rolesOf("svc_green"));
    assert.strictEqual((await ops.read("id", outs)).props?.passwordVerified, true);
  });

  it("the same service without standbyUser is cut off at the rotation", async () => {
    const single = (
      await ops.create({ connection, user: "svc_single", password: P[0], currentPassword: "Single-boot-Pw0" })
    ).outs!;
    const service = await pymilvusSession(milvus.address, "svc_single", P[0]);
    try {
      await ops.update("id", single, { connection, user: "svc_single", password: P[1] });
      const next = await service.call();
      assert.strictEqual(next.ok, false);
    } finally {
      service.close();
    }
  });

  it("deleteUserOnDestroy deletes both users", async () => {
    await ops.remove("id", outs);
    const users = (await pymilvusSnapshot(milvus.address, root)).users;
    assert.ok(!users.includes("svc_blue") && !users.includes("svc_green"), users.join(","));
  });
});
