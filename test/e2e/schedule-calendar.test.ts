/**
 * Rotation on a calendar (rotationSchedule, rotationTimeZone, rotationWindowMinutes,
 * nextRotationAt) through the real CLI, with the provider processes' clock moved to chosen
 * instants of 2027: libfaketime (scripts/install-faketime.sh) is preloaded into the CLI's
 * environment with FAKETIME, an offset from now, so every Node process below it (the program,
 * the dynamic provider host, the plugin) reads the moved wall clock, and the Go CLI does not
 * (it reads the clock without libc). Both faces: a TypeScript program with a Cassandra role (the
 * node the test process shares, CQL logins as the witness) and a GeminiDB rwuser (the emulator),
 * and a YAML program through the dbpasswords plugin with a GeminiDB rwuser.
 *
 * The emulator checks that a signature's X-Sdk-Date is within 15 minutes of its own clock; the
 * providers sign at the moved time, so that check is switched off here (maxSkewMs).
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { GeminiDbEmulator, TEST_INSTANCE, startEmulator } from "../../harness/geminidb-emulator";
import { RealCassandra, sharedCassandra } from "../../harness/real-cassandra";
import { cqlCanLogin } from "../../harness/cql";
import { CliResult, PulumiProject, dynamicResources, pluginResources } from "../../harness/pulumi-cli";
import { secretValue, waitFor } from "../../harness/support";
import { REPO_ROOT } from "../../harness/tools";
import { assertNoLeak } from "../helpers/leaks";

/** The path of libfaketime.so.1, installed by scripts/install-faketime.sh (cached by the package manager). */
function libfaketime(): string {
  if (!process.env.PDP_LIBFAKETIME) {
    const out = execFileSync("bash", [path.join(REPO_ROOT, "scripts", "install-faketime.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    process.env.PDP_LIBFAKETIME = out.trim().split("\n").pop()!;
  }
  return process.env.PDP_LIBFAKETIME;
}

/**
 * The environment that moves the clock of a CLI run's processes to `instant` (RFC 3339), from
 * which it runs on: FAKETIME is an offset in seconds, the same for every process of the run.
 * Monotonic clocks stay real, so timers and timeouts behave.
 */
function clockAt(instant: string): NodeJS.ProcessEnv {
  const offset = Math.round((Date.parse(instant) - Date.now()) / 1000);
  return {
    LD_PRELOAD: libfaketime(),
    FAKETIME: `${offset >= 0 ? "+" : ""}${offset}`,
    FAKETIME_DONT_FAKE_MONOTONIC: "1",
  };
}

describe("rotation on a calendar through the real CLI, with a moved clock", function () {
  this.timeout(600000);
  const AK = "CALENDARACCESSK1";
  const SK = "Calendar-secret-key/1";
  const outputs: CliResult[] = [];
  const seen: string[] = [SK];
  let emu: GeminiDbEmulator;
  let cassandra: RealCassandra;

  /** `pulumi <args>` with the clock at `instant`; fails with the CLI's output unless it exits 0. */
  const at = async (project: PulumiProject, instant: string, args: string[]) => {
    const r = await project.run(args, { env: clockAt(instant) });
    outputs.push(r);
    assert.strictEqual(r.code, 0, r.all);
    return r;
  };
  /** The stack's outputs, as `pulumi stack output` shows them to an alert or a pipeline. */
  const stackOutputs = async (project: PulumiProject) =>
    JSON.parse((await project.ok(["stack", "output", "--json"])).stdout) as Record<string, string>;
  const puts = () => emu.count("password.put");
  const rwuser = () => emu.instances.get(TEST_INSTANCE)!.password;

  before(async () => {
    libfaketime(); // installed before any clock moves (apt, once per machine)
    const node = sharedCassandra();
    node.catch(() => undefined); // its failure is the await's below
    emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
    emu.maxSkewMs = Number.POSITIVE_INFINITY;
    cassandra = await node;
    seen.push(cassandra.superuser.password);
  });
  after(async () => {
    await emu?.stop();
    assertNoLeak(
      outputs.map((o) => o.all),
      seen,
      "CLI output",
    );
  });

  describe("TypeScript (dynamic resources): a Cassandra role and a GeminiDB rwuser, 02:30 Berlin within an hour", () => {
    let project: PulumiProject;
    const ROLE = "calendar_role";
    /** The state the previous step left (each step starts from it). */
    let last: Record<string, any>;
    /** name -> outputs, secrets in plain text */
    const state = async () => {
      const byName: Record<string, any> = {};
      for (const r of dynamicResources((await project.exportState(true)).json)) {
        byName[String(r.urn).split("::").pop()!] = { ...r.outputs, password: secretValue(r.outputs.password) };
      }
      seen.push(byName.role.password, byName.db.password);
      return (last = byName);
    };
    /** Whether the role refuses `password` within 5 s (the node's credentials cache, harness/real-cassandra.ts). */
    const roleRefuses = (password: string) =>
      waitFor(
        `${ROLE} to refuse a password`,
        async () => !(await cqlCanLogin({ address: cassandra.address }, ROLE, password)),
        5000,
        250,
      ).then(
        () => true,
        () => false,
      );
    const nextRotationAt = async () => {
      const o = await stackOutputs(project);
      return { role: o.roleNextRotationAt, db: o.dbNextRotationAt };
    };

    before(async () => {
      project = new PulumiProject(path.join(__dirname, "schedule-calendar-program"), "calendar", {
        HW_ACCESS_KEY: AK,
        HW_SECRET_KEY: SK,
      });
      await project.init(
        {
          cassandraAddress: cassandra.address,
          instanceId: TEST_INSTANCE,
          endpoint: emu.url,
          rotationSchedule: "30 2 * * *",
          rotationTimeZone: "Europe/Berlin",
          rotationWindowMinutes: "60",
        },
        { cassandraPassword: cassandra.superuser.password },
      );
    });
    after(async () => {
      await project?.run(["destroy", "--yes", "--skip-preview"]);
      await project?.cleanup();
    });

    it("create on 26 March 2027: rotatedAt is the moved clock's, nextRotationAt the next 02:30 in Berlin", async () => {
      await at(project, "2027-03-26T12:00:00Z", ["up", "--yes", "--skip-preview"]);
      const s = await state();
      for (const name of ["role", "db"]) {
        assert.ok(
          Math.abs(Date.parse(s[name].rotatedAt) - Date.parse("2027-03-26T12:00:00Z")) < 120_000,
          `${name} rotatedAt ${s[name].rotatedAt}`,
        );
        assert.strictEqual(s[name].nextRotationAt, "2027-03-27T01:30:00Z", name); // 02:30 CET
      }
      assert.deepStrictEqual(await nextRotationAt(), { role: "2027-03-27T01:30:00Z", db: "2027-03-27T01:30:00Z" });
      assert.strictEqual(rwuser(), s.db.password);
      assert.strictEqual(await cqlCanLogin({ address: cassandra.address }, ROLE, s.role.password), true);
    });

    it("a run after the window (04:00 on the 27th): no change in preview or up, and both say when the next window opens", async () => {
      const before = last;
      const putsBefore = puts();
      const waits = (r: CliResult, kind: string, who: RegExp) =>
        assert.match(
          r.all,
          new RegExp(
            `${who.source}: the password is due for rotation \\(last set ${before.role.rotatedAt.slice(0, 10)}\\S+, ` +
              `rotationSchedule "30 2 \\* \\* \\*" in Europe/Berlin, due at 2027-03-27T01:30:00Z ` +
              `\\(2027-03-27 02:30 Europe/Berlin\\)\\) and waits for the next window, which opens at ` +
              `2027-03-28T01:00:00Z \\(2027-03-28 03:00 Europe/Berlin\\) for 60 minutes: this run changes nothing`,
          ),
          `${kind}:\n${r.all}`,
        );
      const preview = await at(project, "2027-03-27T03:00:00Z", ["preview", "--expect-no-changes"]);
      waits(preview, "preview", /CassandraRolePassword \S+/);
      waits(preview, "preview", /GeminiDbAdminPassword \S+/);
      const up = await at(project, "2027-03-27T03:00:00Z", ["up", "--yes", "--skip-preview"]);
      waits(up, "up", /CassandraRolePassword \S+/);
      assert.doesNotMatch(up.stdout, /updated/);
      const after = await state();
      assert.strictEqual(after.role.password, before.role.password);
      assert.strictEqual(after.db.password, before.db.password);
      assert.strictEqual(puts(), putsBefore, "no reset outside the window");
      assert.deepStrictEqual(await nextRotationAt(), { role: "2027-03-27T01:30:00Z", db: "2027-03-27T01:30:00Z" });
    });

    it("the night the clocks go forward (28 March): 02:30 does not exist, the window opens at 03:00 CEST and the missed night rotates once", async () => {
      const before = last;
      const putsBefore = puts();
      const preview = await at(project, "2027-03-28T01:05:00Z", ["preview", "--diff"]);
      assert.match(preview.stdout, /2 to update/);
      assert.match(
        preview.all,
        /CassandraRolePassword \S+: the password is due for rotation \(last set \S+, rotationSchedule "30 2 \* \* \*" in Europe\/Berlin, due at 2027-03-27T01:30:00Z \(2027-03-27 02:30 Europe\/Berlin\), in the window that opened at 2027-03-28T01:00:00Z \(2027-03-28 03:00 Europe\/Berlin\) for 60 minutes\): this update sets a new generated password/,
      );
      const up = await at(project, "2027-03-28T01:05:00Z", ["up", "--yes", "--skip-preview"]);
      assert.match(up.stdout, /2 updated/);
      const after = await state();
      for (const name of ["role", "db"]) {
        assert.notStrictEqual(after[name].password, before[name].password, name);
        assert.ok(after[name].rotatedAt >= "2027-03-28T01:05:00Z" && after[name].rotatedAt < "2027-03-28T01:10:00Z");
        assert.strictEqual(after[name].nextRotationAt, "2027-03-29T00:30:00Z", name); // 02:30 CEST
      }
      assert.strictEqual(puts(), putsBefore + 1, "one reset");
      assert.strictEqual(rwuser(), after.db.password);
      assert.strictEqual(await cqlCanLogin({ address: cassandra.address }, ROLE, after.role.password), true);
      assert.strictEqual(await roleRefuses(before.role.password), true, "the old password is refused");
      assert.deepStrictEqual(await nextRotationAt(), { role: "2027-03-29T00:30:00Z", db: "2027-03-29T00:30:00Z" });

      // later in the same window: nothing is due any more
      const putsAfter = puts();
      await at(project, "2027-03-28T01:40:00Z", ["preview", "--expect-no-changes"]);
      assert.strictEqual(puts(), putsAfter);
    });

    it("a month end: `0 2 31 * *` rotates on 31 March, and its next moment is 31 May (April has no 31st)", async () => {
      await project.ok(["config", "set", "rotationSchedule", "0 2 31 * *"]);
      const before = last;
      const putsBefore = puts();
      const up = await at(project, "2027-03-31T00:10:00Z", ["up", "--yes", "--skip-preview"]); // 02:10 CEST
      assert.match(up.stdout, /2 updated/);
      const after = await state();
      for (const name of ["role", "db"]) {
        assert.notStrictEqual(after[name].password, before[name].password, name);
        assert.strictEqual(after[name].nextRotationAt, "2027-05-31T00:00:00Z", name);
      }
      assert.strictEqual(puts(), putsBefore + 1);
      assert.strictEqual(await cqlCanLogin({ address: cassandra.address }, ROLE, after.role.password), true);
      assert.deepStrictEqual(await nextRotationAt(), { role: "2027-05-31T00:00:00Z", db: "2027-05-31T00:00:00Z" });
    });
  });

  describe("YAML through the plugin: a GeminiDB rwuser, 02:30 Berlin within an hour", () => {
    let project: PulumiProject;
    const resource = async () => {
      const r = pluginResources((await project.exportState(true)).json)[0].outputs;
      const out = { ...r, password: secretValue(r.password) as string };
      seen.push(out.password);
      return out;
    };

    before(async () => {
      project = new PulumiProject(path.join(__dirname, "schedule-calendar-yaml"), "calendar", {
        HW_ACCESS_KEY: AK,
        HW_SECRET_KEY: SK,
      });
      await project.init({ instanceId: TEST_INSTANCE, endpoint: emu.url }, {});
    });
    after(async () => {
      await project?.run(["destroy", "--yes", "--skip-preview"]);
      await project?.cleanup();
    });

    it("create on 29 October 2027; the night of the 30th is missed; 02:35 CEST on the 31st rotates once", async () => {
      await at(project, "2027-10-29T12:00:00Z", ["up", "--yes", "--skip-preview"]);
      const created = await resource();
      assert.strictEqual(created.nextRotationAt, "2027-10-30T00:30:00Z");
      assert.strictEqual((await stackOutputs(project)).nextRotationAt, "2027-10-30T00:30:00Z");
      const putsBefore = puts();
      const preview = await at(project, "2027-10-31T00:35:00Z", ["preview", "--diff"]);
      assert.match(preview.stdout, /~ nextRotationAt\s*:\s*"2027-10-30T00:30:00Z" => "2027-11-01T01:30:00Z"/);
      assert.match(
        preview.all,
        /GeminiDbAdminPassword \S+: the password is due for rotation \(last set \S+, rotationSchedule "30 2 \* \* \*" in Europe\/Berlin, due at 2027-10-30T00:30:00Z/,
      );
      await at(project, "2027-10-31T00:35:00Z", ["up", "--yes", "--skip-preview"]);
      const rotated = await resource();
      assert.notStrictEqual(rotated.password, created.password);
      assert.strictEqual(rwuser(), rotated.password);
      assert.strictEqual(puts(), putsBefore + 1, "one reset for two scheduled nights");
      // the next 02:30 is 02:30 CET on 1 November, not the repeated 02:30 of this night
      assert.strictEqual(rotated.nextRotationAt, "2027-11-01T01:30:00Z");
      assert.strictEqual((await stackOutputs(project)).nextRotationAt, "2027-11-01T01:30:00Z");
    });

    it("the repeated hour (02:35 CET on 31 October) does not rotate a second time", async () => {
      const putsBefore = puts();
      await at(project, "2027-10-31T01:35:00Z", ["preview", "--expect-no-changes"]);
      const up = await at(project, "2027-10-31T01:35:00Z", ["up", "--yes", "--skip-preview"]);
      assert.doesNotMatch(up.stdout, /updated/);
      assert.strictEqual(puts(), putsBefore);
    });

    it("a run after the window: no change, and the plugin's preview and up say when the next window opens", async () => {
      const before = await resource();
      const putsBefore = puts();
      const waits =
        /GeminiDbAdminPassword \S+: the password is due for rotation \(last set \S+, rotationSchedule "30 2 \* \* \*" in Europe\/Berlin, due at 2027-11-01T01:30:00Z \(2027-11-01 02:30 Europe\/Berlin\)\) and waits for the next window, which opens at 2027-11-02T01:30:00Z \(2027-11-02 02:30 Europe\/Berlin\) for 60 minutes: this run changes nothing/;
      const preview = await at(project, "2027-11-01T03:00:00Z", ["preview", "--expect-no-changes"]);
      assert.match(preview.all, waits);
      const up = await at(project, "2027-11-01T03:00:00Z", ["up", "--yes", "--skip-preview"]);
      assert.match(up.all, waits);
      assert.strictEqual((await resource()).password, before.password);
      assert.strictEqual(puts(), putsBefore);
      assert.strictEqual((await stackOutputs(project)).nextRotationAt, "2027-11-01T01:30:00Z", "overdue: a past time");
    });
  });
});
