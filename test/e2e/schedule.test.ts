/**
 * Scheduled rotation through the real CLI: `rotateAfterDays` on the three resources, against
 * a real Milvus (pymilvus as the witness), the GeminiDB emulator and a real Cassandra (the
 * node the test process shares, CQL logins as the witness). A stack is made due the way time
 * would: its exported state gets `rotatedAt` moved back, and is imported again.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { RealMilvus, setRootPassword, startRealMilvus } from "../../harness/real-milvus";
import { pymilvusCanLogin } from "../../harness/pymilvus";
import { GeminiDbEmulator, TEST_INSTANCE, startEmulator } from "../../harness/geminidb-emulator";
import { RealCassandra, sharedCassandra } from "../../harness/real-cassandra";
import { cqlCanLogin } from "../../harness/cql";
import { CliResult, PulumiProject, dynamicResources } from "../../harness/pulumi-cli";
import { secretValue, waitFor } from "../../harness/support";
import { assertNoLeak } from "../helpers/leaks";

const DAY_MS = 86_400_000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe("scheduled rotation (rotateAfterDays) through the real CLI", function () {
  this.timeout(900000);
  const AK = "SCHEDULEACCESSK1";
  const SK = "Schedule-secret-key/1";
  const GIVEN = ["Given-sched-Pw1", "Given-sched-Pw2"];
  const ROOT_PW = "Schedule-root-Pw1";
  const outputs: CliResult[] = [];
  const seen: string[] = [SK, ROOT_PW, ...GIVEN];
  let milvus: RealMilvus;
  let emu: GeminiDbEmulator;
  let cassandra: RealCassandra;
  let project: PulumiProject;

  const record = (r: CliResult) => (outputs.push(r), r);
  const step = async (args: string[]) => {
    const r = record(await project.run(args));
    assert.strictEqual(r.code, 0, r.all);
    return r;
  };
  /** name -> { inputs, outputs } with secrets in plain text */
  const state = async () => {
    const s = await project.exportState(true);
    const byName: Record<string, { inputs: any; outputs: any }> = {};
    for (const r of dynamicResources(s.json)) byName[String(r.urn).split("::").pop()!] = r;
    return byName;
  };
  const password = async (name: string) => {
    const pw = secretValue((await state())[name].outputs.password) as string;
    seen.push(pw);
    return pw;
  };
  /** Rewrites the stack's state: `edit` gets each named resource (inputs and outputs). */
  const editState = async (edit: (name: string, r: { inputs: any; outputs: any }) => void) => {
    const exported = await project.exportState(false);
    for (const r of dynamicResources(exported.json)) edit(String(r.urn).split("::").pop()!, r);
    const file = path.join(project.stateDir, "edited-state.json");
    fs.writeFileSync(file, JSON.stringify(exported.json));
    await step(["stack", "import", "--file", file]);
  };
  /**
   * Moves rotatedAt (and nextRotationAt, which follows it) of the named resources `days` back,
   * as if that much time had passed.
   */
  const age = (names: string[], days: number) =>
    editState((name, r) => {
      if (!names.includes(name)) return;
      for (const key of ["rotatedAt", "nextRotationAt"]) {
        if (r.outputs[key] === undefined) continue;
        const back = new Date(Date.parse(r.outputs[key]) - days * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
        r.inputs[key] = back;
        r.outputs[key] = back;
      }
    });
  const puts = () => emu.count("password.put");
  const ROLE = "scheduled_role";
  const cql = () => ({ address: cassandra.address });
  /**
   * Whether the role's `password` is refused within 5 s: the node's credentials cache lets an
   * old password in for about a second after ALTER ROLE (harness/real-cassandra.ts).
   */
  const roleRefused = (password: string) =>
    waitFor(`${ROLE} to refuse a password`, async () => !(await cqlCanLogin(cql(), ROLE, password)), 5000, 250).then(
      () => true,
      () => false,
    );

  before(async () => {
    // the process's Cassandra node starts (or is already up) while Milvus starts
    const node = sharedCassandra();
    node.catch(() => undefined); // its failure is the await's below
    milvus = await startRealMilvus();
    await setRootPassword(milvus, ROOT_PW);
    emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
    cassandra = await node;
    seen.push(cassandra.superuser.password);
    project = new PulumiProject(path.join(__dirname, "schedule-program"), "schedule", {
      HW_ACCESS_KEY: AK,
      HW_SECRET_KEY: SK,
    });
    await project.init(
      {
        milvusAddress: milvus.address,
        instanceId: TEST_INSTANCE,
        endpoint: emu.url,
        cassandraAddress: cassandra.address,
        rotateAfterDays: "90",
      },
      { rootPassword: ROOT_PW, givenPassword: GIVEN[0], cassandraPassword: cassandra.superuser.password },
    );
  });
  after(async () => {
    await project?.run(["destroy", "--yes"]);
    await project?.cleanup();
    await milvus?.stop();
    await emu?.stop();
    assertNoLeak(
      outputs.map((o) => o.all),
      seen,
      "CLI output",
    );
  });

  it("create records rotatedAt (RFC 3339 UTC, now) in outputs and inputs", async () => {
    const before = Date.now();
    await step(["up", "--yes"]);
    const s = await state();
    for (const name of ["app", "given", "db", "role"]) {
      assert.match(s[name].outputs.rotatedAt, RFC3339, name);
      assert.strictEqual(s[name].inputs.rotatedAt, s[name].outputs.rotatedAt, name);
      assert.ok(Math.abs(Date.parse(s[name].outputs.rotatedAt) - before) < 120000, name);
      assert.strictEqual(s[name].outputs.rotateAfterDays, 90);
      assert.strictEqual(
        Date.parse(s[name].outputs.nextRotationAt),
        Date.parse(s[name].outputs.rotatedAt) + 90 * DAY_MS,
        `${name}: nextRotationAt is rotatedAt + 90 days`,
      );
    }
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "scheduled_app", await password("app")), true);
    assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, await password("db"));
    assert.strictEqual(puts(), 1);
    assert.strictEqual(await cqlCanLogin(cql(), ROLE, await password("role")), true);
  });

  it("not due (89 days on): no change, no call to the server", async () => {
    await age(["app", "given", "db", "role"], 89);
    const putsBefore = puts();
    await step(["preview", "--expect-no-changes"]);
    const up = await step(["up", "--yes"]);
    assert.doesNotMatch(up.stdout, /updated/);
    assert.strictEqual(puts(), putsBefore);
  });

  it("due (91 days on): preview says why, up rotates the generated passwords, then nothing is due", async () => {
    const old = {
      app: await password("app"),
      db: await password("db"),
      role: await password("role"),
      given: await password("given"),
    };
    const rotatedBefore = (await state()).given.outputs.rotatedAt;
    await age(["app", "db", "role"], 2); // 89 + 2 = 91 days since the last rotation; `given` stays at 89
    const preview = await step(["preview", "--diff"]);
    assert.match(preview.stdout, /~\s*rotatedAt/, "the detailed diff names rotatedAt");
    assert.match(
      preview.all,
      /MilvusUserPassword scheduled_app@[^:]+:\d+: the password is due for rotation \(last set \S+Z, rotateAfterDays 90\)/,
    );
    assert.match(preview.all, /GeminiDbAdminPassword \S+: the password is due for rotation/);
    assert.match(preview.all, /CassandraRolePassword \S+: the password is due for rotation/);
    assert.match(preview.stdout, /3 to update/);

    const putsBefore = puts();
    const started = Date.now();
    await step(["up", "--yes"]);
    const s = await state();
    const now = { app: await password("app"), db: await password("db"), role: await password("role") };
    assert.notStrictEqual(now.app, old.app);
    assert.notStrictEqual(now.db, old.db);
    assert.notStrictEqual(now.role, old.role);
    assert.strictEqual(await cqlCanLogin(cql(), ROLE, now.role), true, "the role logs in with its new password");
    assert.strictEqual(await roleRefused(old.role), true, "the role's old password is refused");
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "scheduled_app", now.app), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "scheduled_app", old.app), false);
    assert.strictEqual(puts(), putsBefore + 1, "the emulator received the PUT");
    assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, now.db);
    for (const name of ["app", "db", "role"]) {
      assert.ok(Date.parse(s[name].outputs.rotatedAt) >= started - 2000, name);
      assert.strictEqual(
        Date.parse(s[name].outputs.nextRotationAt),
        Date.parse(s[name].outputs.rotatedAt) + 90 * DAY_MS,
      );
    }
    assert.strictEqual(await password("given"), old.given, "a resource that is not due keeps its password");
    assert.strictEqual(s.given.outputs.rotatedAt, rotatedBefore);
    await step(["preview", "--expect-no-changes"]);
  });

  it("refresh never rotates, even when due", async () => {
    await age(["app", "db", "role"], 100);
    const before = { app: await password("app"), db: await password("db"), role: await password("role") };
    const putsBefore = puts();
    await step(["refresh", "--yes"]);
    assert.strictEqual(puts(), putsBefore);
    assert.strictEqual(await password("app"), before.app);
    assert.strictEqual(await password("role"), before.role);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "scheduled_app", before.app), true);
    assert.strictEqual(await cqlCanLogin(cql(), ROLE, before.role), true);
    await step(["up", "--yes"]); // the due rotation, so that the next steps start from a clean schedule
    assert.notStrictEqual(await password("app"), before.app);
    assert.notStrictEqual(await password("role"), before.role);
  });

  it("due with a password given in config: preview and up fail and say what to do; nothing changes", async () => {
    await age(["given"], 2); // 91 days
    const before = await state();
    for (const args of [["preview"], ["up", "--yes"]]) {
      const r = record(await project.run(args));
      assert.notStrictEqual(r.code, 0, r.all);
      assert.match(
        r.all,
        /password: is due for rotation \(set \S+Z, rotateAfterDays 90\) and is given in config: set a new secret for it, or omit password to have one generated/,
      );
    }
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "scheduled_given", GIVEN[0]), true);
    assert.deepStrictEqual((await state()).given.outputs.rotatedAt, before.given.outputs.rotatedAt);

    await project.setSecret("givenPassword", GIVEN[1]);
    await step(["up", "--yes"]);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "scheduled_given", GIVEN[1]), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "scheduled_given", GIVEN[0]), false);
    await step(["preview", "--expect-no-changes"]);
  });

  it("removing rotateAfterDays stops the schedule: a stored-only update, no server call", async () => {
    await age(["app", "given", "db", "role"], 200);
    const before = await state();
    const putsBefore = puts();
    await step(["config", "rm", "rotateAfterDays"]);
    const up = await step(["up", "--yes"]);
    assert.match(up.stdout, /4 updated/);
    const after = await state();
    for (const name of ["app", "given", "db", "role"]) {
      assert.strictEqual(after[name].outputs.rotateAfterDays, undefined, name);
      assert.strictEqual(after[name].outputs.nextRotationAt, undefined, `${name}: no schedule, no nextRotationAt`);
      assert.strictEqual(after[name].outputs.rotatedAt, before[name].outputs.rotatedAt, name);
      assert.deepStrictEqual(after[name].outputs.password, before[name].outputs.password, name);
    }
    assert.strictEqual(puts(), putsBefore);
    await step(["preview", "--expect-no-changes"]);
  });

  it("a stack from before rotatedAt: no change without a schedule; a schedule starts the clock without rotating", async () => {
    await editState((_name, r) => {
      for (const key of ["rotatedAt", "nextRotationAt"]) {
        delete r.inputs[key];
        delete r.outputs[key];
      }
    });
    await step(["preview", "--expect-no-changes"]);
    const before = { app: await password("app"), db: await password("db"), role: await password("role") };
    const putsBefore = puts();
    await step(["config", "set", "rotateAfterDays", "1"]);
    const started = Date.now();
    await step(["up", "--yes"]);
    const s = await state();
    for (const name of ["app", "given", "db", "role"]) {
      assert.match(s[name].outputs.rotatedAt, RFC3339, name);
      assert.ok(Date.parse(s[name].outputs.rotatedAt) >= started - 2000, name);
    }
    assert.strictEqual(await password("app"), before.app);
    assert.strictEqual(await password("db"), before.db);
    assert.strictEqual(await password("role"), before.role);
    assert.strictEqual(await cqlCanLogin(cql(), ROLE, before.role), true);
    assert.strictEqual(puts(), putsBefore);
    await step(["preview", "--expect-no-changes"]);
  });
});
