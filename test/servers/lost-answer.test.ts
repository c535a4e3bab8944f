/**
 * A generated password outlives the run that set it (provider/shared/seed.ts), against the
 * test servers. A run whose answer is lost is what a process killed between the database's
 * change and Pulumi's state write leaves: the database holds the new password, state the old
 * inputs and outputs. Here the operation runs to its end and its answer is dropped; the next
 * operation, from the same state, must find the password the dead one set and converge: the
 * database and the new outputs agree, the earlier password is refused, no person involved.
 * (With the real CLI and real servers: test/reliability/crash.test.ts.)
 */
import * as assert from "assert";
import { geminiDbAdminPasswordProvider as gemini, milvusUserPasswordProvider as milvus } from "../../provider";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "../../provider/milvus/schema";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "../../provider/geminidb/schema";
import { MilvusTestServer, startMilvusTestServer } from "../../harness/milvus-grpc";
import { GeminiDbEmulator, TEST_INSTANCE, emulatorInputs, startEmulator } from "../../harness/geminidb-emulator";
import { MILVUS_PASSWORD_POLICY } from "../../provider/shared/password";
import { derivePassword, passwordLabel } from "../../provider/shared/seed";
import { assertNoLeak, captureOutput, errorTexts } from "../helpers/leaks";

const ROOT_PW = "R00t-lost-pw1";
const BOOT = "Boot-lost-pw0";
const GIVEN = "Given-lost-Pw7";

type MOuts = MilvusUserPasswordOutputs & { passwordSeed?: string };

describe("a lost answer: the next run knows the generated password the lost one set (Milvus test server)", function () {
  let server: MilvusTestServer;

  beforeEach(async () => {
    server = await startMilvusTestServer({ root: ROOT_PW, app: BOOT });
    server.roles.add("reader");
    server.userRoles.set("app", new Set(["reader"]));
  });
  afterEach(() => server.stop());

  const admin = () => ({ address: server.address, username: "root", password: ROOT_PW, timeoutMs: 1000 });
  const self = () => ({ address: server.address, timeoutMs: 1000 });
  /** What the engine sends an update: the checked inputs. */
  async function checked(olds: object, news: MilvusUserPasswordInputs): Promise<MilvusUserPasswordInputs> {
    const r = await milvus.check(olds as never, news);
    assert.strictEqual(r.failures, undefined, JSON.stringify(r.failures));
    return r.inputs!;
  }

  for (const [mode, connection] of [
    ["an admin connection", admin],
    ["no connection identity (the user changes its own password)", self],
  ] as const) {
    it(`create with currentPassword and ${mode}: the run after a lost answer takes the password it set`, async () => {
      const news = await checked({}, { connection: connection(), user: "app", currentPassword: BOOT });
      const lost = await milvus.create(news);
      const set = server.users.get("app")!;
      assert.strictEqual(lost.outs!.password, set, "the lost run set its generated password");
      const again = await milvus.create(news);
      assert.strictEqual(again.outs!.password, set, "the next run derives the same one and takes it");
      assert.strictEqual(server.users.get("app"), set);
      assert.deepStrictEqual([...server.userRoles.get("app")!], ["reader"], "roles kept");
      assert.ok(again.outs!.passwordSeed, "state gets a seed for the next change");
    });

    it(`a new rotationTrigger with ${mode}: the run after a lost answer converges on the password it set`, async () => {
      const first = await milvus.create(
        await checked({}, { connection: connection(), user: "app", currentPassword: BOOT, rotationTrigger: "r1" }),
      );
      const olds = first.outs as MOuts;
      const news = await checked(olds, {
        connection: connection(),
        user: "app",
        currentPassword: BOOT,
        rotationTrigger: "r2",
      });
      await milvus.update(first.id, olds, news); // its answer never reaches state
      const lostPassword = server.users.get("app")!;
      assert.notStrictEqual(lostPassword, olds.password);
      const again = await milvus.update(first.id, olds, news);
      assert.strictEqual(again.outs!.password, lostPassword);
      assert.strictEqual(server.users.get("app"), lostPassword);
      assert.notStrictEqual((again.outs as MOuts).passwordSeed, olds.passwordSeed, "the seed is used up");
      // and the rotation after it draws from the fresh seed: another password
      const next = await milvus.update(first.id, again.outs as MOuts, {
        ...news,
        rotationTrigger: "r3",
      });
      assert.notStrictEqual(next.outs!.password, lostPassword);
      assert.strictEqual(server.users.get("app"), next.outs!.password);
    });

    it(`after a lost rotation the trigger goes back (${mode}): the repair finds the lost password and restores state's`, async () => {
      const first = await milvus.create(
        await checked({}, { connection: connection(), user: "app", currentPassword: BOOT, rotationTrigger: "r1" }),
      );
      const olds = first.outs as MOuts;
      await milvus.update(
        first.id,
        olds,
        await checked(olds, { connection: connection(), user: "app", currentPassword: BOOT, rotationTrigger: "r2" }),
      );
      assert.notStrictEqual(server.users.get("app"), olds.password);
      // a refresh finds the drift; the next up (trigger back at r1) sets state's password again
      const read = await milvus.read(first.id, olds);
      assert.strictEqual(read.props!.passwordVerified, false);
      const repaired = await milvus.update(
        first.id,
        read.props as MOuts,
        await checked(olds, { connection: connection(), user: "app", currentPassword: BOOT, rotationTrigger: "r1" }),
      );
      assert.strictEqual(repaired.outs!.password, olds.password);
      assert.strictEqual(server.users.get("app"), olds.password);
    });
  }

  it("a given password after a lost generated rotation: the lost password is tried as the old one", async () => {
    const first = await milvus.create(
      await checked({}, { connection: admin(), user: "app", currentPassword: BOOT, rotationTrigger: "r1" }),
    );
    const olds = first.outs as MOuts;
    await milvus.update(
      first.id,
      olds,
      await checked(olds, { connection: admin(), user: "app", currentPassword: BOOT, rotationTrigger: "r2" }),
    );
    const u = await milvus.update(
      first.id,
      olds,
      await checked(olds, { connection: admin(), user: "app", password: GIVEN, rotationTrigger: "r2" }),
    );
    assert.strictEqual(u.outs!.password, GIVEN);
    assert.strictEqual(server.users.get("app"), GIVEN);
  });

  it("createIfMissing: the run after a lost create finds the user it created and takes it over", async () => {
    const news = await checked({}, { connection: admin(), user: "fresh", createIfMissing: true });
    await milvus.create(news);
    const set = server.users.get("fresh")!;
    server.resetCounts();
    const again = await milvus.create(news);
    assert.strictEqual(again.outs!.password, set);
    assert.strictEqual(server.count("CreateCredential"), 0, "not created twice");
    assert.strictEqual(server.count("DeleteCredential"), 0, "not dropped either");
  });

  it("a pair: the run after a lost rotation finishes the switch with the standby's new password", async () => {
    server.users.delete("app");
    const base = { connection: admin(), user: "blue", standbyUser: "green", createIfMissing: true };
    const first = await milvus.create(await checked({}, { ...base, rotationTrigger: "r1" }));
    const olds = first.outs as MOuts;
    const news = await checked(olds, { ...base, rotationTrigger: "r2" });
    await milvus.update(first.id, olds, news);
    const green = server.users.get("green")!;
    server.resetCounts();
    const again = await milvus.update(first.id, olds, news);
    assert.strictEqual(again.outs!.activeUser, "green");
    assert.strictEqual(again.outs!.password, green, "the password the lost run gave the standby");
    assert.strictEqual(server.count("DeleteCredential"), 0, "no user re-created: its password was known");
    assert.strictEqual(server.users.get("blue"), olds.password, "the previously active user is untouched");
  });
});

describe("a generated password never shows in an error", function () {
  let server: MilvusTestServer;
  beforeEach(async () => {
    server = await startMilvusTestServer({ root: ROOT_PW, app: BOOT });
  });
  afterEach(() => server.stop());

  it("a server message that echoes the new generated password is redacted of it", async () => {
    const connection = { address: server.address, username: "root", password: ROOT_PW, timeoutMs: 1000 };
    const created = await milvus.create(
      (await milvus.check({} as never, { connection, user: "app", currentPassword: BOOT, rotationTrigger: "r1" }))
        .inputs!,
    );
    const olds = created.outs as MOuts;
    // derived, the password this rotation will generate is known beforehand: the server's
    // refusal quotes it, as a careless server or proxy might. (The Milvus client redacts what it
    // sends; the operation's guard redacts every password the operation generated as well.)
    const next = derivePassword(
      MILVUS_PASSWORD_POLICY,
      olds.passwordSeed!,
      passwordLabel("MilvusUserPassword", server.address, "app"),
    );
    server.inject("UpdateCredential", {
      kind: "status",
      code: 1100,
      error_code: "IllegalArgument",
      reason: `invalid password ${next}`,
    });
    const news = (await milvus.check(olds, { connection, user: "app", currentPassword: BOOT, rotationTrigger: "r2" }))
      .inputs!;
    const r = await captureOutput(() => milvus.update(created.id, olds, news));
    assert.ok(r.error, "the refused change fails");
    assert.match((r.error as Error).message, /invalid password \[redacted\]/);
    assertNoLeak([...errorTexts(r.error), r.output], [next, ROOT_PW, BOOT, olds.password], "error or log");
  });
});

describe("a lost answer: GeminiDB resets to the generated password the lost run set (emulator)", function () {
  const AK = "LOSTACCESSKEY001";
  const SK = "Lost-secret-key/01";
  let emu: GeminiDbEmulator;
  beforeEach(async () => {
    emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
  });
  afterEach(() => emu.stop());

  const inputs = (extra: Partial<GeminiDbAdminPasswordInputs> = {}): GeminiDbAdminPasswordInputs =>
    emulatorInputs(emu, { auth: { accessKey: AK, secretKey: SK }, ...extra });
  const checked = async (olds: object, news: GeminiDbAdminPasswordInputs) => {
    const r = await gemini.check(olds as never, news);
    assert.strictEqual(r.failures, undefined, JSON.stringify(r.failures));
    return r.inputs!;
  };

  it("create and a new rotationTrigger: a second run resets to the same password, not to a third", async () => {
    const news = await checked({}, inputs({ rotationTrigger: "r1" }));
    await gemini.create(news);
    const first = emu.instances.get(TEST_INSTANCE)!.password;
    const created = await gemini.create(news);
    assert.strictEqual(created.outs!.password, first);
    const olds = created.outs as GeminiDbAdminPasswordOutputs;
    const rotate = await checked(olds, inputs({ rotationTrigger: "r2" }));
    await gemini.update(created.id, olds, rotate);
    const lost = emu.instances.get(TEST_INSTANCE)!.password;
    assert.notStrictEqual(lost, first);
    const again = await gemini.update(created.id, olds, rotate);
    assert.strictEqual(again.outs!.password, lost);
    assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, lost);
  });
});
