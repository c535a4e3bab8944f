/**
 * Crash convergence with the real CLI. A `pulumi up` is stopped dead in the worst window:
 * the server has already changed the password, the provider has not heard back, so state
 * still holds the old one. Then the provider process (or the whole CLI with its plugins) is
 * killed with SIGKILL. The next `pulumi up` (or `pulumi refresh`, then `up`) must converge
 * with no manual step: server and state hold the desired password, and a preview after it
 * shows no changes.
 *
 * Milvus: a real embedded Milvus behind a hold proxy that forwards the request carrying the
 * new password and then holds every answer; pymilvus, talking to Milvus directly, is the
 * witness. GeminiDB: the emulator applies the reset and then withholds its answer; for a Redis
 * instance (the Python example through the plugin) it applies it to a real redis-server, and
 * the provider's own Redis login is the witness.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { MilvusSession, canLogin } from "../../provider/milvus/client";
import { MILVUS_DEFAULT_ROOT } from "../../harness/fixtures";
import { RealMilvus, startRealMilvus } from "../../harness/real-milvus";
import { pymilvusCanLogin, pymilvusSetup, pymilvusSnapshot } from "../../harness/pymilvus";
import { HoldProxy } from "../../harness/hold-proxy";
import { CliResult, PulumiProject, dynamicResources, pluginResources } from "../../harness/pulumi-cli";
import { assertNoLeak } from "../helpers/leaks";
import { rolePairState } from "../helpers/audit";
import { REPO_ROOT, pythonWithSdk } from "../../harness/tools";
import { descendants, dynamicProviderPids, killGroup, secretValue, waitFor } from "../../harness/support";
import { GeminiDbEmulator, TEST_INSTANCE, TEST_PROJECT, startEmulator } from "../../harness/geminidb-emulator";
import { RealCassandra, sharedCassandra } from "../../harness/real-cassandra";
import { cqlAs, cqlCanLogin, cqlLogsInWithin, roleGrantsOf } from "../../harness/cql";
import { RealRedis, startRealRedis } from "../../harness/real-redis";
import { redisLogin } from "../../provider/redis/client";

const EXAMPLES = path.join(REPO_ROOT, "examples");

async function statePassword(project: PulumiProject): Promise<string | undefined> {
  const state = await project.exportState(true);
  const r = dynamicResources(state.json)[0];
  return r ? (secretValue(r.outputs.password) as string) : undefined;
}

async function pendingOperations(project: PulumiProject): Promise<string[]> {
  const state = await project.exportState(false);
  return (state.json.deployment.pending_operations ?? []).map((p: any) => p.type);
}

/** What dies: the dynamic provider process, the dbpasswords plugin process, or the whole CLI run. */
type Kill = "provider" | "plugin" | "cli";

/** The dbpasswords plugin processes below `root` (node .../dist/plugin/start.js). */
function pluginPids(root: number): number[] {
  return descendants(root)
    .filter((p) => /\bnode\b/.test(p.args) && /dist\/plugin\/start\.js/.test(p.args))
    .map((p) => p.pid);
}

function killPid(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Running, as opposed to gone or a zombie that its new parent has not reaped yet. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/**
 * Starts `pulumi up`, waits for `applied` (the server acted; the answer is held), checks
 * `serverHasNew`, then kills the provider plugin or the whole CLI. Returns the CLI's result.
 */
async function crashUp(
  project: PulumiProject,
  applied: Promise<void>,
  serverHasNew: () => Promise<boolean>,
  kill: Kill,
): Promise<CliResult> {
  const { child, done } = project.start(["up", "--yes", "--non-interactive"]);
  let finishedEarly: CliResult | undefined;
  void done.then((r) => (finishedEarly = r));
  await Promise.race([
    applied,
    done.then((r) => Promise.reject(new Error(`pulumi up ended before the server acted:\n${r.all}`))),
  ]);
  await waitFor("the server to hold the new password", serverHasNew);
  assert.strictEqual(finishedEarly, undefined, "the CLI must still be waiting for the held answer");
  if (kill === "provider" || kill === "plugin") {
    const pids = kill === "provider" ? dynamicProviderPids(child.pid!) : pluginPids(child.pid!);
    assert.ok(pids.length >= 1, `found the ${kill === "provider" ? "dynamic provider" : "plugin"} process`);
    for (const pid of pids) process.kill(pid, "SIGKILL");
  } else {
    // What a CI runner does when it cancels a job: every process of the run dies. The CLI
    // starts each plugin in a process group of its own (Setpgid), so killing the CLI's group
    // alone would leave the language host and the providers running, still retrying their
    // held calls into the next test's steps.
    const tree = descendants(child.pid!);
    killGroup(child.pid!, "SIGKILL");
    for (const p of tree) killPid(p.pid);
    await waitFor("every process of the killed run to end", () => tree.every((p) => !alive(p.pid)));
  }
  const result = await done;
  if (kill === "cli") {
    // A CLI killed with SIGKILL leaves its backend's stack lock behind; the CLI names the one
    // step that clears it. That is Pulumi's lock, not anything of the password's.
    const locks = path.join(project.stateDir, ".pulumi", "locks");
    assert.ok(
      fs.existsSync(locks) && fs.readdirSync(locks, { recursive: true }).some((f) => String(f).endsWith(".json")),
      "the killed CLI left its lock",
    );
    const cancel = await project.run(["cancel", "--yes"]);
    assert.strictEqual(cancel.code, 0, cancel.all);
  }
  return result;
}

/**
 * After an interrupted create has converged, the stale "creating" record stays in the
 * checkpoint (Pulumi keeps it until told); `pulumi refresh --clear-pending-creates`, the
 * CLI's own remedy, drops it. The resource and its password are already in state.
 */
async function clearPendingCreate(project: PulumiProject, record: (r: CliResult) => CliResult): Promise<void> {
  const r = record(await project.run(["refresh", "--yes", "--clear-pending-creates"]));
  assert.strictEqual(r.code, 0, r.all);
  assert.deepStrictEqual(await pendingOperations(project), []);
}

describe("crash convergence: MilvusUserPassword with the real CLI and a real Milvus", function () {
  this.timeout(900000);
  const ROOT_PW = "Crash-root-Pw1";
  const BOOT = "Crash-boot-Pw0";
  const P = ["Crash-first-Pw1", "Crash-second-Pw2", "Crash-third-Pw3", "Crash-fourth-Pw4", "Crash-fifth-Pw5"];
  const secrets = [ROOT_PW, BOOT, ...P];
  const outputs: CliResult[] = [];
  let milvus: RealMilvus;
  let proxy: HoldProxy;
  let project: PulumiProject;
  const direct = () => ({ hostPort: milvus.address, tls: false, timeoutMs: 5000 });
  const hasPassword = (user: string, pw: string) => () => canLogin(direct(), user, pw);
  const armFor = (pw: string) => proxy.arm(Buffer.from(Buffer.from(pw, "utf8").toString("base64"), "ascii"));
  const record = (r: CliResult) => (outputs.push(r), r);

  before(async () => {
    milvus = await startRealMilvus();
    const s = new MilvusSession(direct(), MILVUS_DEFAULT_ROOT);
    await s.createUser("crash_app", BOOT);
    await s.updatePassword(MILVUS_DEFAULT_ROOT.username, MILVUS_DEFAULT_ROOT.password, ROOT_PW);
    const [host, port] = milvus.address.split(":");
    proxy = new HoldProxy(host, Number(port));
    await proxy.start();
    project = new PulumiProject(path.join(EXAMPLES, "milvus-user-password"), "crash");
    await project.init(
      { milvusAddress: proxy.address, user: "crash_app" },
      { milvusRootPassword: ROOT_PW, searchAppPassword: P[0], searchAppCurrentPassword: BOOT },
    );
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
  });
  after(async () => {
    await project?.run(["destroy", "--yes"]);
    await project?.cleanup();
    await proxy?.stop();
    await milvus?.stop();
    assertNoLeak(
      outputs.map((o) => o.all),
      secrets,
      "CLI output",
    );
  });

  it("provider killed after UpdateCredential was applied: the next pulumi up converges", async () => {
    await project.setSecret("searchAppPassword", P[1]);
    const crashed = record(await crashUp(project, armFor(P[1]), hasPassword("crash_app", P[1]), "provider"));
    assert.notStrictEqual(crashed.code, 0, "the run with a dead provider fails");
    proxy.release();
    // the window is real: the server has the new password, state the old one
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_app", P[1]), true);
    assert.strictEqual(await statePassword(project), P[0]);

    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    assert.strictEqual(await statePassword(project), P[1]);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_app", P[1]), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_app", P[0]), false);
    const quiet = record(await project.run(["preview", "--expect-no-changes"]));
    assert.strictEqual(quiet.code, 0, quiet.all);
  });

  it("CLI killed after UpdateCredential was applied: pulumi refresh shows the drift, the next pulumi up converges", async () => {
    await project.setSecret("searchAppPassword", P[2]);
    const crashed = record(await crashUp(project, armFor(P[2]), hasPassword("crash_app", P[2]), "cli"));
    assert.notStrictEqual(crashed.code, 0);
    proxy.release();
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_app", P[2]), true);
    assert.strictEqual(await statePassword(project), P[1]);
    assert.deepStrictEqual(await pendingOperations(project), ["updating"], "the CLI died with the update pending");

    const refresh = record(await project.run(["refresh", "--yes", "--diff"]));
    assert.strictEqual(refresh.code, 0, refresh.all);
    assert.match(refresh.stdout, /passwordVerified\s*:\s*true\s*=>\s*false/);
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    assert.strictEqual(await statePassword(project), P[2]);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_app", P[2]), true);
    assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_app", P[1]), false);
    assert.deepStrictEqual(await pendingOperations(project), []);
    const quiet = record(await project.run(["preview", "--expect-no-changes"]));
    assert.strictEqual(quiet.code, 0, quiet.all);
  });

  it("standbyUser: provider killed after the standby got its new (generated) password: the next up finishes the switch", async () => {
    const pair = new PulumiProject(path.join(EXAMPLES, "milvus-zero-downtime"), "crash-pair");
    const pairState = async () => {
      const r = dynamicResources((await pair.exportState(true)).json)[0];
      const pw = secretValue(r.outputs.password) as string;
      const standby = secretValue(r.outputs.standbyPassword) as string;
      secrets.push(pw, standby);
      return { activeUser: r.outputs.activeUser as string, password: pw, standbyPassword: standby };
    };
    try {
      await pair.init(
        {
          milvusAddress: proxy.address,
          user: "crash_blue",
          standbyUser: "crash_green",
          rotation: "r1",
          deleteUserOnDestroy: "true",
        },
        { milvusRootPassword: ROOT_PW },
      );
      const up1 = record(await pair.run(["up", "--yes"]));
      assert.strictEqual(up1.code, 0, up1.all);
      const before = await pairState();
      assert.strictEqual(before.activeUser, "crash_blue");

      await pair.ok(["config", "set", "rotation", "r2"]);
      // The rotation's first change is UpdateCredential on the standby user: the first request
      // that carries its name (the login proofs carry names only inside the encoded header).
      const changed = async () => !(await canLogin(direct(), "crash_green", before.standbyPassword));
      const crashed = record(await crashUp(pair, proxy.arm(Buffer.from("crash_green")), changed, "provider"));
      assert.notStrictEqual(crashed.code, 0);
      proxy.release();
      // the window: crash_green has a generated password that never reached state
      assert.deepStrictEqual(await pairState(), before);

      const up = record(await pair.run(["up", "--yes"]));
      assert.strictEqual(up.code, 0, up.all);
      const after = await pairState();
      assert.strictEqual(after.activeUser, "crash_green");
      assert.strictEqual(after.standbyPassword, before.password);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_green", after.password), true);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_blue", before.password), true, "never touched");
      const quiet = record(await pair.run(["preview", "--expect-no-changes"]));
      assert.strictEqual(quiet.code, 0, quiet.all);
      record(await pair.run(["destroy", "--yes"]));
    } finally {
      await pair.cleanup();
    }
  });

  it("CLI killed after CreateCredential was applied (pending create): the next pulumi up adopts the user", async () => {
    const fresh = new PulumiProject(path.join(EXAMPLES, "milvus-user-password"), "crash-create");
    try {
      await fresh.init(
        { milvusAddress: proxy.address, user: "crash_new", createIfMissing: "true" },
        { milvusRootPassword: ROOT_PW, searchAppPassword: P[3] },
      );
      const crashed = record(await crashUp(fresh, armFor(P[3]), hasPassword("crash_new", P[3]), "cli"));
      assert.notStrictEqual(crashed.code, 0);
      proxy.release();
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_new", P[3]), true);
      assert.strictEqual(await statePassword(fresh), undefined, "the resource never reached state");
      assert.deepStrictEqual(await pendingOperations(fresh), ["creating"]);

      const up = record(await fresh.run(["up", "--yes"]));
      assert.strictEqual(up.code, 0, up.all);
      assert.match(up.all, /pending operations/i, "the CLI warns about the interrupted create");
      assert.strictEqual(await statePassword(fresh), P[3]);
      await clearPendingCreate(fresh, record);
      assert.strictEqual(await statePassword(fresh), P[3]);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_new", P[3]), true);
      const quiet = record(await fresh.run(["preview", "--expect-no-changes"]));
      assert.strictEqual(quiet.code, 0, quiet.all);
      // and a rotation after the crash works as usual
      await fresh.setSecret("searchAppPassword", P[4]);
      const rotate = record(await fresh.run(["up", "--yes"]));
      assert.strictEqual(rotate.code, 0, rotate.all);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_new", P[4]), true);
      assert.strictEqual(await pymilvusCanLogin(milvus.address, "crash_new", P[3]), false);
      record(await fresh.run(["destroy", "--yes"]));
    } finally {
      await fresh.cleanup();
    }
  });
});

describe("crash convergence: generated passwords in every mode, with the real CLI and real servers", function () {
  // One stack holds a generated password of each kind (test/reliability/generated-program): a
  // new rotationTrigger, a due rotateAfterDays, a role without a connection identity. Each test
  // kills one rotation in its window (the database took the password the run generated, state
  // never heard of it); the next `pulumi up` must find that password (shared/seed.ts) and
  // converge: state's password logs in, the one before is refused, roles and grants intact, no
  // change left for a preview. Before the seed, each of these locked its identity out.
  this.timeout(900000);
  const ROOT_PW = "Gen-root-Pw1";
  const BOOT = "Gen-self-boot0";
  const outputs: CliResult[] = [];
  const seen: string[] = [ROOT_PW, BOOT];
  const AK = "GENCRASHACCESS01";
  const SK = "Gen-crash-secret/01";
  let milvus: RealMilvus;
  let cassandra: RealCassandra;
  let milvusProxy: HoldProxy;
  let cqlProxy: HoldProxy;
  let emu: GeminiDbEmulator;
  let project: PulumiProject;
  const record = (r: CliResult) => (outputs.push(r), r);
  const milvusDirect = () => ({ hostPort: milvus.address, tls: false, timeoutMs: 5000 });
  const cql = () => ({ address: cassandra.address });

  /** Each resource's password and seed in state, by name. */
  const inState = async () => {
    const byName: Record<string, { password: string; passwordSeed?: string; inputs: any }> = {};
    for (const r of dynamicResources((await project.exportState(true)).json)) {
      const password = secretValue(r.outputs.password) as string;
      seen.push(password);
      byName[String(r.urn).split("::").pop()!] = {
        password,
        passwordSeed: secretValue(r.outputs.passwordSeed) as string | undefined,
        inputs: r.inputs,
      };
    }
    return byName;
  };
  /** Moves rotatedAt of the named resources back `days` in state, as if that much time had passed. */
  const ageAll = async (names: string[], days: number) => {
    const exported = await project.exportState(false);
    for (const r of dynamicResources(exported.json)) {
      if (!names.includes(String(r.urn).split("::").pop()!)) continue;
      const back = new Date(Date.parse(r.outputs.rotatedAt) - days * 86_400_000)
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z");
      r.inputs.rotatedAt = back;
      r.outputs.rotatedAt = back;
    }
    const file = path.join(project.stateDir, "aged-state.json");
    fs.writeFileSync(file, JSON.stringify(exported.json));
    await project.ok(["stack", "import", "--file", file]);
  };
  /** Whether a CQL login of `role` with `password` is refused within 5 s (the node's credentials cache). */
  const cqlRefused = (role: string, password: string) =>
    waitFor(`${role} to refuse a password`, async () => !(await cqlCanLogin(cql(), role, password)), 5000, 250).then(
      () => true,
      () => false,
    );
  before(async () => {
    [milvus, cassandra] = await Promise.all([startRealMilvus(), sharedCassandra()]);
    seen.push(cassandra.superuser.password);
    await new MilvusSession(milvusDirect(), MILVUS_DEFAULT_ROOT).updatePassword(
      MILVUS_DEFAULT_ROOT.username,
      MILVUS_DEFAULT_ROOT.password,
      ROOT_PW,
    );
    // the role that changes its own password, with a grant that must survive every rotation
    await cqlAs(cql(), cassandra.superuser, [
      `CREATE ROLE IF NOT EXISTS gen_self WITH PASSWORD = '${BOOT}' AND LOGIN = true`,
      "CREATE KEYSPACE IF NOT EXISTS gen_ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      "GRANT SELECT ON KEYSPACE gen_ks TO gen_self",
    ]);
    const [mh, mp] = milvus.address.split(":");
    const [ch, cp] = cassandra.address.split(":");
    milvusProxy = new HoldProxy(mh, Number(mp));
    cqlProxy = new HoldProxy(ch, Number(cp));
    await Promise.all([milvusProxy.start(), cqlProxy.start()]);
    emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
    seen.push(SK);
    project = new PulumiProject(path.join(__dirname, "generated-program"), "generated", {
      HW_ACCESS_KEY: AK,
      HW_SECRET_KEY: SK,
    });
    await project.init(
      {
        milvusAddress: milvusProxy.address,
        cassandraAddress: cqlProxy.address,
        milvusTrigger: "t1",
        cassandraTrigger: "t1",
        instanceId: TEST_INSTANCE,
        endpoint: emu.url,
      },
      { milvusRootPassword: ROOT_PW, selfBootstrap: BOOT, cassandraPassword: cassandra.superuser.password },
    );
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    // a role bound to the generated user, which every rotation must leave bound
    await pymilvusSetup(milvus.address, ["root", ROOT_PW], {
      roles: { gen_reader: [["Global", "*", "DescribeCollection"]] },
      bind: { gen_trigger: ["gen_reader"], gen_schedule: ["gen_reader"] },
    });
  });
  after(async () => {
    await project?.run(["destroy", "--yes"]);
    await project?.cleanup();
    await Promise.all([milvusProxy?.stop(), cqlProxy?.stop(), emu?.stop()]);
    if (cassandra) {
      await cqlAs(cql(), cassandra.superuser, ["DROP ROLE IF EXISTS gen_self", "DROP ROLE IF EXISTS gen_schedule"]);
    }
    await milvus?.stop();
    assertNoLeak(
      outputs.map((o) => o.all),
      seen,
      "CLI output",
    );
  });

  /** How each resource of the stack is witnessed: by pymilvus, by CQL logins, by the emulator's state. */
  interface Witness {
    name: string;
    logsIn(pw: string): Promise<boolean>;
    refused(pw: string): Promise<boolean>;
    /** Resolves when the database has acted on the rotation (the answer then held), and arms that hold. */
    arm(): Promise<void>;
    release(): void;
    /** Roles and grants, which no rotation may change. */
    grants(): Promise<unknown>;
    /** The password the database holds, where a witness can read it (the emulator). */
    current?(): string;
  }
  const milvusUser = (name: string, user: string): Witness => ({
    name,
    logsIn: (pw) => pymilvusCanLogin(milvus.address, user, pw),
    refused: async (pw) => !(await pymilvusCanLogin(milvus.address, user, pw)),
    // the first request that carries the user's name in the clear is its UpdateCredential
    arm: () => milvusProxy.arm(Buffer.from(user)),
    release: () => milvusProxy.release(),
    grants: async () => (await pymilvusSnapshot(milvus.address, ["root", ROOT_PW])).userRoles[user] ?? [],
  });
  const cassandraRole = (name: string, role: string): Witness => ({
    name,
    logsIn: (pw) => cqlLogsInWithin(cql(), role, pw),
    refused: (pw) => cqlRefused(role, pw),
    arm: () => cqlProxy.arm(Buffer.from(`ALTER ROLE "${role}" WITH PASSWORD`)),
    release: () => cqlProxy.release(),
    grants: () => roleGrantsOf(cql(), cassandra.superuser, role),
  });
  const geminiDb = (name: string): Witness => ({
    name,
    logsIn: async (pw) => emu.instances.get(TEST_INSTANCE)!.password === pw,
    refused: async (pw) => emu.instances.get(TEST_INSTANCE)!.password !== pw,
    arm: () => {
      emu.inject("password.put", { kind: "applyThenDelay", ms: 120000 });
      return new Promise<void>((resolve) => (emu.onApplied = () => resolve()));
    },
    release: () => (emu.onApplied = undefined),
    grants: async () => [],
    current: () => emu.instances.get(TEST_INSTANCE)!.password!,
  });

  /**
   * Rotates `witnesses` together (`makeDue`), kills the run once every database took its new
   * generated password, and checks that the next up converges on every one of them, on the
   * very password the dead run set (derived again from the same seed), with grants intact.
   */
  async function crashAndConverge(witnesses: Witness[], makeDue: () => Promise<unknown>, kill: Kill): Promise<void> {
    const before = await inState();
    const grants = await Promise.all(witnesses.map((w) => w.grants()));
    await makeDue();
    const applied = Promise.all(witnesses.map((w) => w.arm()));
    const moved = async () =>
      (await Promise.all(witnesses.map((w) => w.refused(before[w.name].password)))).every(Boolean);
    const crashed = record(
      await crashUp(
        project,
        applied.then(() => undefined),
        moved,
        kill,
      ),
    );
    assert.notStrictEqual(crashed.code, 0);
    witnesses.forEach((w) => w.release());
    const mid = await inState();
    const held = witnesses.map((w) => w.current?.());
    seen.push(...held.filter((p): p is string => !!p));
    for (const w of witnesses) {
      assert.strictEqual(mid[w.name].password, before[w.name].password, `${w.name}: the crash left state as it was`);
      assert.strictEqual(await w.refused(before[w.name].password), true, `${w.name}: the database moved on`);
    }
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    const after = await inState();
    for (const [i, w] of witnesses.entries()) {
      const pw = after[w.name].password;
      assert.notStrictEqual(pw, before[w.name].password, w.name);
      assert.strictEqual(await w.logsIn(pw), true, `${w.name}: state's password logs in`);
      assert.strictEqual(await w.refused(before[w.name].password), true, `${w.name}: the one before is refused`);
      assert.notStrictEqual(after[w.name].passwordSeed, before[w.name].passwordSeed, `${w.name}: a fresh seed`);
      assert.deepStrictEqual(await w.grants(), grants[i], `${w.name}: roles and grants intact`);
      if (held[i] !== undefined) assert.strictEqual(pw, held[i], `${w.name}: the password the dead run set`);
    }
    assert.deepStrictEqual(await pendingOperations(project), []);
    const quiet = record(await project.run(["preview", "--expect-no-changes"]));
    assert.strictEqual(quiet.code, 0, quiet.all);
  }

  it("a new rotationTrigger on a Milvus user and on a role without a connection identity: provider killed after both databases took their generated passwords; the next up converges on both", async () => {
    await crashAndConverge(
      [milvusUser("milvus-trigger", "gen_trigger"), cassandraRole("cassandra-self", "gen_self")],
      async () => {
        await project.ok(["config", "set", "milvusTrigger", "t2"]);
        await project.ok(["config", "set", "cassandraTrigger", "t2"]);
      },
      "provider",
    );
  });

  it("rotateAfterDays due on all three resources: the CLI killed after each database took its generated password; pulumi cancel, then the next up converges on every one", async () => {
    const witnesses = [
      milvusUser("milvus-schedule", "gen_schedule"),
      cassandraRole("cassandra-schedule", "gen_schedule"),
      geminiDb("geminidb-schedule"),
    ];
    // GeminiDB sets passwords outright, so any would converge: it must be the one the dead run set
    await crashAndConverge(
      witnesses,
      () =>
        ageAll(
          witnesses.map((w) => w.name),
          31,
        ),
      "cli",
    );
  });
});

/** The end of a GeminiDB suite: its stack removed, the emulator stopped, no secret in any CLI output. */
async function endEmulatorSuite(
  project: PulumiProject | undefined,
  emu: GeminiDbEmulator | undefined,
  outputs: CliResult[],
  secrets: string[],
): Promise<void> {
  await project?.cleanup();
  await emu?.stop();
  assertNoLeak(
    outputs.map((o) => o.all),
    secrets,
    "CLI output",
  );
}

describe("crash convergence: GeminiDbAdminPassword with the real CLI and the emulator", function () {
  this.timeout(600000);
  const INSTANCE = TEST_INSTANCE;
  const AK = "CRASHACCESSKEY01";
  const SK = "Crash-secret-key/01";
  const RW = ["Rw-crash~pass1", "Rw-crash~pass2", "Rw-crash~pass3"];
  const outputs: CliResult[] = [];
  let emu: GeminiDbEmulator;
  let project: PulumiProject;
  const record = (r: CliResult) => (outputs.push(r), r);
  const appliedOnce = () => {
    emu.inject("password.put", { kind: "applyThenDelay", ms: 120000 });
    return new Promise<void>((resolve) => (emu.onApplied = () => resolve()));
  };
  const serverHas = (pw: string) => async () => emu.instances.get(INSTANCE)!.password === pw;

  before(async () => {
    emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
    project = new PulumiProject(path.join(EXAMPLES, "geminidb-admin-password"), "crash", {
      HW_ACCESS_KEY: AK,
      HW_SECRET_KEY: SK,
    });
    await project.init(
      { region: "eu-west-101", instanceId: INSTANCE, endpoint: emu.url, iamEndpoint: emu.url },
      { rwuserPassword: RW[0] },
    );
  });
  after(() => endEmulatorSuite(project, emu, outputs, [SK, ...RW]));

  it("CLI killed after the first reset was applied (pending create): the next pulumi up converges", async () => {
    const crashed = record(await crashUp(project, appliedOnce(), serverHas(RW[0]), "cli"));
    assert.notStrictEqual(crashed.code, 0);
    assert.strictEqual(await statePassword(project), undefined);
    assert.deepStrictEqual(await pendingOperations(project), ["creating"]);
    emu.onApplied = undefined;
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    assert.match(up.all, /pending operations/i, "the CLI warns about the interrupted create");
    assert.strictEqual(await statePassword(project), RW[0]);
    assert.strictEqual(emu.instances.get(INSTANCE)!.password, RW[0]);
    await clearPendingCreate(project, record);
    assert.strictEqual(await statePassword(project), RW[0]);
    const quiet = record(await project.run(["preview", "--expect-no-changes"]));
    assert.strictEqual(quiet.code, 0, quiet.all);
  });

  it("provider killed after a rotation was applied: the next pulumi up converges", async () => {
    await project.setSecret("rwuserPassword", RW[1]);
    const crashed = record(await crashUp(project, appliedOnce(), serverHas(RW[1]), "provider"));
    assert.notStrictEqual(crashed.code, 0);
    assert.strictEqual(emu.instances.get(INSTANCE)!.password, RW[1]);
    assert.strictEqual(await statePassword(project), RW[0]);
    emu.onApplied = undefined;
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    assert.strictEqual(await statePassword(project), RW[1]);
    assert.strictEqual(emu.instances.get(INSTANCE)!.password, RW[1]);
  });

  it("CLI killed mid-rotation: pulumi refresh keeps the resource, the next pulumi up converges", async () => {
    await project.setSecret("rwuserPassword", RW[2]);
    const crashed = record(await crashUp(project, appliedOnce(), serverHas(RW[2]), "cli"));
    assert.notStrictEqual(crashed.code, 0);
    emu.onApplied = undefined;
    const refresh = record(await project.run(["refresh", "--yes"]));
    assert.strictEqual(refresh.code, 0, refresh.all);
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    assert.strictEqual(await statePassword(project), RW[2]);
    assert.strictEqual(emu.instances.get(INSTANCE)!.password, RW[2]);
    assert.deepStrictEqual(await pendingOperations(project), []);
    record(await project.run(["destroy", "--yes"]));
  });
});

describe("crash convergence: a GeminiDB Redis reset, through the plugin (Python), on a real Redis", function () {
  this.timeout(600000);
  const INSTANCE = "f1b2c3d4e5f60718293a4b5c6d7e8f90in12";
  const AK = "CRASHREDISKEY001";
  const SK = "Crash-redis-secret/01";
  const RW = ["Rw-redis~crash0", "Rw-redis~crash1", "Rw-redis~crash2"];
  const seen = [SK, ...RW];
  const outputs: CliResult[] = [];
  let redis: RealRedis;
  let emu: GeminiDbEmulator;
  let project: PulumiProject;
  const record = (r: CliResult) => (outputs.push(r), r);
  const logsIn = (pw: string) => redisLogin(redis.target(5000), pw);
  /** Arms the emulator: the next reset is applied to the real Redis, its answer held for 2 minutes. */
  const appliedOnce = () => {
    emu.inject("password.put", { kind: "applyThenDelay", ms: 120000 });
    return new Promise<void>((resolve) => (emu.onApplied = () => resolve()));
  };
  /** The plugin resource's password and passwordVerified in state (undefined before any). */
  const inState = async () => {
    const r = pluginResources((await project.exportState(true)).json)[0];
    const password = r ? (secretValue(r.outputs.password) as string) : undefined;
    if (password) seen.push(password);
    return { password, passwordVerified: r?.outputs.passwordVerified as boolean | undefined };
  };
  /** Converged: state, the emulator and the real Redis hold one password, the others are refused. */
  const converged = async (refused: string[]) => {
    const s = await inState();
    assert.strictEqual(s.passwordVerified, true);
    assert.strictEqual(redis.password, s.password, "the real Redis holds the password in state");
    assert.strictEqual(emu.instances.get(INSTANCE)!.password, s.password);
    assert.strictEqual(await logsIn(s.password!), true);
    for (const pw of refused) assert.strictEqual(await logsIn(pw), false);
    assert.deepStrictEqual(await pendingOperations(project), []);
    const quiet = record(await project.run(["preview", "--expect-no-changes"]));
    assert.strictEqual(quiet.code, 0, quiet.all);
    return s.password!;
  };

  before(async () => {
    redis = await startRealRedis({ password: "Rw-redis~initial", tls: true });
    seen.push(redis.password);
    const caFile = path.join(redis.dir, "console-ca.crt");
    fs.writeFileSync(caFile, redis.caCertificate!);
    emu = await startEmulator((e) => {
      e.akSk.set(AK, { sk: SK });
      e.instances.set(INSTANCE, {
        id: INSTANCE,
        projectId: TEST_PROJECT,
        status: "normal",
        datastore: "redis",
        actions: [],
        password: redis.password,
      });
      e.backWith(INSTANCE, { kind: "redis", server: redis });
    });
    project = new PulumiProject(path.join(EXAMPLES, "geminidb-redis-admin-password"), "crash-redis", {
      HW_ACCESS_KEY: AK,
      HW_SECRET_KEY: SK,
      PULUMI_PYTHON_CMD: pythonWithSdk(),
    });
    await project.init(
      {
        instanceId: INSTANCE,
        projectId: TEST_PROJECT,
        endpoint: emu.url,
        iamEndpoint: emu.url,
        redisAddress: redis.address,
        redisCaCertificateFile: caFile,
        rotation: "r1",
      },
      { rwuserPassword: RW[0] },
    );
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    assert.strictEqual(await logsIn(RW[0]), true);
  });
  after(async () => {
    await endEmulatorSuite(project, emu, outputs, seen);
    await redis?.destroy();
  });

  it("plugin killed after the API applied the reset to Redis: the next pulumi up converges", async () => {
    await project.setSecret("rwuserPassword", RW[1]);
    const crashed = record(await crashUp(project, appliedOnce(), () => logsIn(RW[1]), "plugin"));
    assert.notStrictEqual(crashed.code, 0, "the run with a dead plugin fails");
    emu.onApplied = undefined;
    // the window is real: Redis has the new password, state the old one
    assert.strictEqual(await logsIn(RW[0]), false);
    assert.strictEqual((await inState()).password, RW[0]);

    emu.resetCounts();
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    assert.strictEqual(emu.count("password.put"), 1, "the up resets once more, to the password it records");
    assert.strictEqual(await converged([RW[0]]), RW[1]);
  });

  it("CLI killed mid-rotation (a generated password state never saw): refresh shows the drift, the next up converges", async () => {
    // from a given password to generated ones: rotationTrigger makes a new one each time
    const rm = record(await project.run(["config", "rm", "rwuserPassword"]));
    assert.strictEqual(rm.code, 0, rm.all);
    await project.ok(["config", "set", "rotation", "r2"]);
    const changed = async () => !(await logsIn(RW[1]));
    const crashed = record(await crashUp(project, appliedOnce(), changed, "cli"));
    assert.notStrictEqual(crashed.code, 0);
    emu.onApplied = undefined;
    const lost = redis.password; // generated in the run that died: in no state
    seen.push(lost);
    assert.notStrictEqual(lost, RW[1]);
    assert.strictEqual((await inState()).password, RW[1]);

    const refresh = record(await project.run(["refresh", "--yes", "--diff"]));
    assert.strictEqual(refresh.code, 0, refresh.all);
    assert.match(refresh.stdout, /passwordVerified\s*:\s*true\s*=>\s*false/);
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    const now = await converged([RW[1]]);
    assert.strictEqual(now, lost, "the password the dead run set (derived from state's seed), not a third one");
    const destroy = record(await project.run(["destroy", "--yes"]));
    assert.strictEqual(destroy.code, 0, destroy.all);
    assert.strictEqual(await logsIn(now), true, "destroy leaves the password");
  });
});

describe("crash convergence: CassandraRolePassword (two roles) with the real CLI and a real Cassandra", function () {
  this.timeout(600000);
  const outputs: CliResult[] = [];
  const seen: string[] = [];
  let db: RealCassandra;
  let proxy: HoldProxy;
  let project: PulumiProject;
  const record = (r: CliResult) => (outputs.push(r), r);
  const direct = () => ({ address: db.address });
  const roles = () => rolePairState(project, seen);

  before(async () => {
    db = await sharedCassandra();
    seen.push(db.superuser.password);
    const [host, port] = db.address.split(":");
    proxy = new HoldProxy(host, Number(port));
    await proxy.start();
    project = new PulumiProject(path.join(EXAMPLES, "cassandra-role-zero-downtime"), "crash");
    await project.init(
      { cassandraAddress: proxy.address, role: "crash_blue", standbyRole: "crash_green", rotation: "r1" },
      { cassandraPassword: db.superuser.password },
    );
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
  });
  after(async () => {
    await project?.run(["config", "set", "deleteRoleOnDestroy", "true"]);
    await project?.run(["destroy", "--yes"]);
    await project?.cleanup();
    await proxy?.stop();
    assertNoLeak(
      outputs.map((o) => o.all),
      seen,
      "CLI output",
    );
  });

  it("provider killed after ALTER ROLE gave the standby its new password: the active role keeps working, the next up finishes the switch", async () => {
    const before = await roles();
    assert.strictEqual(before.active, "crash_blue");
    await project.ok(["config", "set", "rotation", "r2"]);
    // the standby's new password is generated: the proxy watches for its ALTER ROLE statement
    const applied = proxy.arm(Buffer.from('ALTER ROLE "crash_green" WITH PASSWORD'));
    const standbyChanged = async () => !(await cqlCanLogin(direct(), "crash_green", before.standby));
    const crashed = record(await crashUp(project, applied, standbyChanged, "provider"));
    assert.notStrictEqual(crashed.code, 0, "the run with a dead provider fails");
    proxy.release();
    // the window is real: the database changed the standby's password, state holds the old one
    const mid = await roles();
    assert.deepStrictEqual(mid, before);
    assert.strictEqual(await cqlCanLogin(direct(), "crash_green", before.standby), false);
    // and no service noticed: the active role still logs in with what the stack exports
    assert.strictEqual(await cqlCanLogin(direct(), "crash_blue", before.password), true);

    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    const after = await roles();
    assert.strictEqual(after.active, "crash_green");
    assert.strictEqual(await cqlCanLogin(direct(), "crash_green", after.password), true);
    // the role that was active keeps its password until the next rotation
    assert.strictEqual(after.standby, before.password);
    assert.strictEqual(await cqlCanLogin(direct(), "crash_blue", before.password), true);
    const quiet = record(await project.run(["preview", "--expect-no-changes"]));
    assert.strictEqual(quiet.code, 0, quiet.all);
  });
});

describe("crash: a CLI killed alone leaves its provider running, which must not change the password after it", function () {
  this.timeout(300000);
  const AK = "ORPHANACCESSKEY1";
  const SK = "Orphan-secret-key/01";
  const RW = ["Rw-orphan~pass1", "Rw-orphan~pass2"];
  const outputs: CliResult[] = [];
  let emu: GeminiDbEmulator;
  let project: PulumiProject;
  const record = (r: CliResult) => (outputs.push(r), r);
  const leftovers: number[] = [];

  before(async () => {
    emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
    project = new PulumiProject(path.join(__dirname, "orphan-program"), "orphan", {
      HW_ACCESS_KEY: AK,
      HW_SECRET_KEY: SK,
    });
    await project.init({ instanceId: TEST_INSTANCE, endpoint: emu.url }, { rwuserPassword: RW[0] });
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
  });
  after(async () => {
    for (const pid of leftovers) killPid(pid);
    await endEmulatorSuite(project, emu, outputs, [SK, ...RW]);
  });

  it("the provider gives up its retries when the engine is gone, and ends; the next pulumi up converges", async () => {
    await project.setSecret("rwuserPassword", RW[1]);
    emu.resetCounts();
    // The reset is held and never applied; the provider times out after 3 s, and would retry.
    emu.inject("password.put", { kind: "delay", ms: 60000 });
    // With --logflow the CLI passes its flags to the plugins ahead of the engine's address.
    const { child, done } = project.start(["up", "--yes", "--non-interactive", "-v=3", "--logflow"]);
    await waitFor("the provider to send its reset", async () => emu.count("password.put") === 1);
    const tree = descendants(child.pid!);
    leftovers.push(...tree.map((p) => p.pid));
    const providers = dynamicProviderPids(child.pid!);
    assert.strictEqual(providers.length, 1, "one dynamic provider process");
    // SIGKILL to the CLI alone (an OOM kill, a runner that kills only its child): its plugins
    // run in process groups of their own and live on.
    killPid(child.pid!);
    const crashed = record(await done);
    assert.notStrictEqual(crashed.code, 0);
    assert.ok(alive(providers[0]), "the provider outlived the CLI");

    // Its held call times out 3 s after it was sent; a retry would follow within 0.5 s. The
    // provider sees the engine is gone instead, sends nothing more, and ends within about 5 s.
    const t0 = Date.now();
    await waitFor(
      () => `the orphaned provider to end (resets the emulator saw: ${emu.count("password.put")})`,
      async () => !alive(providers[0]),
      30000,
    );
    const ended = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    assert.strictEqual(emu.count("password.put"), 1, "no reset after the engine was gone");
    assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, RW[0], "the database still matches state");
    assert.ok(ended > 2, `it ended after its call was over, not before (${ended.toFixed(1)} s)`);

    const cancel = await project.run(["cancel", "--yes"]);
    assert.strictEqual(cancel.code, 0, cancel.all);
    const up = record(await project.run(["up", "--yes"]));
    assert.strictEqual(up.code, 0, up.all);
    assert.strictEqual(await statePassword(project), RW[1]);
    assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, RW[1]);
    const quiet = record(await project.run(["preview", "--expect-no-changes"]));
    assert.strictEqual(quiet.code, 0, quiet.all);
    record(await project.run(["destroy", "--yes"]));
  });
});
