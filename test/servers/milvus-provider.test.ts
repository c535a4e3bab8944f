/**
 * MilvusUserPassword's provider driven directly against the gRPC test server: what a real
 * server cannot be made to do (timeouts after acting, resets, empty replies), with the calls
 * the server saw counted and every error checked for leaks.
 */
import * as assert from "assert";
import * as grpc from "@grpc/grpc-js";
import { milvusUserPasswordProvider as provider } from "../../provider";
import { ConfigError, MilvusError } from "../../provider/shared/errors";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "../../provider/milvus/schema";
import { MilvusTestServer, startMilvusTestServer } from "../../harness/milvus-grpc";
import { assertNoLeak, captureOutput, errorTexts } from "../helpers/leaks";
import { freePort } from "../../harness/support";

const P1 = "First-pass1";
const P2 = "Second-pass2";
const P3 = "Third-pass3";
const BOOT = "boot-pw-123";
const ROOT_PW = "R00t-secret-pw";

describe("MilvusUserPassword against the gRPC test server", function () {
  let server: MilvusTestServer;
  let secrets: string[];

  beforeEach(async () => {
    // root's password not the default "Milvus": that word is in every MilvusError's name
    server = await startMilvusTestServer({ app: BOOT, root: ROOT_PW });
    secrets = [P1, P2, P3, BOOT, ROOT_PW];
  });
  afterEach(async () => {
    await server.stop();
  });

  function inputs(extra: Partial<MilvusUserPasswordInputs> = {}): MilvusUserPasswordInputs {
    return {
      connection: { address: server.address, username: "root", password: ROOT_PW, timeoutMs: 1000 },
      user: "app",
      ...extra,
    };
  }

  async function expectFailure(
    p: Promise<unknown>,
    type: abstract new (...args: never[]) => Error,
    pattern: RegExp,
  ): Promise<Error> {
    const { error, output } = await captureOutput(() => p);
    // The provider runs the built package (dist/), so its classes are not the ones imported
    // from source here: compare by name.
    assert.strictEqual((error as Error)?.name, type.name, `expected ${type.name}, got ${String(error)}`);
    assert.match((error as Error).message, pattern);
    assertNoLeak([...errorTexts(error), output], secrets, "error or log");
    return error as Error;
  }

  it("creates: sets the password of an existing user from currentPassword with one UpdateCredential", async () => {
    const r = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    assert.strictEqual(r.id, `app@${server.address}`);
    assert.strictEqual(server.users.get("app"), P1);
    assert.strictEqual(server.count("UpdateCredential"), 1);
    assert.strictEqual(r.outs!.password, P1);
    assert.strictEqual(r.outs!.passwordVerified, true);
  });

  it("proves logins with GetVersion, and with ListCredUsers on a server without GetVersion", async () => {
    const r = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    assert.strictEqual(server.count("GetVersion"), 2, "new password logs in, old one does not");
    assert.strictEqual(server.count("ListCredUsers"), 1, "only the existence check lists users");
    server.resetCounts();
    server.inject("GetVersion", ...Array(4).fill({ kind: "empty" }));
    const u = await provider.update(r.id, r.outs as MilvusUserPasswordOutputs, inputs({ password: P2 }));
    assert.strictEqual(u.outs!.password, P2);
    assert.strictEqual(server.users.get("app"), P2);
    assert.strictEqual(server.count("GetVersion"), 2, "each proof asked GetVersion first");
    assert.strictEqual(server.count("ListCredUsers"), 2, "and fell back to ListCredUsers");
  });

  it("tries a user list again after a reset connection (it only reads), then creates", async () => {
    server.inject("ListCredUsers", { kind: "drop" });
    const r = await provider.create(inputs({ user: "fresh", password: P1, createIfMissing: true }));
    assert.strictEqual(r.outs!.password, P1);
    assert.strictEqual(server.users.get("fresh"), P1);
    assert.strictEqual(server.count("ListCredUsers"), 2, "the reset list, then the one that answered");
    assert.strictEqual(server.count("CreateCredential"), 1);
  });

  it("rotates twice in a row, each time with the old password from state", async () => {
    const c = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    const u1 = await provider.update(c.id, c.outs!, inputs({ password: P2, currentPassword: BOOT }));
    assert.strictEqual(server.users.get("app"), P2);
    const u2 = await provider.update(c.id, u1.outs!, inputs({ password: P3, currentPassword: BOOT }));
    assert.strictEqual(server.users.get("app"), P3);
    assert.strictEqual(u2.outs!.password, P3);
    assert.strictEqual(server.count("UpdateCredential"), 3);
  });

  it("fails clearly on a stale old password and leaves the server as it was", async () => {
    const c = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    server.users.set("app", "changed-outside-1A");
    secrets.push("changed-outside-1A");
    await expectFailure(
      provider.update(c.id, c.outs!, inputs({ password: P2 })),
      MilvusError,
      /neither the one in state nor currentPassword.*set currentPassword/,
    );
    assert.strictEqual(server.users.get("app"), "changed-outside-1A");
    // after the create: one try from state's password, one from the password a run that died
    // after setting a generated one would have set (seed.ts); no blind retry
    assert.strictEqual(server.count("UpdateCredential"), 3, "one create, two refused candidates, no blind retry");
  });

  it("converges a stale state when currentPassword names the present password", async () => {
    const c = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    server.users.set("app", "Changed-outside-1");
    const u = await provider.update(c.id, c.outs!, inputs({ password: P2, currentPassword: "Changed-outside-1" }));
    assert.strictEqual(server.users.get("app"), P2);
    assert.strictEqual(u.outs!.password, P2);
  });

  it("refuses a missing user without createIfMissing, sending no CreateCredential", async () => {
    await expectFailure(
      provider.create(inputs({ user: "ghost", password: P1 })),
      ConfigError,
      /user ghost does not exist: set createIfMissing/,
    );
    assert.strictEqual(server.count("CreateCredential"), 0);
    assert.strictEqual(server.users.has("ghost"), false);
  });

  it("creates a missing user with createIfMissing", async () => {
    await provider.create(inputs({ user: "ghost", password: P1, createIfMissing: true }));
    assert.strictEqual(server.users.get("ghost"), P1);
    assert.strictEqual(server.count("CreateCredential"), 1);
  });

  it("generates a policy-conforming password when none is given, and a new one when rotationTrigger changes", async () => {
    const c = await provider.create(inputs({ currentPassword: BOOT }));
    const gen1 = c.outs!.password;
    assert.strictEqual(server.users.get("app"), gen1);
    assert.strictEqual((await provider.check(inputs({}), inputs({}))).failures, undefined);
    const same = await provider.update(c.id, c.outs!, inputs({ currentPassword: BOOT }));
    assert.strictEqual(same.outs!.password, gen1, "no trigger change: the generated password stays");
    const rotated = await provider.update(c.id, same.outs!, inputs({ currentPassword: BOOT, rotationTrigger: "q4" }));
    assert.notStrictEqual(rotated.outs!.password, gen1);
    assert.strictEqual(server.users.get("app"), rotated.outs!.password);
  });

  it("reports an unreachable server as an error within the timeout, without crashing", async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await expectFailure(
      provider.create({
        ...inputs({ password: P1, currentPassword: BOOT }),
        connection: { address: `127.0.0.1:${port}`, username: "root", password: ROOT_PW, timeoutMs: 1000 },
      }),
      MilvusError,
      /not reachable/,
    );
    assert.strictEqual((err as MilvusError).serverCode, "UNAVAILABLE");
    assert.ok(Date.now() - started < 15000, "the error came within the timeout and retry bounds");
  });

  it("reports wrong connection credentials as UNAUTHENTICATED and changes nothing", async () => {
    const err = await expectFailure(
      provider.create({
        ...inputs({ password: P1, currentPassword: BOOT }),
        connection: { address: server.address, username: "root", password: "wrong-root-pw", timeoutMs: 1000 },
      }),
      MilvusError,
      /authentication failed/,
    );
    assert.strictEqual((err as MilvusError).serverCode, "UNAUTHENTICATED");
    assert.strictEqual(server.users.get("app"), BOOT);
    assert.strictEqual(server.count("UpdateCredential"), 0);
  });

  it("treats an empty {} reply as a failure, not a success", async () => {
    server.inject("UpdateCredential", { kind: "empty" });
    const err = await expectFailure(
      provider.create(inputs({ password: P1, currentPassword: BOOT })),
      MilvusError,
      /empty status/,
    );
    assert.strictEqual((err as MilvusError).serverCode, "EMPTY_REPLY");
    assert.strictEqual(server.users.get("app"), BOOT);
  });

  it("does not trust a Success that did nothing: the login check after the change fails", async () => {
    server.inject("UpdateCredential", { kind: "fakeSuccess" });
    await expectFailure(
      provider.create(inputs({ password: P1, currentPassword: BOOT })),
      MilvusError,
      /new password does not log in/,
    );
    assert.strictEqual(server.users.get("app"), BOOT);
  });

  it("converges after a timeout that came after the server applied the change (no blind retry)", async () => {
    const c = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    server.resetCounts();
    server.inject("UpdateCredential", { kind: "applyThenDelay", ms: 2500 });
    const u = await provider.update(c.id, c.outs!, inputs({ password: P2 }));
    assert.strictEqual(u.outs!.password, P2);
    assert.strictEqual(server.users.get("app"), P2);
    assert.strictEqual(server.count("UpdateCredential"), 1, "the server's answer was checked, not retried");
  });

  it("retries after a timeout before the server acted, and succeeds on the second call", async () => {
    const c = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    server.resetCounts();
    server.inject("UpdateCredential", { kind: "hang" });
    const u = await provider.update(c.id, c.outs!, inputs({ password: P2 }));
    assert.strictEqual(server.users.get("app"), P2);
    assert.strictEqual(u.outs!.password, P2);
    assert.strictEqual(server.count("UpdateCredential"), 2);
  });

  it("converges after the connection was reset once the server had acted", async () => {
    const c = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    server.resetCounts();
    server.inject("UpdateCredential", { kind: "applyThenDrop" });
    await provider.update(c.id, c.outs!, inputs({ password: P2 }));
    assert.strictEqual(server.users.get("app"), P2);
    assert.strictEqual(server.count("UpdateCredential"), 1);
  });

  it("retries UNAVAILABLE twice, then succeeds (three calls)", async () => {
    server.inject("UpdateCredential", { kind: "unavailable" }, { kind: "unavailable" });
    await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    assert.strictEqual(server.users.get("app"), P1);
    assert.strictEqual(server.count("UpdateCredential"), 3);
  });

  it("does not retry PERMISSION_DENIED", async () => {
    server.inject("UpdateCredential", {
      kind: "grpc",
      code: grpc.status.PERMISSION_DENIED,
      details: "PrivilegeUpdateUser: permission deny",
    });
    await expectFailure(
      provider.create(inputs({ password: P1, currentPassword: BOOT })),
      MilvusError,
      /permission denied/,
    );
    assert.strictEqual(server.count("UpdateCredential"), 1);
    assert.strictEqual(server.users.get("app"), BOOT);
  });

  it("lets the user change its own password when no connection identity is given", async () => {
    const own: MilvusUserPasswordInputs = {
      connection: { address: server.address, timeoutMs: 1000 },
      user: "app",
      password: P1,
      currentPassword: BOOT,
    };
    const saved = { u: process.env.MILVUS_USER, t: process.env.MILVUS_TOKEN };
    delete process.env.MILVUS_USER;
    delete process.env.MILVUS_TOKEN;
    try {
      const c = await provider.create(own);
      assert.strictEqual(server.users.get("app"), P1);
      await provider.update(c.id, c.outs!, { ...own, password: P2 });
      assert.strictEqual(server.users.get("app"), P2);
      assert.strictEqual(server.count("GetVersion") >= 1, true, "login checks ran");
    } finally {
      if (saved.u !== undefined) process.env.MILVUS_USER = saved.u;
      if (saved.t !== undefined) process.env.MILVUS_TOKEN = saved.t;
    }
  });

  it("reports drift on read without revealing the password, and update converges with currentPassword", async () => {
    const c = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    server.users.set("app", "Out-of-band-9");
    const r = await provider.read(c.id, c.outs!);
    assert.strictEqual(r.id, c.id);
    assert.strictEqual(r.props!.passwordVerified, false);
    assert.strictEqual(r.props!.password, P1, "state keeps the value; only the flag changes");
    const d = await provider.diff(c.id, r.props!, inputs({ password: P1, currentPassword: "Out-of-band-9" }));
    assert.strictEqual(d.changes, true);
    const u = await provider.update(c.id, r.props!, inputs({ password: P1, currentPassword: "Out-of-band-9" }));
    assert.strictEqual(server.users.get("app"), P1);
    assert.strictEqual(u.outs!.passwordVerified, true);
  });

  it("reads a deleted user as gone", async () => {
    const c = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    server.users.delete("app");
    const r = await provider.read(c.id, c.outs!);
    assert.strictEqual(r.id, "");
  });

  it("leaves the user on delete by default, and deletes it with deleteUserOnDestroy", async () => {
    const c = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    await provider.delete(c.id, c.outs!);
    assert.strictEqual(server.users.get("app"), P1);
    assert.strictEqual(server.count("DeleteCredential"), 0);
    const listed = server.count("ListCredUsers");
    await provider.delete(c.id, { ...c.outs!, deleteUserOnDestroy: true } as MilvusUserPasswordOutputs);
    assert.strictEqual(server.users.has("app"), false);
    assert.strictEqual(server.count("ListCredUsers"), listed, "DeleteCredential alone: no ListCredUsers first");
    // run again (the first run's answer lost): the user is gone, DeleteCredential succeeds as Milvus's does
    await provider.delete(c.id, { ...c.outs!, deleteUserOnDestroy: true } as MilvusUserPasswordOutputs);
    assert.strictEqual(server.count("DeleteCredential"), 2);
  });

  it("deleteUserOnDestroy on a server that refuses DeleteCredential: fine when the user is gone, the error when it is there", async () => {
    const c = await provider.create(inputs({ password: P1, currentPassword: BOOT }));
    const outs = { ...c.outs!, deleteUserOnDestroy: true } as MilvusUserPasswordOutputs;
    const refusal = {
      kind: "status",
      code: 1800,
      error_code: "DeleteCredentialFailure",
      reason: "no such user",
    } as const;
    server.users.delete("app");
    server.inject("DeleteCredential", refusal);
    await provider.delete(c.id, outs);
    server.users.set("app", P1);
    server.inject("DeleteCredential", refusal);
    await expectFailure(provider.delete(c.id, outs), MilvusError, /no such user/);
    assert.strictEqual(server.users.get("app"), P1);
  });

  it("never puts a password or its base64 into an error, a log line or the wire's auth header of the managed user", async () => {
    server.inject("UpdateCredential", {
      kind: "status",
      code: 1100,
      error_code: "IllegalArgument",
      reason: `invalid password ${P1} ${Buffer.from(P1).toString("base64")}`,
    });
    await expectFailure(
      provider.create(inputs({ password: P1, currentPassword: BOOT })),
      MilvusError,
      /invalid password \[redacted\]/,
    );
  });
});
