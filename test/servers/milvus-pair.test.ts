/**
 * MilvusUserPassword with `standbyUser` (two users that take turns) against the gRPC test
 * server: the order of the calls, the roles, drift, and a lost generated password. (Faults
 * between the steps of a rotation are rows of the fault matrix, test/reliability.)
 */
import * as assert from "assert";
import { milvusUserPasswordProvider as provider } from "../../provider";
import { ConfigError } from "../../provider/shared/errors";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "../../provider/milvus/schema";
import { MilvusTestServer, startMilvusTestServer } from "../../harness/milvus-grpc";
import { captureOutput } from "../helpers/leaks";

const ROOT_PW = "R00t-pair-pw";
const P = ["Pair-first-Pw1", "Pair-second-Pw2", "Pair-third-Pw3", "Pair-fourth-Pw4"];

describe("MilvusUserPassword with standbyUser against the gRPC test server", function () {
  let server: MilvusTestServer;

  beforeEach(async () => {
    server = await startMilvusTestServer({ root: ROOT_PW });
    for (const r of ["reader", "writer", "auditor"]) server.roles.add(r);
  });
  afterEach(async () => {
    await server.stop();
  });

  function inputs(extra: Partial<MilvusUserPasswordInputs> = {}): MilvusUserPasswordInputs {
    return {
      connection: { address: server.address, username: "root", password: ROOT_PW, timeoutMs: 1000 },
      user: "app_blue",
      standbyUser: "app_green",
      createIfMissing: true,
      ...extra,
    };
  }
  const roles = (user: string) => [...(server.userRoles.get(user) ?? [])].sort();
  async function createPair(password = P[0]): Promise<MilvusUserPasswordOutputs> {
    server.users.set("app_blue", "Blue-boot-pw1");
    server.userRoles.set("app_blue", new Set(["reader", "writer"]));
    const r = await provider.create(inputs({ password, currentPassword: "Blue-boot-pw1" }));
    return r.outs!;
  }

  it("create: user is active with password; the standby gets its own password and the same roles", async () => {
    const outs = await createPair();
    assert.strictEqual(outs.activeUser, "app_blue");
    assert.strictEqual(outs.password, P[0]);
    assert.strictEqual(server.users.get("app_blue"), P[0]);
    assert.ok(outs.standbyPassword && outs.standbyPassword !== P[0]);
    assert.strictEqual(server.users.get("app_green"), outs.standbyPassword);
    assert.deepStrictEqual(roles("app_green"), ["reader", "writer"]);
  });

  it("create takes over an existing standby user (its password is unknown): re-created, roles synced", async () => {
    server.users.set("app_green", "Unknown-green-pw");
    server.userRoles.set("app_green", new Set(["auditor"]));
    const outs = await createPair();
    assert.strictEqual(server.users.get("app_green"), outs.standbyPassword);
    assert.deepStrictEqual(roles("app_green"), ["reader", "writer"]);
  });

  it("rotations alternate: the inactive user gets the new password and the active roles; the other keeps its own", async () => {
    let outs = await createPair();
    const firstStandby = outs.standbyPassword!;
    server.userRoles.get("app_blue")!.add("auditor"); // granted to the active user between rotations
    outs = (await provider.update("id", outs, inputs({ password: P[1] }))).outs!;
    assert.strictEqual(outs.activeUser, "app_green");
    assert.strictEqual(outs.password, P[1]);
    assert.strictEqual(outs.standbyPassword, P[0]);
    assert.strictEqual(server.users.get("app_green"), P[1]);
    assert.strictEqual(server.users.get("app_blue"), P[0], "the previously active user keeps its password");
    assert.deepStrictEqual(roles("app_green"), ["auditor", "reader", "writer"]);
    assert.notStrictEqual(server.users.get("app_green"), firstStandby);

    server.userRoles.get("app_green")!.delete("writer"); // revoked from the active user
    outs = (await provider.update("id", outs, inputs({ password: P[2] }))).outs!;
    assert.strictEqual(outs.activeUser, "app_blue");
    assert.strictEqual(server.users.get("app_blue"), P[2]);
    assert.strictEqual(server.users.get("app_green"), P[1]);
    assert.deepStrictEqual(roles("app_blue"), ["auditor", "reader"], "extra roles are revoked");
  });

  it("a stored-only update calls nothing that changes the server", async () => {
    const outs = await createPair();
    server.resetCounts();
    const next = (await provider.update("id", outs, inputs({ password: P[0], deleteUserOnDestroy: true }))).outs!;
    assert.strictEqual(next.activeUser, "app_blue");
    for (const m of ["UpdateCredential", "CreateCredential", "DeleteCredential", "OperateUserRole"]) {
      assert.strictEqual(server.count(m), 0, m);
    }
  });

  it("refresh: both stored passwords must log in; drift on the standby shows, and the next update repairs it", async () => {
    const outs = await createPair();
    assert.strictEqual((await provider.read("id", outs)).props?.passwordVerified, true);
    server.users.set("app_green", "Changed-by-hand1");
    server.userRoles.delete("app_green");
    const read = await provider.read("id", outs);
    assert.strictEqual(read.props?.passwordVerified, false);
    assert.strictEqual((await provider.diff("id", read.props!, inputs({ password: P[0] }))).changes, true);
    const repaired = (await provider.update("id", read.props!, inputs({ password: P[0] }))).outs!;
    assert.strictEqual(server.users.get("app_green"), repaired.standbyPassword);
    assert.deepStrictEqual(roles("app_green"), ["reader", "writer"]);
    assert.strictEqual((await provider.read("id", repaired)).props?.passwordVerified, true);
  });

  it("deleteUserOnDestroy deletes both users; without it both stay", async () => {
    const outs = await createPair();
    await provider.delete("id", outs);
    assert.ok(server.users.has("app_blue") && server.users.has("app_green"));
    await provider.delete("id", { ...outs, deleteUserOnDestroy: true });
    assert.ok(!server.users.has("app_blue") && !server.users.has("app_green"));
  });

  it("without an admin identity: a clear error before any call", async () => {
    const r = await provider.check({} as never, {
      user: "app_blue",
      standbyUser: "app_green",
      connection: { address: server.address },
    });
    assert.match(r.failures?.[0].reason ?? "", /^standbyUser: needs an admin identity/);
    const same = await provider.check({} as never, { ...inputs(), standbyUser: "app_blue" });
    assert.match(same.failures?.[0].reason ?? "", /^standbyUser: must differ from user/);
    server.resetCounts();
    const { error } = await captureOutput(() =>
      provider.create({
        user: "app_blue",
        standbyUser: "app_green",
        password: P[0],
        connection: { address: server.address },
      }),
    );
    assert.ok(error instanceof Error && error.name === ConfigError.name, String(error));
    assert.strictEqual(
      Object.values(server.calls).reduce((a, b) => a + b, 0),
      0,
      "no call reached the server",
    );
  });

  it("a change of standbyUser replaces the resource", async () => {
    const outs = await createPair();
    assert.deepStrictEqual(
      (await provider.diff("id", outs, inputs({ password: P[0], standbyUser: "app_red" }))).replaces,
      ["standbyUser"],
    );
  });

  it("crash after the standby's generated password was set: the next run re-creates it and finishes the switch", async () => {
    let outs = await createPair();
    // the lost run: green got a generated password that never reached state
    server.users.set("app_green", "Lost-generated-pw1");
    server.userRoles.set("app_green", new Set(["reader"]));
    outs = (await provider.update("id", outs, inputs({ password: undefined, rotationTrigger: "next" }))).outs!;
    assert.strictEqual(outs.activeUser, "app_green");
    assert.strictEqual(server.users.get("app_green"), outs.password);
    assert.deepStrictEqual(roles("app_green"), ["reader", "writer"]);
    assert.strictEqual(server.users.get("app_blue"), P[0]);
  });
});
