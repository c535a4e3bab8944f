/**
 * The seeded chaos soak (scripts/soak.ts; test/reliability/soak.test.ts runs a short one): a
 * random sequence of steps, each rotating several resources of one stack while faults strike at
 * random moments, each followed by the checks of "nothing lost".
 *
 * Two stacks hold the same eight resources (harness/soak/plan.ts, RESOURCES): the TypeScript
 * program's dynamic resources and the Python program's through the dbpasswords plugin. A step
 * (plan.ts, planStep) changes the config or the state of 2 to 5 of them (a new password in
 * config, a new trigger, a due schedule) and runs `pulumi up` while zero or one process fault
 * (the dynamic provider or the plugin killed, the CLI sent SIGINT, SIGTERM, or killed with its
 * whole tree followed by `pulumi cancel`) and zero to two faults of the servers (a restart, a
 * connection dropped or stalled by the proxy, an emulator 5xx, 429 or timeout after the reset
 * took effect) strike, some at a random moment, some in the window where the database took the
 * new password and its answer is held. A failed `up` is followed by a recovery `up` with the
 * same inputs, as a user would run it (the faults of the servers that the cut-short up never
 * reached strike it instead, and another follows if they make it fail; an up that fails with no
 * fault striking it is a failure). Then, with clients independent of the provider's
 * (witness.ts): state's password of every identity logs in, every earlier password of the
 * identities the step rotated is refused, Milvus roles and Cassandra grants are as set up, the
 * emulator holds state's password, no secret is in the plain state export or in any CLI output
 * (as is or in any encoded form redaction knows), no process of the run is left behind, no
 * operation is left pending, and `pulumi preview --expect-no-changes` passes.
 *
 * A lost password: an identity that no known password logs in as, or whose password in state is
 * refused after the recovery.
 */
import * as fs from "fs";
import * as path from "path";
import { CliResult, PulumiProject, dynamicResources, pluginResources, repairFileBackend } from "../pulumi-cli";
import { descendants, dynamicProviderPids, killGroup, secretValue, sleep, waitFor } from "../support";
import { pythonWithSdk } from "../tools";
import { TEST_PROJECT } from "../geminidb-emulator";
import type { HoldProxy } from "../hold-proxy";
import { MILVUS_DEFAULT_ROOT } from "../fixtures";
import { secretForms } from "../../provider/shared/redact";
import {
  FAULT_KINDS,
  PROCESS_FAULTS,
  Face,
  FaultKind,
  RESOURCES,
  ResourceKey,
  Rng,
  EnvFault,
  ProcessFault,
  StepPlan,
  Timing,
  plansFrom,
  proxyOf,
  resourceInfo,
} from "./plan";
import { CASSANDRA_ROLE, MILVUS_ROLE, World, startWorld } from "./world";
import { CassandraAuth, cassandraAuth, cqlLogin, pymilvusWitness, redisAuth, scrub } from "./witness";

export interface SoakOptions {
  seed: string;
  /** Steps run until this many rotations have happened (a rotation: one resource's password changed). */
  rotations: number;
  /** The first step (1-based): `--from-step K` reproduces step K's plan on fresh servers and stacks. */
  fromStep?: number;
  /** At most this many steps. */
  maxSteps?: number;
  /** Scales how often faults come (plan.ts); 1 by default. */
  faultRate?: number;
  /** Go on after a failed check (by default the run stops at the first, to keep its evidence). */
  keepGoing?: boolean;
  /** Where progress goes (default: stdout). */
  log?: (line: string) => void;
  /**
   * Random moments fall at this fraction of what the plan says (default 1): the short test run
   * strikes earlier in the operations, so that its faults land before a quick up is over.
   */
  momentScale?: number;
  /** Logs the output of every faulted up (scrubbed of secrets). */
  verbose?: boolean;
  /** Aborts the run (Ctrl-C): the running CLI is killed, everything is stopped. */
  signal?: AbortSignal;
}

export interface Failure {
  step: number;
  check: string;
  detail: string;
}

export interface SoakReport {
  seed: string;
  fromStep: number;
  steps: number;
  rotations: number;
  rotationsBy: Record<string, number>;
  faults: Record<FaultKind, { planned: number; delivered: number }>;
  /** Process faults delivered in the window / at a random moment. */
  inWindow: number;
  atRandom: number;
  failedUps: number;
  recoveries: number;
  cancels: number;
  /** Empty `.attrs` of Pulumi's file backend removed after a killed CLI (pulumi-cli.ts, repairFileBackend). */
  backendRepairs: number;
  lost: number;
  failures: Failure[];
  wallMs: number;
  aborted: boolean;
}

/** One resource as state has it. */
interface ResState {
  password: string;
  standbyPassword?: string;
  /** With a standby: the active identity, and both names. */
  active?: string;
  names: string[];
  seed?: string;
}

/** An identity and every password it has had (the last one is state's). */
interface Identity {
  id: string;
  db: "milvus" | "cassandra" | "redis";
  /** user or role name; for Redis, the server's address */
  name: string;
  history: string[];
}

class StepFailure extends Error {}

const STATE_ROTATE_DAYS = 30;
const DAY_MS = 86_400_000;

/** The dbpasswords plugin processes below `root`. */
function pluginPids(root: number): number[] {
  return descendants(root)
    .filter((p) => /\bnode\b/.test(p.args) && /dist\/plugin\/start\.js/.test(p.args))
    .map((p) => p.pid);
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Processes whose environment carries `mark` (every process a CLI of this run started). */
function markedProcesses(mark: string): Array<{ pid: number; args: string }> {
  const out: Array<{ pid: number; args: string }> = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/environ`, "latin1").includes(mark)) continue;
      if (!alive(Number(entry))) continue;
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" ").trim();
      out.push({ pid: Number(entry), args });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** The first form of any secret found in `text`, with what surrounds it (the secret masked). */
function findLeak(text: string, secrets: Iterable<string>): string | undefined {
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of secretForms(secret)) {
      const at = text.indexOf(form);
      if (at >= 0) {
        return text
          .slice(Math.max(0, at - 200), at + form.length + 80)
          .split(form)
          .join("<SECRET>");
      }
    }
  }
  return undefined;
}

const nameOf = (urn: string) => String(urn).split("::").pop()!;
const keyOfName = (name: string) => RESOURCES.find((r) => r.name === name)?.key;

/** One stack: its project, what its config holds, and what it last looked like. */
class Stack {
  readonly project: PulumiProject;
  /** Resources with a password in config. */
  readonly given = new Set<ResourceKey>();
  state?: Record<ResourceKey, ResState>;
  /** The usual time from the provider's start to an up's end (moving average): faults strike at fractions of it. */
  opsMs = 3000;

  constructor(
    readonly face: Face,
    readonly prefix: string,
    dir: string,
    stackName: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.project = new PulumiProject(dir, stackName, env);
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const fromStep = options.fromStep ?? 1;
  const scale = options.momentScale ?? 1;
  const t0 = Date.now();
  const report: SoakReport = {
    seed: options.seed,
    fromStep,
    steps: 0,
    rotations: 0,
    rotationsBy: {},
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, { planned: 0, delivered: 0 }])) as SoakReport["faults"],
    inWindow: 0,
    atRandom: 0,
    failedUps: 0,
    recoveries: 0,
    cancels: 0,
    backendRepairs: 0,
    lost: 0,
    failures: [],
    wallMs: 0,
    aborted: false,
  };
  const mark = `PDP_SOAK_RUN=${process.pid}-${Date.now()}`;
  const secrets = new Set<string>();
  const identities = new Map<string, Identity>();
  const running = new Set<number>(); // CLI process groups running now
  const onAbort = () => {
    report.aborted = true;
    for (const pid of running) {
      for (const p of descendants(pid)) killGroup(p.pid, "SIGKILL");
      killGroup(pid, "SIGKILL");
    }
  };
  options.signal?.addEventListener("abort", onAbort);

  const { modes, next } = plansFrom(options.seed, fromStep, { faultRate: options.faultRate });
  let world: World | undefined;
  const stacks: Partial<Record<Face, Stack>> = {};
  /**
   * Restarts that found no up to strike in their step (every up of it was over before their
   * moment came): the next step's first up gets them, as soon as its provider appears.
   */
  let carried: EnvFault[] = [];
  let stepNo = fromStep - 1;
  let outputs: CliResult[] = []; // this step's CLI outputs, for the leak check
  let baselineOf: { milvus: any; cassandra: CassandraAuth } | undefined;

  const fail = (check: string, detail: string): never => {
    throw new StepFailure(`${check}: ${detail}`, { cause: { check, detail } });
  };
  const record = (r: CliResult) => (outputs.push(r), r);
  const cli = async (stack: Stack, args: string[], input?: string) => {
    const { child, done } = stack.project.start(args, { input });
    running.add(child.pid!);
    try {
      const r = record(await done);
      if (options.signal?.aborted) throw new Error("aborted");
      return r;
    } finally {
      running.delete(child.pid!);
    }
  };
  const cliOk = async (stack: Stack, args: string[], input?: string) => {
    const r = await cli(stack, args, input);
    if (r.code !== 0) fail(`pulumi ${args[0]}`, `pulumi ${args.join(" ")} exited ${r.code}:\n${tail(r.all)}`);
    return r;
  };
  const tail = (text: string, lines = 40) => scrub(text.trimEnd().split("\n").slice(-lines).join("\n"), [...secrets]);

  try {
    await setUp();
  } catch (err) {
    const cause = err instanceof StepFailure ? (err.cause as { check: string; detail: string }) : undefined;
    report.failures.push({
      step: 0,
      check: `setup: ${cause?.check ?? "servers"}`,
      detail: cause?.detail ?? scrub(String((err as Error).stack ?? err), [...secrets]),
    });
    await tearDown();
    return report;
  }
  try {
    await runSteps();
  } finally {
    await tearDown();
  }
  return report;

  async function tearDown() {
    options.signal?.removeEventListener("abort", onAbort);
    for (const stack of Object.values(stacks)) {
      await stack?.project.cleanup().catch(() => undefined);
    }
    for (const p of markedProcesses(mark)) killGroup(p.pid, "SIGKILL");
    await world?.stop();
    report.wallMs = Date.now() - t0;
  }

  async function setUp() {
    if (options.signal?.aborted) throw new Error("aborted");
    log(`soak: seed ${options.seed}, from step ${fromStep}, until ${options.rotations} rotations`);
    world = await startWorld(log);
    for (const s of world.secrets()) secrets.add(s);
    for (const r of world.redisServers) secrets.add(r.password);
    secrets.add("Soak-rw~initial0");
    const w = world;
    const python = pythonWithSdk();

    // ---- the two stacks, in the modes step `fromStep` starts in
    const setupRng = new Rng(`${options.seed}/setup`);
    const stackName = `soak-${process.pid}`;
    for (const face of ["ts", "py"] as const) {
      const env: NodeJS.ProcessEnv = {
        HW_ACCESS_KEY: w.ak,
        HW_SECRET_KEY: w.sk,
        PDP_SOAK_RUN: mark.slice(mark.indexOf("=") + 1),
        ...(face === "py" ? { PULUMI_PYTHON_CMD: python } : {}),
      };
      const dir = path.join(__dirname, face === "ts" ? "ts-program" : "python-program");
      stacks[face] = new Stack(face, face === "ts" ? "st" : "sp", dir, stackName, env);
    }
    const all = () => (["ts", "py"] as const).map((f) => stacks[f]!);
    await Promise.all(
      all().map(async (stack) => {
        const face = stack.face;
        await cliOk(stack, ["stack", "init", stack.project.stack]);
        const plain: Record<string, string> = {
          prefix: stack.prefix,
          rotateAfterDays: String(STATE_ROTATE_DAYS),
          milvusAddress: w.milvusProxy.address,
          cassandraAddress: w.cqlProxy.address,
          endpoint: w.emu.url,
          projectId: TEST_PROJECT,
        };
        for (const r of RESOURCES) plain[`${r.key}Trigger`] = "s0";
        for (const key of ["geminiA", "geminiB"] as const) {
          const inst = w.instances[`${face}:${key}`];
          plain[`${key}Instance`] = inst.id;
          plain[`${key}Proof`] = inst.proof;
          plain[`${key}Address`] = inst.redis ? inst.redis.address : w.cqlProxy.address;
        }
        await cliOk(stack, [
          "config",
          "set-all",
          ...Object.entries(plain).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]),
        ]);
        await cliOk(stack, ["config", "set", "--secret", "milvusRootPassword"], w.rootPassword);
        await cliOk(stack, ["config", "set", "--secret", "cassandraPassword"], w.superuser.password);
        for (const r of RESOURCES) {
          if (modes[face][r.key] !== "given") continue;
          const pw = `Sk-0~${setupRng.word(6)}${setupRng.int(10, 99)}`;
          secrets.add(pw);
          await cliOk(stack, ["config", "set", "--secret", `${r.key}Password`], pw);
          stack.given.add(r.key);
        }
        await cliOk(stack, ["up", "--yes", "--non-interactive", "--skip-preview"]);
      }),
    );
    for (const stack of all()) await readStack(stack);
    log("stacks: created");

    // ---- what the identities hold besides their passwords: set up once, then held to it
    const milvusUsers = [...identities.values()].filter((i) => i.db === "milvus").map((i) => i.name);
    const cassandraRoles = [...identities.values()].filter((i) => i.db === "cassandra").map((i) => i.name);
    const { cqlAs } = await import("../cql");
    await cqlAs(
      { address: w.cassandra.address },
      w.superuser,
      cassandraRoles
        .filter((r) => r !== "rwuser")
        .flatMap((r) => [`GRANT ${CASSANDRA_ROLE} TO ${r}`, `GRANT SELECT ON KEYSPACE soak_ks TO ${r}`]),
    );
    const { pymilvusSetup } = await import("../pymilvus");
    await pymilvusSetup(w.milvus.address, [MILVUS_DEFAULT_ROOT.username, w.rootPassword], {
      bind: Object.fromEntries(milvusUsers.map((u) => [u, [MILVUS_ROLE]])),
    });
    const baseline = (baselineOf = {
      milvus: await pymilvusWitness(w.milvus.address, ["root", w.rootPassword], [], milvusUsers),
      cassandra: await cassandraAuth(w.cassandra.address, w.superuser, cassandraRoles),
    });
    for (const u of milvusUsers) {
      if (baseline.milvus.userRoles[u]?.join() !== MILVUS_ROLE) {
        throw new Error(`setting up: Milvus user ${u} has roles ${baseline.milvus.userRoles[u]}`);
      }
    }
    outputs = [];
    await checkWorld(new Set(identities.keys()), baseline);
    log("setup: checked (every identity logs in with state's password; roles and grants recorded)");
  }

  async function runSteps() {
    const baseline = baselineOf!;
    let steps = 0;
    while (report.rotations < options.rotations && !options.signal?.aborted) {
      if (options.maxSteps !== undefined && steps >= options.maxSteps) break;
      const plan = next();
      stepNo = plan.step;
      steps++;
      report.steps++;
      outputs = [];
      try {
        await runStep(plan, baseline);
      } catch (err) {
        if (options.signal?.aborted) break;
        const cause = err instanceof StepFailure ? (err.cause as { check: string; detail: string }) : undefined;
        const failure: Failure = cause
          ? { step: plan.step, check: cause.check, detail: cause.detail }
          : { step: plan.step, check: "soak", detail: scrub(String((err as Error).stack ?? err), [...secrets]) };
        report.failures.push(failure);
        log(`step ${plan.step}: FAILED ${failure.check}: ${failure.detail}`);
        log(`  reproduce: --seed ${options.seed} --from-step ${plan.step}`);
        if (!options.keepGoing) break;
        // go on from whatever the stack holds now: one more up, with no fault
        await resync(stacks[plan.face]!).catch((e) => log(`  could not go on: ${(e as Error).message}`));
      }
    }
    if (!options.signal?.aborted && report.failures.length === 0) {
      // at the end, every earlier password of every identity, not only those of the last step's
      outputs = [];
      try {
        await checkWorld(new Set(identities.keys()), baseline);
        log("end: every earlier password of every identity is refused");
      } catch (err) {
        const cause = err instanceof StepFailure ? (err.cause as { check: string; detail: string }) : undefined;
        report.failures.push({
          step: stepNo,
          check: cause?.check ?? "final sweep",
          detail: cause?.detail ?? String(err),
        });
      }
    }
  }

  // ---------------------------------------------------------------- the pieces

  /** Reads a stack's state (secrets shown): each resource's passwords; new ones join the identities' histories. */
  async function readStack(stack: Stack): Promise<Record<ResourceKey, ResState>> {
    const exported = await stack.project.exportState(true);
    const byKey = {} as Record<ResourceKey, ResState>;
    const resources = stack.face === "ts" ? dynamicResources(exported.json) : pluginResources(exported.json);
    for (const r of resources) {
      const key = keyOfName(nameOf(r.urn));
      if (!key) continue;
      const o = r.outputs;
      const s: ResState = {
        password: secretValue(o.password) as string,
        standbyPassword: secretValue(o.standbyPassword) as string | undefined,
        seed: secretValue(o.passwordSeed) as string | undefined,
        names: [],
      };
      const info = resourceInfo(key);
      if (info.db === "milvus") s.names = [o.user, ...(o.standbyUser ? [o.standbyUser] : [])];
      if (info.db === "cassandra") s.names = [o.role, ...(o.standbyRole ? [o.standbyRole] : [])];
      if (info.pair) s.active = o.activeUser ?? o.activeRole;
      for (const v of [s.password, s.standbyPassword, s.seed]) if (v) secrets.add(v);
      byKey[key] = s;
    }
    for (const r of RESOURCES) if (!byKey[r.key]) fail("state", `${stack.face} stack: no resource ${r.name} in state`);
    stack.state = byKey;
    for (const r of RESOURCES) {
      for (const [identity, password] of identitiesOf(stack, r.key)) {
        const known = identities.get(identity.id) ?? identity;
        identities.set(identity.id, known);
        if (known.history[known.history.length - 1] !== password) {
          known.history = known.history.filter((p) => p !== password);
          known.history.push(password);
        }
      }
    }
    return byKey;
  }

  /** The identities behind a resource, each with the password state says it has now. */
  function identitiesOf(stack: Stack, key: ResourceKey): Array<[Identity, string]> {
    const s = stack.state![key];
    const info = resourceInfo(key);
    const make = (db: Identity["db"], name: string): Identity => ({ id: `${db}:${name}`, db, name, history: [] });
    if (info.db === "gemini") {
      const inst = world!.instances[`${stack.face}:${key}`];
      return [[inst.redis ? make("redis", inst.redis.address) : make("cassandra", "rwuser"), s.password]];
    }
    const db = info.db;
    if (!info.pair) return [[make(db, s.names[0]), s.password]];
    const standby = s.names.find((n) => n !== s.active)!;
    return [
      [make(db, s.active!), s.password],
      [make(db, standby), s.standbyPassword!],
    ];
  }

  /**
   * Asks each database, with the witnesses, whether the identities' passwords log in:
   * `current` (state's), and for the `deep` identities every earlier one (all must be refused).
   * Returns, per identity id, state's answer and the earlier passwords that logged in, and what
   * pymilvus says of the Milvus users' roles (asked in the same process).
   */
  async function logins(deep: Set<string>): Promise<{
    answers: Map<string, { current: boolean; stale: number[] }>;
    milvus: Awaited<ReturnType<typeof pymilvusWitness>>;
  }> {
    const w = world!;
    const out = new Map<string, { current: boolean; stale: number[] }>();
    const milvusAsks: Array<[string, string]> = [];
    const milvusWho: Array<[string, number]> = []; // identity id, history index (-1: current)
    for (const id of identities.values()) {
      const entry = { current: false, stale: [] as number[] };
      out.set(id.id, entry);
      if (id.db !== "milvus") continue;
      milvusAsks.push([id.name, id.history[id.history.length - 1]]);
      milvusWho.push([id.id, -1]);
      if (!deep.has(id.id)) continue;
      id.history.slice(0, -1).forEach((pw, i) => (milvusAsks.push([id.name, pw]), milvusWho.push([id.id, i])));
    }
    // pymilvus asks while the CQL and Redis logins go on
    const milvusUsers = [...identities.values()].filter((i) => i.db === "milvus").map((i) => i.name);
    const milvusAsked = pymilvusWitness(w.milvus.address, ["root", w.rootPassword], milvusAsks, milvusUsers);
    milvusAsked.catch(() => undefined);
    for (const id of identities.values()) {
      if (id.db === "milvus") continue;
      const entry = out.get(id.id)!;
      const current = id.history[id.history.length - 1];
      const earlier = deep.has(id.id) ? id.history.slice(0, -1) : [];
      const ask =
        id.db === "cassandra"
          ? (pw: string) => cqlLogin(w.cassandra.address, id.name, pw)
          : (pw: string) => redisAuth(id.name, pw);
      // Cassandra's credentials cache lets a changed password in, and a new one not yet, for about
      // a second after ALTER ROLE: an answer that differs from the expected one is asked again
      // for up to 5 s. (The provider's own proof waits for the same.)
      const settle = async (pw: string, expected: boolean) => {
        const deadline = Date.now() + (id.db === "cassandra" ? 5000 : 0);
        for (;;) {
          const ok = await ask(pw);
          if (ok === expected || Date.now() >= deadline) return ok;
          await sleep(250);
        }
      };
      entry.current = await settle(current, true);
      for (const [i, pw] of earlier.entries()) if (await settle(pw, false)) entry.stale.push(i);
    }
    const milvus = await milvusAsked;
    for (const [i, ok] of milvus.logins.entries()) {
      if (ok instanceof Error)
        return fail("milvus witness", `pymilvus could not ask: ${scrub(ok.message, [...secrets])}`);
      const [id, at] = milvusWho[i];
      if (at < 0) out.get(id)!.current = ok;
      else if (ok) out.get(id)!.stale.push(at);
    }
    return { answers: out, milvus };
  }

  /**
   * The checks of both stacks' identities: state's password logs in (else: lost), the earlier
   * passwords of `deep` identities are refused, the emulator holds state's password, roles and
   * grants are as set up.
   */
  async function checkWorld(deep: Set<string>, baseline: { milvus: any; cassandra: CassandraAuth }) {
    const w = world!;
    const { answers, milvus } = await logins(deep);
    const lost: string[] = [];
    const stale: string[] = [];
    for (const [idKey, a] of answers) {
      const id = identities.get(idKey)!;
      if (!a.current) {
        // is it at least reachable with a password we know? (for the report: either way it is lost)
        const known = await logins(new Set([idKey]));
        const any = known.answers.get(idKey)!.stale.length > 0;
        const also = any ? " (an earlier password logs in)" : "; no known password logs in";
        lost.push(`${id.id}: state's password is refused${also}`);
      }
      if (a.stale.length)
        stale.push(`${id.id}: ${a.stale.length} earlier password(s) still log in (of ${id.history.length - 1})`);
    }
    if (lost.length) {
      report.lost += lost.length;
      fail("lost password", lost.join("; "));
    }
    if (stale.length) fail("earlier password logs in", stale.join("; "));
    for (const stack of Object.values(stacks)) {
      for (const key of ["geminiA", "geminiB"] as const) {
        const inst = w.instances[`${stack!.face}:${key}`];
        const emuPassword = w.emu.instances.get(inst.id)?.password;
        if (emuPassword !== stack!.state![key].password) {
          fail("emulator", `${stack!.face} ${key}: the emulator's instance holds another password than state`);
        }
        if (inst.redis && inst.redis.password !== emuPassword) {
          fail("redis", `${stack!.face} ${key}: the Redis server's password is not the emulator's`);
        }
      }
    }
    for (const u of Object.keys(baseline.milvus.userRoles)) {
      if (JSON.stringify(milvus.userRoles[u]) !== JSON.stringify(baseline.milvus.userRoles[u])) {
        fail(
          "milvus roles",
          `${u} has roles ${JSON.stringify(milvus.userRoles[u])}, not ${JSON.stringify(baseline.milvus.userRoles[u])}`,
        );
      }
    }
    if (JSON.stringify(milvus.grants) !== JSON.stringify(baseline.milvus.grants)) {
      fail("milvus grants", `${JSON.stringify(milvus.grants)} instead of ${JSON.stringify(baseline.milvus.grants)}`);
    }
    const roles = Object.keys(baseline.cassandra.roles);
    const auth = await cassandraAuth(w.cassandra.address, w.superuser, roles);
    if (JSON.stringify(auth) !== JSON.stringify(baseline.cassandra)) {
      fail("cassandra grants", `${JSON.stringify(auth)} instead of ${JSON.stringify(baseline.cassandra)}`);
    }
  }

  /** The plain state export and pending operations of a stack; its text must hold no secret. */
  async function auditExport(stack: Stack) {
    const plain = await stack.project.exportState(false);
    const leak = findLeak(plain.text, secrets);
    if (leak) fail("secret in state", `the plain export of the ${stack.face} stack holds a secret: ...${leak}...`);
    const pending = (plain.json.deployment?.pending_operations ?? []).map(
      (p: any) => `${p.type} ${nameOf(p.resource?.urn)}`,
    );
    if (pending.length) fail("pending operations", `${stack.face} stack: ${pending.join(", ")}`);
  }

  /** Waits for every process of the run to end (30 s); kills what is left and fails. */
  async function noneLeft(why: string) {
    try {
      await waitFor("", () => markedProcesses(mark).length === 0, 30000, 250);
    } catch {
      const left = markedProcesses(mark);
      for (const p of left) killGroup(p.pid, "SIGKILL");
      if (left.length)
        fail("process left behind", `${why}: ${left.map((p) => `${p.pid} ${p.args.slice(0, 120)}`).join("; ")}`);
    }
  }

  /** After a failure, with --keep-going: one up with no fault on the stack's config as it is; its state read again. */
  async function resync(stack: Stack) {
    outputs = [];
    await noneLeft("before going on");
    if (repairBackend(stack)) report.backendRepairs++;
    if (hasLock(stack)) await cli(stack, ["cancel", "--yes"]);
    await cli(stack, ["up", "--yes", "--non-interactive", "--skip-preview"]);
    await readStack(stack);
  }

  /** Whether the stack's file backend had an empty `.attrs` (now removed: repairFileBackend). */
  function repairBackend(stack: Stack): boolean {
    return repairFileBackend(stack.project.stateDir) > 0;
  }

  function hasLock(stack: Stack): boolean {
    const locks = path.join(stack.project.stateDir, ".pulumi", "locks");
    return fs.existsSync(locks) && fs.readdirSync(locks, { recursive: true }).some((f) => String(f).endsWith(".json"));
  }

  /** Moves `rotatedAt` of `keys` more than rotateAfterDays back, and imports the state. */
  async function makeDue(stack: Stack, keys: ResourceKey[]) {
    const exported = await stack.project.exportState(false);
    const resources = stack.face === "ts" ? dynamicResources(exported.json) : pluginResources(exported.json);
    for (const r of resources) {
      const key = keyOfName(nameOf(r.urn));
      if (!key || !keys.includes(key)) continue;
      const back = new Date(Date.parse(r.outputs.rotatedAt) - (STATE_ROTATE_DAYS + 1) * DAY_MS)
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z");
      r.inputs.rotatedAt = back;
      r.outputs.rotatedAt = back;
    }
    const file = path.join(stack.project.stateDir, "soak-due.json");
    fs.writeFileSync(file, JSON.stringify(exported.json));
    try {
      await cliOk(stack, ["stack", "import", "--file", file]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /** What the proxy sees of a resource's change: a pattern in the request that makes it. */
  function changePattern(stack: Stack, key: ResourceKey, password?: string): Buffer {
    const s = stack.state![key];
    const info = resourceInfo(key);
    // the identity that gets the new password: the standby of a pair, else the one
    const target = info.pair ? s.names.find((n) => n !== s.active)! : s.names[0];
    if (info.db === "cassandra") return Buffer.from(`ALTER ROLE "${target}" WITH PASSWORD`);
    // Milvus: a given password travels base64-encoded in UpdateCredential; a generated one is
    // unknown in advance, but the user's name travels plain in that request and in none before it
    if (password) return Buffer.from(Buffer.from(password, "utf8").toString("base64"), "ascii");
    return Buffer.from(target);
  }

  function proxyFor(key: ResourceKey): HoldProxy {
    return proxyOf(key) === "milvus" ? world!.milvusProxy : world!.cqlProxy;
  }

  /** Runs `pulumi up` with the plan's faults; returns its result and whether the CLI was killed. */
  async function faultedUp(
    stack: Stack,
    plan: StepPlan,
    pf: ProcessFault | undefined,
    env: EnvFault[],
  ): Promise<{
    result: CliResult;
    killedCli: boolean;
    struck: string[];
    ms: number;
    missed: EnvFault[];
    /** Whether `pf` struck this up. */
    processStruck: boolean;
  }> {
    const w = world!;
    const emu = w.emu;
    const struck: string[] = [];
    const started = Date.now();
    const delivered = (kind: FaultKind, timed = false) => {
      report.faults[kind].delivered++;
      struck.push(timed ? `${kind} at ${((Date.now() - started) / 1000).toFixed(1)} s` : kind);
    };
    const timers: NodeJS.Timeout[] = [];
    const background: Array<Promise<void>> = [];
    const restartErrors: string[] = [];
    const afterwards: Array<() => void> = [];
    const rotation = (key: ResourceKey) => plan.rotations.find((r) => r.key === key)!;
    let finished = false;

    // faults of the servers, armed before the up starts (restarts: timed once it has)
    const timed: Array<{ fault: EnvFault; run: () => Promise<void> }> = [];
    const hit = new Set<EnvFault>();
    const envStruck = (f: EnvFault, timed = false) => (hit.add(f), delivered(f.kind, timed));
    let releaseWindow = () => {};
    for (const f of env) {
      switch (f.kind) {
        case "restart-milvus":
          timed.push({ fault: f, run: () => w.restartMilvus() });
          break;
        case "restart-cassandra":
          timed.push({ fault: f, run: () => w.restartCassandra() });
          break;
        case "restart-redis": {
          const server = w.instances[`${stack.face}:${f.target!}`].redis!;
          timed.push({ fault: f, run: () => w.restartRedis(server) });
          break;
        }
        case "proxy-drop": {
          const proxy = proxyFor(f.target!);
          void proxy.arm(changePattern(stack, f.target!, rotation(f.target!).password)).then(async () => {
            await sleep(50 + f.fraction! * 300);
            if (finished) return; // (the next up may have armed this proxy already)
            proxy.release();
            envStruck(f, true);
          });
          afterwards.push(() => proxy.release());
          break;
        }
        case "proxy-stall": {
          const proxy = proxyFor(f.target!);
          const pattern = changePattern(stack, f.target!, rotation(f.target!).password);
          proxy.count(pattern);
          proxy.faultOnce(pattern, { kind: f.stall! });
          afterwards.push(() => {
            if (proxy.counted > 0) envStruck(f);
            // an unused fault is replaced by one no request can carry (HoldProxy has no way to clear it)
            else
              proxy.faultOnce(Buffer.from(`no request carries this ${Date.now()} ${Math.random()}`), { kind: "hang" });
            proxy.count(Buffer.from(`counting nothing ${Math.random()}`));
          });
          break;
        }
        case "emulator-5xx":
        case "emulator-429":
        case "emulator-timeout": {
          const fault =
            f.kind === "emulator-timeout"
              ? { kind: "applyThenDelay" as const, ms: 7000 }
              : f.kind === "emulator-429"
                ? {
                    kind: "status" as const,
                    status: 429,
                    code: "APIG.0308",
                    msg: "The request is throttled.",
                    retryAfter: "1",
                  }
                : {
                    kind: "status" as const,
                    status: f.status!,
                    code: "DBS.280005",
                    msg: "Server error. Try again later.",
                  };
          const n = f.kind === "emulator-timeout" ? 1 : f.count!;
          const before = emu.count("password.put");
          emu.inject("password.put", ...Array(n).fill(fault));
          afterwards.push(() => {
            if (emu.count("password.put") > before) envStruck(f);
          });
          break;
        }
      }
    }

    // the process fault's trigger: a moment, or the window
    let windowOpen: Promise<void> | undefined;
    if (pf) {
      if ("window" in pf.timing) {
        const key = pf.timing.window;
        if (resourceInfo(key).db === "gemini") {
          const inst = w.instances[`${stack.face}:${key}`];
          const hold = { kind: "applyThenDelay" as const, ms: 60000 };
          emu.inject("password.put", hold);
          // a window that never opened (the up ended first) leaves no held reset to a later up
          afterwards.push(() => emu.withdraw("password.put", hold));
          windowOpen = new Promise<void>((resolve) => {
            emu.onApplied = (id) => {
              if (id === inst.id) resolve();
            };
          });
          afterwards.push(() => (emu.onApplied = undefined));
        } else {
          const proxy = proxyFor(key);
          windowOpen = proxy.arm(changePattern(stack, key, rotation(key).password));
          releaseWindow = () => proxy.release();
          afterwards.push(releaseWindow);
        }
      }
    }

    const { child, done } = stack.project.start(["up", "--yes", "--non-interactive", "--skip-preview"]);
    const cliPid = child.pid!;
    running.add(cliPid);
    void done.then(() => (finished = true));
    const providerPids = () => (stack.face === "ts" ? dynamicProviderPids(cliPid) : pluginPids(cliPid));

    let killedCli = false;
    let processStruck = false;
    const strike = async () => {
      if (finished || !pf) return;
      switch (pf.kind) {
        case "kill-provider":
        case "kill-plugin": {
          const pids = providerPids();
          if (!pids.length) return;
          for (const pid of pids) {
            try {
              process.kill(pid, "SIGKILL");
            } catch {
              // gone
            }
          }
          break;
        }
        case "cli-sigint":
        case "cli-sigterm":
          try {
            process.kill(cliPid, pf.kind === "cli-sigint" ? "SIGINT" : "SIGTERM");
          } catch {
            return;
          }
          break;
        case "cli-sigkill": {
          // what a CI runner does when it cancels a job: every process of the run dies
          const tree = descendants(cliPid);
          killGroup(cliPid, "SIGKILL");
          for (const p of tree) {
            try {
              process.kill(p.pid, "SIGKILL");
            } catch {
              // gone
            }
          }
          killedCli = true;
          await waitFor("every process of the killed run to end", () => tree.every((p) => !alive(p.pid)), 20000);
          break;
        }
      }
      delivered(pf.kind, true);
      processStruck = true;
      if ("window" in pf.timing) report.inWindow++;
      else report.atRandom++;
    };
    let striking: Promise<void> | undefined;
    const startStrike = () => (striking ??= strike().catch((e) => log(`  strike failed: ${(e as Error).message}`)));

    // Faults at a moment are timed from when the provider (or the plugin) process appears, as a
    // fraction of the usual time from then to the end of the up: the moments that matter are
    // those of the resource operations, not of the program's start.
    let providerAt: number | undefined;
    const onProvider = () => {
      providerAt = Date.now();
      for (const t of timed) {
        timers.push(
          setTimeout(
            () => {
              if (finished) return; // the up is over: this fault would strike nothing
              envStruck(t.fault, true);
              background.push(
                t.run().catch((err) => void restartErrors.push(`${t.fault.kind}: ${(err as Error).message}`)),
              );
            },
            t.fault.fraction! * scale * stack.opsMs,
          ),
        );
      }
      if (pf && "fraction" in pf.timing) timers.push(setTimeout(startStrike, pf.timing.fraction * scale * stack.opsMs));
    };
    const watch = setInterval(() => {
      if (finished || providerAt !== undefined) return clearInterval(watch);
      if (providerPids().length) {
        clearInterval(watch);
        onProvider();
      }
    }, 200);
    if (pf && windowOpen) {
      void windowOpen.then(async () => {
        // the database took the change (the proxy forwarded it, or the emulator applied it);
        // give it a moment, then strike while its answer is held
        await sleep(300);
        await startStrike();
        // the held answers go now (after SIGINT or SIGTERM, the CLI may still be finishing)
        if (!finished) releaseWindow();
      });
    }

    const result = record(await done);
    clearInterval(watch);
    if (options.verbose)
      log(`  the faulted up (ops ${providerAt ? Date.now() - providerAt : "?"} ms):\n${tail(result.all, 60)}`);
    for (const t of timers) clearTimeout(t);
    await striking; // a strike under way finishes (the wait for a killed tree to end, say)
    running.delete(cliPid);
    await Promise.all(background);
    for (const a of afterwards) a();
    // a server that does not come back is the soak's failure, not the provider's: say so
    if (restartErrors.length)
      fail("server restart", `a server the soak restarted did not come back: ${restartErrors.join("; ")}`);
    // faults left queued on the emulator go (its fault queue has no public way to be emptied)
    emu["faults"].delete("password.put");
    if (options.signal?.aborted) throw new Error("aborted");
    // an up that no process fault cut short tells how long the operations of an up take
    if (providerAt !== undefined && !struck.some((k) => PROCESS_FAULTS.some((p) => k.startsWith(p)))) {
      stack.opsMs = Math.round(stack.opsMs * 0.7 + (Date.now() - providerAt) * 0.3);
    }
    return {
      result,
      killedCli,
      struck,
      ms: Date.now() - started,
      missed: env.filter((f) => !hit.has(f)),
      processStruck,
    };
  }

  /** One step: the plan's changes, the faulted up, the recovery, the checks. */
  async function runStep(plan: StepPlan, baseline: { milvus: any; cassandra: CassandraAuth }) {
    const stack = stacks[plan.face]!;
    const before = stack.state!;
    const desc = plan.rotations.map((r) => `${r.key}:${r.kind}`).join(" ");
    const when = (t: Timing) => ("window" in t ? `window(${t.window})` : t.fraction.toFixed(2));
    // a restart carried from the step before strikes this one's up (a Redis restart only when
    // this stack has that instance's server)
    const fromBefore = carried.filter(
      (f) => f.kind !== "restart-redis" || world!.instances[`${plan.face}:${f.target!}`]?.redis,
    );
    carried = [];
    const faults = [
      ...(plan.process ? [`${plan.process.kind}@${when(plan.process.timing)}`] : []),
      ...plan.env.map((f) => `${f.kind}${f.target ? `(${f.target})` : ""}`),
      ...fromBefore.map((f) => `${f.kind}${f.target ? `(${f.target})` : ""} from the step before`),
    ];
    log(`step ${plan.step}: ${plan.face} ${desc}${faults.length ? ` | faults: ${faults.join(", ")}` : ""}`);
    const t0 = Date.now();

    // the changes: secrets in config, triggers, due schedules
    const triggers: string[] = [];
    const removals: string[] = [];
    const due: ResourceKey[] = [];
    for (const r of plan.rotations) {
      if (r.kind === "config") {
        secrets.add(r.password!);
        await cliOk(stack, ["config", "set", "--secret", `${r.key}Password`], r.password!);
        stack.given.add(r.key);
        continue;
      }
      if (stack.given.has(r.key)) {
        removals.push(`${r.key}Password`);
        stack.given.delete(r.key);
      }
      if (r.kind === "trigger") triggers.push(`${r.key}Trigger=${plan.trigger}`);
      else due.push(r.key);
    }
    if (removals.length) await cliOk(stack, ["config", "remove-all", ...removals]);
    if (triggers.length) await cliOk(stack, ["config", "set-all", ...triggers.flatMap((t) => ["--plaintext", t])]);
    if (due.length) await makeDue(stack, due);

    // The up, with its faults. A failed up is followed by another with the same inputs, as a
    // user would run it; the faults of the servers that found nothing to strike in the up before
    // (it was cut short first) stay armed for it: the servers go on misbehaving for a while. A
    // process fault strikes only the first up. The step converges once an up succeeds; an up
    // that fails while no fault struck it, or a fourth failed up, is a failure.
    for (const f of plan.env) report.faults[f.kind].planned++;
    if (plan.process) report.faults[plan.process.kind].planned++;
    let env = [...plan.env, ...fromBefore];
    const phases: string[] = [];
    let first: CliResult | undefined;
    let pf = plan.process;
    for (let attempt = 0; ; attempt++) {
      const { result, killedCli, struck, ms, missed, processStruck } = await faultedUp(stack, plan, pf, env);
      first ??= result;
      const label = attempt === 0 ? "up" : "recovery up";
      const what = struck.length ? `, struck: ${struck.join(", ")}` : "";
      phases.push(`${label} ${(ms / 1000).toFixed(0)} s, exit ${result.code}${what}`);
      if (killedCli || hasLock(stack)) {
        // the one step a killed CLI needs: its lock cleared (and, if the kill broke Pulumi's file
        // backend, its empty .attrs removed first, as the README tells a user to)
        if (!killedCli && !pf?.kind.startsWith("cli-"))
          fail("lock", `the up left its lock with no CLI killed:\n${tail(result.all)}`);
        if (killedCli && repairBackend(stack)) {
          report.backendRepairs++;
          phases.push("Pulumi's empty .attrs removed");
        }
        await cliOk(stack, ["cancel", "--yes"]);
        report.cancels++;
        phases.push("pulumi cancel");
      }
      await noneLeft(`after the ${label} (${pf?.kind ?? "no process fault"})`);
      if (result.code === 0) {
        if (attempt > 0) report.recoveries++;
        // a restart whose moment came after the last up was over goes on to the next step
        carried = missed.filter((f) => f.kind.startsWith("restart-")).map((f) => ({ ...f, fraction: 0 }));
        break;
      }
      report.failedUps++;
      if (struck.length === 0) {
        const which = attempt === 0 ? "the up" : "a recovery up";
        const before = attempt === 0 ? "" : `\n--- the first up:\n${tail(first.all, 25)}`;
        fail(
          attempt === 0 ? "up" : "recovery",
          `${which} failed, and no fault struck it:\n${tail(result.all)}${before}`,
        );
      }
      if (attempt >= 3) fail("recovery", `four ups failed in a row; the last:\n${tail(result.all)}`);
      env = missed;
      // a process fault strikes one up: the recovery's too when this one ended before its moment
      // came (a server's fault failed it first)
      if (processStruck) pf = undefined;
    }

    // what the databases say of state's passwords (lost ones first), then what the step meant to do
    const after = await readStack(stack);
    const deep = new Set<string>();
    for (const r of plan.rotations) for (const [id] of identitiesOf(stack, r.key)) deep.add(id.id);
    await checkWorld(deep, baseline);
    await auditExport(stack);
    for (const r of RESOURCES) {
      const b = before[r.key];
      const a = after[r.key];
      const planned = plan.rotations.find((x) => x.key === r.key);
      const changed = a.password !== b.password;
      if (!planned) {
        if (changed || a.active !== b.active)
          fail("unplanned change", `${plan.face} ${r.key} changed its password though the step did not rotate it`);
        continue;
      }
      if (!changed)
        fail("rotation", `${plan.face} ${r.key} (${planned.kind}) still has its old password after the step`);
      if (planned.kind === "config" && a.password !== planned.password)
        fail("rotation", `${plan.face} ${r.key}: state's password is not the one given in config`);
      if (resourceInfo(r.key).pair) {
        if (a.active === b.active) fail("rotation", `${plan.face} ${r.key}: the active identity did not switch`);
        if (a.standbyPassword !== b.password)
          fail("rotation", `${plan.face} ${r.key}: the identity that was active did not keep its password`);
      }
      const history = identitiesOf(stack, r.key).flatMap(([id]) => identities.get(id.id)!.history.slice(0, -1));
      if (planned.kind !== "config" && resourceInfo(r.key).pair === false && history.includes(a.password)) {
        fail("rotation", `${plan.face} ${r.key}: the generated password is one the identity had before`);
      }
      report.rotations++;
      const by = [
        `face ${plan.face}`,
        `resource ${resourceInfo(r.key).db}${resourceInfo(r.key).pair ? " pair" : ""}`,
        `mode ${planned.kind}`,
      ];
      for (const k of by) report.rotationsBy[k] = (report.rotationsBy[k] ?? 0) + 1;
    }
    const preview = await cli(stack, ["preview", "--expect-no-changes", "--non-interactive"]);
    if (preview.code !== 0)
      fail("preview", `pulumi preview --expect-no-changes failed after the step:\n${tail(preview.all)}`);
    await noneLeft("after the preview");
    for (const o of outputs) {
      const leak = findLeak(o.all, secrets);
      if (leak) fail("secret in output", `a CLI output holds a secret: ...${leak}...`);
    }
    const took = ((Date.now() - t0) / 1000).toFixed(0);
    log(`step ${plan.step}: ok in ${took} s (${phases.join("; ")}); rotations ${report.rotations}`);
  }
}

/** The report as a table (what scripts/soak.ts prints and docs/reliability.md quotes). */
export function formatReport(r: SoakReport): string {
  const lines: string[] = [];
  const row = (k: string, v: string | number, note = "") => lines.push(`| ${k} | ${v} | ${note} |`);
  lines.push(`| | | |`, `|---|---|---|`);
  row("seed", `\`${r.seed}\``, r.fromStep > 1 ? `from step ${r.fromStep}` : "");
  row("steps", r.steps);
  row(
    "rotations",
    r.rotations,
    Object.entries(r.rotationsBy)
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join(", "),
  );
  for (const k of FAULT_KINDS) row(`fault: ${k}`, r.faults[k].delivered, `planned ${r.faults[k].planned}`);
  row("process faults in the window", r.inWindow, "the database took the change, its answer held");
  row("process faults at a random moment", r.atRandom, "");
  row("failed ups", r.failedUps, "");
  row("recoveries", r.recoveries, "a failed up, then one up with the same inputs that converged");
  row("pulumi cancel", r.cancels, "after the CLI was killed");
  row("Pulumi's empty .attrs removed", r.backendRepairs, "its file backend, broken by a killed CLI (README)");
  row("lost", r.lost, "an identity state's password does not log in as, after the recovery");
  row("failed checks", r.failures.length, "");
  row("wall time", `${(r.wallMs / 60000).toFixed(1)} min`, r.aborted ? "aborted" : "");
  for (const f of r.failures) {
    lines.push("", `step ${f.step}: ${f.check}: ${f.detail}`);
    if (f.step > 0) lines.push(`reproduce: --seed ${r.seed} --from-step ${f.step}`);
  }
  return lines.join("\n");
}
