/**
 * What a rotation leaves alone, on a real Milvus with pymilvus as the witness: the managed
 * user's roles and their grants, collections and their data, the root user and other users'
 * passwords, through every resource operation (create, update, read, delete with
 * deleteUserOnDestroy). And what it does to a session already open with the old password,
 * which decides whether a rotation interrupts a running service (README, "Rotating a password").
 */
import * as assert from "assert";
import { RealMilvus, setRootPassword, startRealMilvus } from "../../harness/real-milvus";
import { MilvusSnapshot, pymilvusSession, pymilvusSetup, pymilvusSnapshot } from "../../harness/pymilvus";
import * as ops from "../../provider/milvus/operations";
import type { MilvusUserPasswordOutputs } from "../../provider/milvus/schema";

describe("what rotation leaves alone (real Milvus, pymilvus as witness)", function () {
  this.timeout(300000);
  const ROOT_PW = "Alone-root-Pw1";
  const PW = { svc: ["Svc-first-Pw1", "Svc-second-Pw2", "Svc-third-Pw3"], bystander: "Bystander-Pw1" };
  let milvus: RealMilvus;
  const root: [string, string] = ["root", ROOT_PW];
  let connection: { address: string; username: string; password: string };
  let baseline: MilvusSnapshot;
  let svc: MilvusUserPasswordOutputs;

  /** The snapshot with the managed users' own logins left out: everything else must not move. */
  const others = (s: MilvusSnapshot) => ({ ...s, logins: { root: s.logins.root, bystander: s.logins.bystander } });
  const snapshot = (svcPassword: string) =>
    pymilvusSnapshot(milvus.address, root, { root: ROOT_PW, bystander: PW.bystander, svc_app: svcPassword });

  before(async () => {
    milvus = await startRealMilvus();
    await setRootPassword(milvus, ROOT_PW);
    connection = { address: milvus.address, username: "root", password: ROOT_PW };
    await pymilvusSetup(milvus.address, root, {
      collection: "keep_docs",
      users: { svc_app: PW.svc[0], bystander: PW.bystander },
      roles: {
        docs_reader: [
          ["Collection", "keep_docs", "Search"],
          ["Collection", "keep_docs", "Query"],
        ],
        docs_writer: [["Collection", "keep_docs", "Insert"]],
      },
      bind: { svc_app: ["docs_reader", "docs_writer"], bystander: ["docs_reader"] },
    });
    baseline = await snapshot(PW.svc[0]);
  });
  after(async () => {
    await milvus?.stop();
  });

  it("the witness sees the setup: a user with two roles, their grants, a collection with 3 rows", () => {
    assert.deepStrictEqual(baseline.userRoles.svc_app, ["docs_reader", "docs_writer"]);
    assert.deepStrictEqual(baseline.grants.docs_reader, ["Collection:keep_docs:Query", "Collection:keep_docs:Search"]);
    assert.deepStrictEqual(baseline.grants.docs_writer, ["Collection:keep_docs:Insert"]);
    assert.deepStrictEqual(baseline.collections, { keep_docs: 3 });
    assert.deepStrictEqual(baseline.logins, { root: true, bystander: true, svc_app: true });
  });

  it("create (adopting the user with currentPassword) changes its password and nothing else", async () => {
    const inputs = { connection, user: "svc_app", password: PW.svc[1], currentPassword: PW.svc[0] };
    svc = (await ops.create(inputs)).outs!;
    const after = await snapshot(PW.svc[1]);
    assert.deepStrictEqual(others(after), others(baseline));
    assert.strictEqual(after.logins.svc_app, true);
    assert.strictEqual((await snapshot(PW.svc[0])).logins.svc_app, false);
  });

  it("update (a rotation) keeps both roles and their grants, and everything else", async () => {
    svc = (await ops.update("svc_app", svc, { connection, user: "svc_app", password: PW.svc[2] })).outs!;
    const after = await snapshot(PW.svc[2]);
    assert.deepStrictEqual(after.userRoles.svc_app, ["docs_reader", "docs_writer"]);
    assert.deepStrictEqual(others(after), others(baseline));
    assert.strictEqual(after.logins.svc_app, true);
  });

  it("read (refresh) changes nothing", async () => {
    const r = await ops.read("svc_app", svc);
    assert.strictEqual(r.props?.passwordVerified, true);
    const after = await snapshot(PW.svc[2]);
    assert.deepStrictEqual(others(after), others(baseline));
    assert.strictEqual(after.logins.svc_app, true);
  });

  it("delete: by default the user stays with its roles; with deleteUserOnDestroy only that user goes", async () => {
    await ops.remove("svc_app", svc);
    assert.deepStrictEqual(others(await snapshot(PW.svc[2])), others(baseline));

    const created = (
      await ops.create({
        connection,
        user: "svc_new",
        password: "Svc-new-Pw1",
        createIfMissing: true,
        deleteUserOnDestroy: true,
      })
    ).outs!;
    await ops.remove("svc_new", created);
    const after = await snapshot(PW.svc[2]);
    assert.deepStrictEqual(others(after), others(baseline), "svc_new came and went; nothing else moved");
    assert.ok(!after.users.includes("svc_new"));
  });

  it("a session open with the old password: its next call after the rotation is refused (measured)", async () => {
    const service = await pymilvusSession(milvus.address, "svc_app", PW.svc[2]);
    try {
      assert.deepStrictEqual(await service.call(), { ok: true, error: null }, "the session works before");
      svc = (await ops.update("svc_app", svc, { connection, user: "svc_app", password: PW.svc[0] })).outs!;
      const next = await service.call();
      assert.strictEqual(next.ok, false, "Milvus checks the credentials of every call");
      assert.match(String(next.error), /UNAUTHENTICATED|auth|password/i);
      await new Promise((r) => setTimeout(r, 2000));
      assert.strictEqual((await service.call()).ok, false, "and keeps refusing");
    } finally {
      service.close();
    }
    assert.strictEqual((await snapshot(PW.svc[0])).logins.svc_app, true, "a new login with the new password works");
  });
});
