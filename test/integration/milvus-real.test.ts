/**
 * MilvusUserPassword against a real embedded Milvus 2.3 with authorization on. What the
 * server holds is confirmed by pymilvus, an independent client, not by our own code.
 */
import * as assert from "assert";
import { milvusUserPasswordProvider as provider } from "../../provider";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "../../provider/milvus/schema";
import { MilvusSession } from "../../provider/milvus/client";
import { MILVUS_DEFAULT_ROOT } from "../../harness/fixtures";
import { RealMilvus, startRealMilvus } from "../../harness/real-milvus";
import { freePort } from "../../harness/support";
import { pymilvusCanLogin } from "../../harness/pymilvus";
import { assertNoLeak, captureOutput, errorTexts } from "../helpers/leaks";

describe("MilvusUserPassword against a real Milvus server (pymilvus confirms)", function () {
  this.timeout(180000);
  let milvus: RealMilvus;
  const ROOT_PW = "Root-integ-Pw1";
  const secrets = [ROOT_PW, "Bootstrap-1a", "Integ-first-1", "Integ-second-2", "Integ-third-3", "Outside-ch-4"];

  before(async () => {
    milvus = await startRealMilvus();
    // Never run tests with the well-known default root password.
    const s = new MilvusSession({ hostPort: milvus.address, tls: false, timeoutMs: 10000 }, MILVUS_DEFAULT_ROOT);
    await s.createUser("search_app", "Bootstrap-1a");
    // Last: this session's credentials stop working.
    await s.updatePassword(MILVUS_DEFAULT_ROOT.username, MILVUS_DEFAULT_ROOT.password, ROOT_PW);
  });
  after(async () => {
    await milvus?.stop();
  });

  const base = (): MilvusUserPasswordInputs => ({
    connection: { address: milvus.address, username: "root", password: ROOT_PW, timeoutMs: 10000 },
    user: "search_app",
  });

  let state: MilvusUserPasswordOutputs;
  let id: string;

  it("creates: sets the password of an existing user from currentPassword", async () => {
    const r = await provider.create({ ...base(), password: "Integ-first-1", currentPassword: "Bootstrap-1a" });
    id = r.id;
    state = r.outs!;
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", "Integ-first-1"), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", "Bootstrap-1a"), false);
  });

  it("rotates twice in a row with the old password taken from state", async () => {
    const u1 = await provider.update(id, state, { ...base(), password: "Integ-second-2" });
    const u2 = await provider.update(id, u1.outs!, { ...base(), password: "Integ-third-3" });
    state = u2.outs!;
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", "Integ-third-3"), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", "Integ-second-2"), false);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", "Integ-first-1"), false);
  });

  it("reports drift on refresh after an out-of-band change, without the value", async () => {
    const s = new MilvusSession(
      { hostPort: milvus.address, tls: false, timeoutMs: 10000 },
      { username: "root", password: ROOT_PW },
    );
    await s.updatePassword("search_app", "Integ-third-3", "Outside-ch-4");
    const r = await provider.read(id, state);
    assert.strictEqual(r.props!.passwordVerified, false);
    state = r.props!;
  });

  it("refuses a stale old password with a clear error, and the server keeps its password", async () => {
    const { error, output } = await captureOutput(() =>
      provider.update(id, state, { ...base(), password: "Integ-first-1" }),
    );
    assert.strictEqual((error as Error)?.name, "MilvusError");
    assert.match((error as Error).message, /set currentPassword to the user's present password/);
    assertNoLeak([...errorTexts(error), output], secrets);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", "Outside-ch-4"), true);
  });

  it("converges when currentPassword gives the present password", async () => {
    const u = await provider.update(id, state, {
      ...base(),
      password: "Integ-first-1",
      currentPassword: "Outside-ch-4",
    });
    assert.strictEqual(u.outs!.passwordVerified, true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", "Integ-first-1"), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", "Outside-ch-4"), false);
    state = u.outs!;
  });

  it("lets a user without admin rights change its own password (no connection identity)", async () => {
    const own: MilvusUserPasswordInputs = {
      connection: { address: milvus.address, timeoutMs: 10000 },
      user: "search_app",
      password: "Integ-second-2",
    };
    const u = await provider.update(id, state, own);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", "Integ-second-2"), true);
    state = u.outs!;
  });

  it("refuses a missing user without createIfMissing, and creates it with it", async () => {
    const { error } = await captureOutput(() =>
      provider.create({ ...base(), user: "new_user", password: "Integ-first-1" }),
    );
    assert.strictEqual((error as Error)?.name, "ConfigError");
    assert.match((error as Error).message, /user new_user does not exist: set createIfMissing/);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "new_user", "Integ-first-1"), false);
    const c = await provider.create({
      ...base(),
      user: "new_user",
      password: "Integ-first-1",
      createIfMissing: true,
      deleteUserOnDestroy: true,
    });
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "new_user", "Integ-first-1"), true);
    await provider.delete(c.id, c.outs!);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "new_user", "Integ-first-1"), false);
    // a destroy run again (its first answer lost): the server's DeleteCredential of a user that
    // is gone succeeds, and so does the destroy
    await provider.delete(c.id, c.outs!);
  });

  it("reports wrong connection credentials clearly and changes nothing", async () => {
    const bad = {
      ...base(),
      connection: { ...base().connection, password: "Wrong-root-9" },
      password: "Integ-third-3",
    };
    const { error, output } = await captureOutput(() => provider.update(id, state, bad));
    assert.match((error as Error).message, /authentication failed/);
    assertNoLeak([...errorTexts(error), output], [...secrets, "Wrong-root-9"]);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "search_app", "Integ-second-2"), true);
  });

  it("reports an unreachable server within the timeout and leaves no pending work", async () => {
    const port = await freePort();
    const started = Date.now();
    const { error } = await captureOutput(() =>
      provider.create({
        ...base(),
        connection: { address: `127.0.0.1:${port}`, username: "root", password: ROOT_PW, timeoutMs: 2000 },
        password: "Integ-first-1",
        currentPassword: "x-Bootstrap",
      }),
    );
    assert.match((error as Error).message, /not reachable/);
    assert.ok(Date.now() - started < 20000);
  });
});
