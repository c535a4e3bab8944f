/**
 * `npm run bench`: what a resource of ours costs against the engine's own floor.
 *
 * Real Pulumi CLI with Pulumi's own language hosts, a real embedded Milvus with authentication
 * on, the GeminiDB emulator. The scenarios run side by side, alternating within each round so
 * that the machine's drift hits them alike. Node.js programs (the dynamic resources):
 *   strictfloor  N no-op dynamic resources (methods that return at once) whose provider is a
 *             module required by reference (bench/floor-provider, installed as pdp-bench-floor),
 *             registered as ours are (provider/shared/dynamic.ts dynamicRegistration): what the
 *             engine and the dynamic provider host cost by themselves, with no closure serializer
 *             on either side. The floor every Node.js scenario is measured against.
 *   strictfloorshape  the strict floor with the properties of a MilvusUserPassword (inputs,
 *             outputs to fill, secrets): what that shape costs Pulumi with no work at all (a
 *             diagnostic, no target)
 *   floor     N no-op `pulumi.dynamic.Resource`s, whose provider object Pulumi's closure
 *             serializer packs into every resource (1.8 KB of `__provider` against our 0.3):
 *             the floor of earlier runs, kept as a second column; its serializer is work that
 *             ours skip, so ratios to it flatter ours
 *   floorsecret  the floor with the secrets a password resource carries (a secret input and
 *             a secret output), no work either: a diagnostic of what secret state costs the
 *             engine, reported beside the others and checked against no target
 *   milvus    N MilvusUserPassword (createIfMissing, deleteUserOnDestroy, rotationTrigger)
 *   milvus-traces  milvus with the stack traces Pulumi's SDK takes per registered property, which
 *             our classes turn off while they register (provider/shared/dynamic.ts) unless
 *             PULUMI_DEBUG_PROMISE_LEAKS is set, as the program sets it: what turning them off
 *             saves (a diagnostic, no target)
 *   geminidb  N GeminiDbAdminPassword (token auth)
 *   geminidb-cql  N GeminiDbAdminPassword with `cql`: every reset proved by CQL logins on a real
 *             Cassandra (one node; instance i's rwuser is the node's role bench_rw_i, reached
 *             through a proxy that renames the login: harness/cql-role-proxy)
 *   geminidb-redis  N GeminiDbAdminPassword with `redis` and engine "redis": instance i is backed
 *             by a real redis-server of its own (TLS only, its own CA, as each GeminiDB Redis
 *             instance is a server of its own with the CA its console offers), every reset
 *             applied there by the emulator and proved by Redis logins (AUTH + PING)
 *   cassandra N CassandraRolePassword (createIfMissing, deleteRoleOnDestroy, rotationTrigger)
 *             on the same node, as its superuser
 *   cassandra-cluster1, cassandra-cluster3  N CassandraRolePassword on a real 3-node cluster
 *             (harness/cassandra-cluster.ts; Cassandra's default bcrypt rounds, system_auth at RF
 *             3), as a superuser of their own: cluster1 proves each change on the contact point
 *             only (`discoverNodes: false`), cluster3 on every node (the default: the contact
 *             point's peers). Their difference, halved, is what each extra node of a proof costs.
 *   naive     N Milvus users through a dynamic provider written as most examples on the web
 *             are: the SDK imported at module load, a new MilvusClient for every call
 * Programs in other languages, through the dbpasswords provider plugin, each beside a floor
 * through the same language host:
 *   yaml-floor, python-floor    N resources of a no-op plugin (bench/noop-plugin: the plugin's
 *             own gRPC server with a lifecycle that returns at once)
 *   yaml-floorshape, python-floorshape  N resources of the no-op plugin with the inputs, outputs
 *             and secrets of MilvusUserPassword, echoed: what that shape costs Pulumi with no
 *             work at all (a diagnostic, no target)
 *   yaml-milvus, python-milvus  N MilvusUserPassword through the plugin (Python: the generated SDK)
 * Steps: up (create), rotate (up after a trigger change), preview (no changes), refresh,
 * destroy. Every program runs from a project directory where the package is installed as a
 * user has it (a copy in node_modules; the plugin from its bin/); Node.js programs are plain
 * JavaScript.
 *
 * Prints a table (median seconds and ratio to the floor), checks the targets, and writes
 * bench/results/latest.json and bench/results/chart.svg. Options:
 *   --rounds R        rounds (default 3; the median of R runs is reported)
 *   --sizes 1,20,60   values of N (Milvus allows 100 users, root included)
 *   --scenarios a,b   a subset of strictfloor,strictfloorshape,floor,floorsecret,milvus,geminidb,
 *                     geminidb-cql,geminidb-redis,cassandra,naive,yaml-floor,yaml-floorshape,yaml-milvus,
 *                     python-floor,python-floorshape,python-milvus
 *   --bcrypt-rounds B the Cassandra node's bcrypt rounds (default 4)
 *   --out NAME        write bench/results/NAME.json and NAME.svg instead of latest.json and chart.svg
 *   --skip-preview    run up, rotate, refresh and destroy with `--skip-preview`, as pipelines often
 *                     do: `pulumi refresh` then reads each resource once, not twice
 *   --skip-checkpoints  run the CLI with PULUMI_SKIP_CHECKPOINTS=true (also when that is already set):
 *                     the local backend then writes the state once per step, not after every
 *                     resource; a diagnostic of what the state's size costs, not a user's setting
 *   --profile DIR     CPU profiles and module load times of the Node.js processes (bench/profile.ts)
 * The embedded Milvus starts only when a scenario talks to it (milvus, naive, yaml-milvus,
 * python-milvus).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { PulumiProject, CliResult, dynamicResources, pluginResources } from "../harness/pulumi-cli";
import { RealMilvus, setRootPassword, startRealMilvus } from "../harness/real-milvus";
import { GeminiDbEmulator, TEST_PROJECT, startEmulator } from "../harness/geminidb-emulator";
import { installedProject } from "../harness/installed";
import { sleep } from "../harness/support";
import { programNodeBin, pulumiBin, pythonWithSdk } from "../harness/tools";
import { MILVUS_PASSWORD_POLICY, generatePassword } from "../provider/shared/password";
import { chart } from "./chart";
import { RealCassandra, startRealCassandra } from "../harness/real-cassandra";
import { startRoleProxy, RoleProxy } from "../harness/cql-role-proxy";
import { alterRolePassword, cqlAs, cqlLogsInWithin } from "../harness/cql";
import { cqlString } from "../provider/cql/client";
import { RealRedis, startRealRedis } from "../harness/real-redis";
import { CassandraCluster, startCassandraCluster } from "../harness/cassandra-cluster";
import { option } from "./results-file";

const SCENARIOS = [
  "strictfloor",
  "strictfloorshape",
  "floor",
  "floorsecret",
  "milvus",
  "milvus-traces",
  "geminidb",
  "geminidb-cql",
  "geminidb-redis",
  "cassandra",
  "cassandra-cluster1",
  "cassandra-cluster3",
  "naive",
  "yaml-floor",
  "yaml-floorshape",
  "yaml-milvus",
  "python-floor",
  "python-floorshape",
  "python-milvus",
] as const;
type Scenario = (typeof SCENARIOS)[number];
type Language = "nodejs" | "yaml" | "python";
const languageOf = (s: Scenario): Language =>
  s.startsWith("yaml-") ? "yaml" : s.startsWith("python-") ? "python" : "nodejs";
/**
 * The floor each scenario is measured against: the no-op resources of the same language host;
 * for Node.js the strict floor when it runs, else the serialized one.
 */
let floorOf = (s: Scenario): Scenario =>
  languageOf(s) === "nodejs" ? "strictfloor" : (`${languageOf(s)}-floor` as Scenario);

/** The scenarios that talk to Milvus: without one of them, no Milvus is started. */
const MILVUS_SCENARIOS: readonly Scenario[] = ["milvus", "milvus-traces", "naive", "yaml-milvus", "python-milvus"];
const STEPS = ["up", "rotate", "preview", "refresh", "destroy"] as const;
type Step = (typeof STEPS)[number];

interface Sample {
  round: number;
  scenario: Scenario;
  n: number;
  step: Step;
  seconds: number;
  /**
   * CPU seconds (user + system) of the step's process tree: the CLI and every process it
   * started (language host, program, provider hosts), counted when they exit. Unlike the
   * seconds, it hardly grows when other work shares the cores, so its ratios survive a busy
   * machine. Servers (Milvus, Cassandra, Redis, the emulator) are not in it.
   */
  cpuSeconds: number;
  /** Of these, the CPU seconds of the provider processes and of the program (sampled). */
  providerCpuSeconds: number;
  programCpuSeconds: number;
  /** Peak resident set of the dynamic provider process (VmHWM), MiB; 0 when it never started. */
  providerPeakRssMiB: number;
  /** TCP connections the Milvus server accepted during the step (through the counting proxy). */
  milvusConnections: number;
  /** Dynamic provider processes seen during the step (`up` and `refresh` preview in one first). */
  providerProcesses: number;
  /** The machine's 1-minute load average when the step ended (2 cores: above 2, others ran). */
  load1: number;
  /** CQL connections to the single Cassandra node during the step (each a login: a bcrypt check). */
  cqlConnections: number;
  /** CPU seconds the Cassandra node used during the step (Cassandra scenarios). */
  databaseCpuSeconds?: number;
  /** After `up`: state file bytes and `__provider` bytes per resource. */
  stateBytes?: number;
  providerBytes?: number;
}

const ROUNDS = Number(option("rounds", "3"));
/**
 * bcrypt rounds of the Cassandra node. Every CQL login costs the database a bcrypt check: at
 * Cassandra's default (10) about 100 ms of its CPU, on its own machines in production, but here
 * on the two cores the engine runs on, where it would be counted as ours. The default, 4
 * (about 2 ms), keeps the round trips and leaves that CPU out; `--bcrypt-rounds 10` measures
 * with it, and the report shows the node's CPU either way.
 */
const BCRYPT_ROUNDS = Number(option("bcrypt-rounds", "4"));
const SIZES = option("sizes", "1,20,60").split(",").map(Number);
const ONLY = option("scenarios", SCENARIOS.join(",")).split(",") as Scenario[];
const OUT = path.join(__dirname, "results");
/**
 * `--profile DIR`: the program and every dynamic provider host of a step record a V8 CPU
 * profile and the time of each module load under DIR/<stack>-<step>/ (bench/profile-preload.js,
 * preloaded with NODE_OPTIONS); `bench/profile.ts DIR` sums them up. Profiling slows the
 * processes it watches, so such a run's seconds are not figures to report (it writes them to
 * DIR/bench.json, not to bench/results).
 */
const PROFILE = option("profile", "");
/** `--out NAME`: write bench/results/NAME.json and NAME.svg (default: latest.json and chart.svg). */
const OUT_NAME = option("out", "latest");
/**
 * `--skip-preview`: the steps that change something run without the preview Pulumi runs before
 * them (`pulumi up --yes` previews, then updates; `pulumi refresh --yes` reads every resource for
 * its preview, then again). The floors skip it alike.
 */
const SKIP_PREVIEW = process.argv.includes("--skip-preview");
/**
 * `--skip-checkpoints`: the CLI runs with PULUMI_SKIP_CHECKPOINTS=true, so the local backend does
 * not write the whole state file after each resource's step (N writes of N resources a step), only
 * at the end: this shows how much of a step those writes, and so a resource's state size, cost
 * (on 2026-12-07 part of `destroy` and of the CQL faces' `up`, none of `refresh`:
 * docs/performance.md). Pulumi documents the setting as unsafe (a crash loses the step's
 * progress): a diagnostic only.
 */
const SKIP_CHECKPOINTS =
  process.argv.includes("--skip-checkpoints") || /^(1|true)$/i.test(process.env.PULUMI_SKIP_CHECKPOINTS ?? "");
if (SKIP_CHECKPOINTS) process.env.PULUMI_SKIP_CHECKPOINTS = "true";

// ---------------------------------------------------------------- measuring

/**
 * A TCP proxy that counts the connections it accepts: in front of Milvus, and of the Cassandra
 * node (where each connection is a login, a bcrypt check). Proxies may share one `stats`.
 */
async function countingProxy(target: { host: string; port: number }, stats = { accepted: 0 }) {
  const sockets = new Set<net.Socket>();
  // noDelay on both sides, as gRPC and Milvus set it on theirs: with Nagle's algorithm on, the
  // proxy held small HTTP/2 frames back and added its own latency to every Milvus call.
  const server = net.createServer({ noDelay: true }, (client) => {
    stats.accepted++;
    const upstream = net.connect({ port: target.port, host: target.host, noDelay: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    stats,
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stop: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

/**
 * Watches the Node.js processes of a step: the provider processes (dynamic provider hosts,
 * plugins) and the program (the language host's `cmd/run`), only those of this stack (its
 * state directory in their environment), since other programs may run Pulumi on the machine.
 * Reports the providers' peak RSS and count, and the CPU seconds of each kind, read from
 * /proc every 100 ms (what a process spends after its last reading, when it is idle and about
 * to be stopped, is missed).
 */
function processSampler(stateDir: string) {
  type Kind = "provider" | "program";
  const kinds = new Map<number, Kind | undefined>();
  const peaks = new Map<number, number>();
  const cpu = new Map<number, number>();
  const mine = `PULUMI_BACKEND_URL=file://${stateDir}\0`;
  // node .../cmd/dynamic-provider (not the launcher's `node -e "require.resolve(...)"`),
  // or a plugin: node .../dist/plugin/start.js (bin/pulumi-resource-dbpasswords), node .../noop-plugin/main.js
  const provider = /cmd\/dynamic-provider|\/dist\/plugin\/start\.js$|noop-plugin\/main\.js$/;
  const classify = (pid: number): Kind | undefined => {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (!/(^|\/)node$/.test(argv[0])) return undefined;
    const kind = provider.test(argv[1] ?? "")
      ? "provider"
      : /cmd\/run\/index\.js$/.test(argv[1] ?? "")
        ? "program"
        : undefined;
    if (!kind || !fs.readFileSync(`/proc/${pid}/environ`, "utf8").includes(mine)) return undefined;
    return kind;
  };
  const sample = () => {
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      try {
        if (!kinds.has(pid)) kinds.set(pid, classify(pid));
        const kind = kinds.get(pid);
        if (!kind) continue;
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        cpu.set(pid, (Number(f[11]) + Number(f[12])) / CLOCK_TICKS); // utime, stime
        if (kind !== "provider") continue;
        const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
        peaks.set(pid, Math.max(peaks.get(pid) ?? 0, kb));
      } catch {
        // the process ended between readdir and read
      }
    }
  };
  const timer = setInterval(sample, 100);
  const cpuOf = (kind: Kind) =>
    [...cpu].filter(([pid]) => kinds.get(pid) === kind).reduce((sum, [, seconds]) => sum + seconds, 0);
  return {
    stop(): { peakMiB: number; processes: number; providerCpu: number; programCpu: number } {
      clearInterval(timer);
      return {
        peakMiB: Math.max(0, ...peaks.values()) / 1024,
        processes: peaks.size,
        providerCpu: cpuOf("provider"),
        programCpu: cpuOf("program"),
      };
    },
  };
}

/**
 * CPU seconds of this process's waited-for descendants (cutime + cstime of /proc/self/stat):
 * a `pulumi` run adds its own and its plugins' once it has exited.
 */
function childrenCpuSeconds(): number {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): cutime and cstime are fields 16 and 17
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** Idle share of all CPUs over `ms`, from /proc/stat. */
async function idleShare(ms: number): Promise<number> {
  const read = () => {
    const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await sleep(ms);
  const b = read();
  return (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

/**
 * Waits (at most 10 s) until the machine is quiet: the embedded Milvus keeps working in the
 * background after users change, and a step measured during that work would pay for the
 * previous scenario. Returns the seconds waited.
 */
async function settle(): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 10000 && (await idleShare(300)) < 0.9);
  return (Date.now() - started) / 1000;
}

// ---------------------------------------------------------------- one scenario

interface World {
  /** The project directory of each language. */
  dirs: Record<Language, string>;
  milvusRootPassword: string;
  proxy: Awaited<ReturnType<typeof countingProxy>>;
  emulator: GeminiDbEmulator;
  instances: string[];
  token: string;
  /** Only when a Cassandra scenario runs: the node, and the emulator whose resets it applies. */
  cassandra?: {
    node: RealCassandra;
    emulator: GeminiDbEmulator;
    token: string;
    instances: string[];
    /** instance i's CQL address (the role proxy of bench_rw_i, which counts its connections) */
    cqlAddresses: string[];
    /** The node's address through a counting proxy, for the cassandra scenario. */
    countedAddress: string;
    /** Connections to the node (logins) through the role proxies and the counting proxy, since the start. */
    connections: { accepted: number };
    stopProxies(): Promise<void>;
  };
  /** Only when geminidb-redis runs: instance i (of `emulator`) backed by servers[i]. */
  redis?: { instances: string[]; servers: RealRedis[] };
  /** Only when a cluster scenario runs: the 3-node cluster and the superuser the bench made. */
  cluster?: { cluster: CassandraCluster; admin: { username: string; password: string } };
}

const CLUSTER_SCENARIOS: readonly Scenario[] = ["cassandra-cluster1", "cassandra-cluster3"];

/** CPU seconds of the database nodes a scenario talks to (undefined: none measured). */
function databaseCpu(world: World, scenario: Scenario): number | undefined {
  if (CLUSTER_SCENARIOS.includes(scenario))
    return world.cluster!.cluster.nodes.reduce((sum, n) => sum + n.cpuSeconds(), 0);
  return world.cassandra?.node.cpuSeconds();
}

function fail(what: string, r: CliResult): never {
  throw new Error(`${what} failed (exit ${r.code}):\n${r.all.split("\n").slice(-40).join("\n")}`);
}

/** The YAML program of a scenario: YAML has no loops, so each resource is written out. */
function yamlProgram(scenario: Scenario, n: number): string {
  const lines = [
    "name: pdp-bench-yaml",
    "runtime: yaml",
    "plugins:",
    "  providers:",
    "    - name: dbpasswords",
    "      path: node_modules/pulumi-db-passwords/bin",
    "    - name: dbnoop",
    "      path: noop-plugin",
    "config:",
    "  prefix: { type: string }",
    "  round: { type: string }",
    "  milvusAddress: { type: string }",
    "  rootPassword: { type: string, secret: true }",
    "resources:",
  ];
  for (let i = 0; i < n; i++) {
    lines.push(`  r${i}:`);
    if (scenario === "yaml-floor") {
      lines.push(
        "    type: dbnoop:index:Noop",
        "    properties:",
        `      name: \${prefix}_${i}`,
        "      round: ${round}",
      );
    } else {
      lines.push(
        `    type: ${scenario === "yaml-floorshape" ? "dbnoop:index:Shaped" : "dbpasswords:index:MilvusUserPassword"}`,
        "    properties:",
        "      connection:",
        "        address: ${milvusAddress}",
        "        username: root",
        "        password: ${rootPassword}",
        `      user: \${prefix}_${i}`,
        "      createIfMissing: true",
        "      deleteUserOnDestroy: true",
        "      rotationTrigger: ${round}",
      );
    }
  }
  return lines.join("\n") + "\n";
}

async function runScenario(world: World, scenario: Scenario, n: number, round: number): Promise<Sample[]> {
  const stack = `${scenario}-n${n}-r${round}`;
  const language = languageOf(scenario);
  const dir = world.dirs[language];
  if (language === "yaml") fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yamlProgram(scenario, n));
  const env: NodeJS.ProcessEnv =
    scenario === "geminidb" || scenario === "geminidb-redis"
      ? { HW_AUTH_TOKEN: world.token }
      : scenario === "geminidb-cql"
        ? { HW_AUTH_TOKEN: world.cassandra!.token }
        : {};
  if (language === "python") env.PULUMI_PYTHON_CMD = pythonWithSdk();
  const project = new PulumiProject(dir, stack, env);
  const samples: Sample[] = [];
  try {
    await project.init(
      {
        scenario,
        n: String(n),
        round: "r1",
        // unique per scenario (two scenarios may share a database), short enough for a Milvus user name
        prefix: `${scenario.replace(/-/g, "").slice(0, 17)}_r${round}_n${n}`,
        milvusAddress: world.proxy.address,
        projectId: TEST_PROJECT,
        endpoint: world.emulator.url,
        instances: JSON.stringify(
          (scenario === "geminidb-cql" ? world.cassandra!.instances : world.instances).slice(0, n),
        ),
        ...(world.cassandra && {
          cassandraAddress: world.cassandra.countedAddress,
          cqlEndpoint: world.cassandra.emulator.url,
          cqlAddresses: JSON.stringify(world.cassandra.cqlAddresses.slice(0, n)),
        }),
        ...(world.cluster && {
          clusterAddress: world.cluster.cluster.nodes[0].address,
          clusterUser: world.cluster.admin.username,
        }),
        ...(world.redis && {
          redisInstances: JSON.stringify(world.redis.instances.slice(0, n)),
          redisAddresses: JSON.stringify(world.redis.servers.slice(0, n).map((r) => r.address)),
          redisCaCertificates: JSON.stringify(world.redis.servers.slice(0, n).map((r) => r.caCertificate)),
        }),
      },
      {
        rootPassword: world.milvusRootPassword,
        ...(world.cassandra && { cassandraPassword: world.cassandra.node.superuser.password }),
        ...(world.cluster && { clusterPassword: world.cluster.admin.password }),
      },
    );
    const skip = SKIP_PREVIEW ? ["--skip-preview"] : [];
    const commands: Record<Step, string[]> = {
      up: ["up", "--yes", ...skip],
      rotate: ["up", "--yes", ...skip],
      preview: ["preview", "--expect-no-changes"],
      refresh: ["refresh", "--yes", ...skip],
      destroy: ["destroy", "--yes", ...skip],
    };
    for (const step of STEPS) {
      if (step === "rotate") await project.ok(["config", "set", "round", "r2"]);
      await settle();
      const connectionsBefore = world.proxy.stats.accepted;
      const cqlBefore = world.cassandra?.connections.accepted ?? 0;
      const databaseCpuBefore = databaseCpu(world, scenario) ?? 0;
      const watched = processSampler(project.stateDir);
      const cpuBefore = childrenCpuSeconds();
      const started = process.hrtime.bigint();
      const profileDir = PROFILE && path.resolve(PROFILE, `${stack}-${step}`);
      const r = await project.run(commands[step], {
        env: profileDir
          ? {
              NODE_OPTIONS: `--require ${path.join(__dirname, "profile-preload.js")} --cpu-prof --cpu-prof-dir=${profileDir}`,
              PDP_PROFILE_DIR: profileDir,
            }
          : {},
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cpuSeconds = childrenCpuSeconds() - cpuBefore;
      const providers = watched.stop();
      if (r.code !== 0) fail(`${scenario} N=${n} ${step}`, r);
      const sample: Sample = {
        round,
        scenario,
        n,
        step,
        seconds,
        cpuSeconds,
        providerCpuSeconds: providers.providerCpu,
        programCpuSeconds: providers.programCpu,
        providerPeakRssMiB: providers.peakMiB,
        providerProcesses: providers.processes,
        milvusConnections: world.proxy.stats.accepted - connectionsBefore,
        cqlConnections: (world.cassandra?.connections.accepted ?? 0) - cqlBefore,
        load1: os.loadavg()[0],
      };
      const databaseCpuAfter = databaseCpu(world, scenario);
      if (databaseCpuAfter !== undefined) sample.databaseCpuSeconds = databaseCpuAfter - databaseCpuBefore;
      if (step === "up") {
        const exported = await project.exportState(false);
        const resources = [...dynamicResources(exported.json), ...pluginResources(exported.json)];
        sample.stateBytes = stateFileBytes(project);
        sample.providerBytes = resources.length
          ? Math.max(...resources.map((x: any) => String(x.outputs?.__provider ?? x.inputs?.__provider ?? "").length))
          : 0;
      }
      samples.push(sample);
      process.stdout.write(`  ${stack} ${step.padEnd(7)} ${seconds.toFixed(2)} s  (load ${sample.load1.toFixed(2)})\n`);
    }
  } finally {
    await project.cleanup();
  }
  return samples;
}

/** Bytes of the stack's state file in the local backend. */
function stateFileBytes(project: PulumiProject): number {
  const root = path.join(project.stateDir, ".pulumi", "stacks");
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === `${project.stack}.json`) files.push(p);
    }
  };
  walk(root);
  return files.length ? fs.statSync(files[0]).size : 0;
}

// ---------------------------------------------------------------- report

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

type Medians = Record<string, number>;
const key = (scenario: string, n: number, step: string) => `${scenario}/${n}/${step}`;

function medians(samples: Sample[], field: keyof Sample = "seconds"): Medians {
  const groups = new Map<string, number[]>();
  for (const s of samples) {
    const v = s[field];
    if (typeof v !== "number") continue;
    const k = key(s.scenario, s.n, s.step);
    groups.set(k, [...(groups.get(k) ?? []), v]);
  }
  return Object.fromEntries([...groups].map(([k, v]) => [k, median(v)]));
}

interface Target {
  what: string;
  value: string;
  ok: boolean;
}

function targets(sec: Medians, samples: Sample[], scenarios: Scenario[], nMax: number): Target[] {
  const out: Target[] = [];
  const ratio = (a: string, b: string, step: Step) => sec[key(a, nMax, step)] / sec[key(b, nMax, step)];
  const has = (s: Scenario) => scenarios.includes(s);
  /** The Node.js faces' targets, as a ratio to their floor. */
  const limits: Array<[Scenario, number]> = [
    ["milvus", 1.2],
    ["geminidb", 1.2],
    ["geminidb-redis", 1.2],
    ["cassandra", 1.3],
    ["geminidb-cql", 1.3],
  ];
  for (const step of ["up", "rotate", "refresh", "destroy"] as Step[]) {
    for (const [face, limit] of limits) {
      const floor = floorOf(face);
      if (!has(face) || !has(floor)) continue;
      const r = ratio(face, floor, step);
      // the seconds the face adds to its floor too: they hold still from run to run while the
      // floor moves with the machine's load (docs/performance.md), and the ratio with it
      const added = sec[key(face, nMax, step)] - sec[key(floor, nMax, step)];
      out.push({
        what: `${face} ${step} at N=${nMax} <= ${limit}x ${floor}`,
        value: `${r.toFixed(2)}x (${added >= 0 ? "+" : ""}${added.toFixed(2)} s)`,
        ok: r <= limit,
      });
    }
    if (has("naive") && has("milvus")) {
      const r = ratio("naive", "milvus", step);
      out.push({
        what: `naive peer ${step} at N=${nMax} >= 3x slower than milvus`,
        value: `${r.toFixed(2)}x`,
        ok: r >= 3,
      });
    }
  }
  for (const language of ["yaml", "python"] as const) {
    const ours = `${language}-milvus` as Scenario;
    if (!has(ours) || !has(floorOf(ours))) continue;
    for (const step of STEPS) {
      const r = ratio(ours, floorOf(ours), step);
      out.push({
        what: `${ours} ${step} at N=${nMax} <= 1.2x ${floorOf(ours)}`,
        value: `${r.toFixed(2)}x`,
        ok: r <= 1.2,
      });
    }
  }
  for (const scenario of ["milvus", "yaml-milvus", "python-milvus"] as Scenario[]) {
    if (!has(scenario)) continue;
    const mine = samples.filter((s) => s.scenario === scenario && s.milvusConnections > 0);
    const worst = Math.max(0, ...mine.map((s) => s.milvusConnections / Math.max(1, s.providerProcesses)));
    out.push({
      what: `${scenario}: at most one TCP connection per provider process`,
      value: `${worst} (connections / processes, worst step)`,
      ok: worst <= 1,
    });
  }
  if (has("milvus")) {
    for (const scenario of ["milvus", "geminidb"] as Scenario[]) {
      const bytes = Math.max(
        ...samples.filter((s) => s.scenario === scenario && s.providerBytes !== undefined).map((s) => s.providerBytes!),
      );
      if (Number.isFinite(bytes))
        out.push({ what: `${scenario}: __provider <= 1 KB per resource`, value: `${bytes} B`, ok: bytes <= 1024 });
    }
  }
  return out;
}

function table(sec: Medians, scenarios: Scenario[], unit = "s"): string {
  const head = ["step", "N", ...scenarios];
  const rows: string[][] = [];
  for (const step of STEPS) {
    for (const n of SIZES) {
      rows.push([
        step,
        String(n),
        ...scenarios.map((s) => {
          const v = sec[key(s, n, step)];
          const floor = sec[key(floorOf(s), n, step)];
          if (v === undefined) return "-";
          // the serialized floor's ratio too, for the Node.js faces, when both floors ran
          const old = sec[key("floor", n, step)];
          const second =
            languageOf(s) === "nodejs" && floorOf(s) === "strictfloor" && s !== "strictfloor" && old !== undefined
              ? ` [${(v / old).toFixed(2)}x]`
              : "";
          return s === floorOf(s) || floor === undefined
            ? `${v.toFixed(2)} ${unit}${second}`
            : `${v.toFixed(2)} ${unit} (${(v / floor).toFixed(2)}x)${second}`;
        }),
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/**
 * Where the CPU of each step goes (medians, seconds): the program, the provider processes, and
 * the rest of the step's processes (the CLI with its engine, the language host, launchers),
 * each beside the floor's, so that a face's overhead shows where it is.
 */
function cpuSplitTable(samples: Sample[], scenarios: Scenario[]): string {
  const total = medians(samples, "cpuSeconds");
  const provider = medians(samples, "providerCpuSeconds");
  const program = medians(samples, "programCpuSeconds");
  const lines = [`scenario        N    step     total   program  provider  rest (CLI, language host)`];
  for (const s of scenarios) {
    for (const n of SIZES) {
      for (const step of STEPS) {
        const k = key(s, n, step);
        if (total[k] === undefined) continue;
        const rest = total[k] - provider[k] - program[k];
        lines.push(
          `${s.padEnd(15)} ${String(n).padEnd(4)} ${step.padEnd(8)} ${total[k].toFixed(2).padStart(5)}   ` +
            `${program[k].toFixed(2).padStart(7)}  ${provider[k].toFixed(2).padStart(8)}  ${rest.toFixed(2).padStart(5)}`,
        );
      }
    }
  }
  return lines.join("\n");
}

/**
 * What each extra node of a proof costs: cassandra-cluster3 (proofs on 3 nodes) minus
 * cassandra-cluster1 (on the contact point only), halved, per step: seconds, the step's own CPU
 * (provider, engine) and the cluster's CPU.
 */
function clusterNodeCost(samples: Sample[], scenarios: Scenario[]): string | undefined {
  if (!scenarios.includes("cassandra-cluster1") || !scenarios.includes("cassandra-cluster3")) return undefined;
  const fields = ["seconds", "cpuSeconds", "databaseCpuSeconds"] as const;
  const m = Object.fromEntries(fields.map((f) => [f, medians(samples, f)])) as Record<(typeof fields)[number], Medians>;
  const lines = [
    "Each extra node of a proof ((cassandra-cluster3 - cassandra-cluster1) / 2, medians):",
    `N    step     seconds  step CPU s  cluster CPU s  (cluster1: seconds, cluster CPU s)`,
  ];
  for (const n of SIZES) {
    for (const step of STEPS) {
      const one = (f: (typeof fields)[number]) => m[f][key("cassandra-cluster1", n, step)];
      const three = (f: (typeof fields)[number]) => m[f][key("cassandra-cluster3", n, step)];
      if (one("seconds") === undefined || three("seconds") === undefined) continue;
      const per = (f: (typeof fields)[number]) => (((three(f) ?? 0) - (one(f) ?? 0)) / 2).toFixed(2);
      lines.push(
        `${String(n).padEnd(4)} ${step.padEnd(8)} ${per("seconds").padStart(7)}  ${per("cpuSeconds").padStart(10)}  ` +
          `${per("databaseCpuSeconds").padStart(13)}  (${one("seconds").toFixed(2)}, ${(one("databaseCpuSeconds") ?? 0).toFixed(2)})`,
      );
    }
  }
  return lines.join("\n");
}

function extrasTable(samples: Sample[], scenarios: Scenario[]): string {
  const rss = medians(samples, "providerPeakRssMiB");
  const lines = [
    "scenario  N    provider peak RSS (MiB, max over steps)  __provider B/resource  state file B after up  Milvus TCP connections / provider processes (worst step)",
  ];
  for (const s of scenarios) {
    for (const n of SIZES) {
      const mine = samples.filter((x) => x.scenario === s && x.n === n);
      const peak = Math.max(...STEPS.map((st) => rss[key(s, n, st)] ?? 0));
      const prov = Math.max(0, ...mine.map((x) => x.providerBytes ?? 0));
      const state = median(mine.filter((x) => x.stateBytes !== undefined).map((x) => x.stateBytes!));
      const worst = mine.reduce(
        (a, x) =>
          x.milvusConnections / Math.max(1, x.providerProcesses) >
          a.milvusConnections / Math.max(1, a.providerProcesses)
            ? x
            : a,
        mine[0],
      );
      const conns = `${worst.milvusConnections} / ${worst.providerProcesses}`;
      lines.push(
        `${s.padEnd(9)} ${String(n).padEnd(4)} ${peak.toFixed(0).padEnd(41)} ${String(prov).padEnd(22)} ${String(state).padEnd(22)} ${conns}`,
      );
    }
  }
  const cpu = medians(samples, "databaseCpuSeconds");
  const extraNode = clusterNodeCost(samples, scenarios);
  if (extraNode) lines.push("", extraNode);
  const logins = medians(samples, "cqlConnections");
  const cassandraRows = scenarios.flatMap((s) =>
    SIZES.filter((n) => cpu[key(s, n, "up")] !== undefined).map(
      (n) =>
        `${s.padEnd(18)} ${String(n).padEnd(4)} ` +
        STEPS.map((st) => {
          const k = key(s, n, st);
          const c = logins[k] ? ` (${logins[k]})` : "";
          return `${(cpu[k] ?? 0).toFixed(2)}${c}`.padEnd(14);
        }).join(" "),
    ),
  );
  if (cassandraRows.length) {
    lines.push(
      "",
      `CPU seconds of the Cassandra node(s) per step (bcrypt rounds ${BCRYPT_ROUNDS} on the single node, ` +
        `Cassandra's default 10 on the cluster; the same machine):`,
      "(in parentheses: the connections the step opened to the single node, each a login and a bcrypt check)",
      `scenario           N    ${STEPS.map((st) => st.padEnd(14)).join(" ")}`,
      ...cassandraRows,
    );
  }
  return lines.join("\n");
}

/**
 * An emulator with `n` normal instances (ids ending in `suffix`); with `roleOf`, instance i
 * stands for that role of the emulator's database.
 */
async function emulatorWith(n: number, suffix: string, roleOf?: (i: number) => string) {
  const instances = Array.from({ length: n }, (_, i) => `${i.toString(16).padStart(32, "0")}${suffix}`);
  const emulator = await startEmulator((e) =>
    instances.forEach((id, i) =>
      e.instances.set(id, {
        id,
        projectId: TEST_PROJECT,
        status: "normal",
        datastore: "Cassandra",
        actions: [],
        password: "Initial~pw0",
        role: roleOf?.(i),
      }),
    ),
  );
  return { emulator, instances };
}

/**
 * A Cassandra node for the Cassandra scenarios: its superuser's password replaced, roles
 * bench_rw_0..n-1 standing for the rwuser of n GeminiDB instances of a second emulator (each
 * reached through a role proxy), as harness/cql-role-proxy explains.
 */
async function startCassandraWorld(n: number, proxies: RoleProxy[]): Promise<NonNullable<World["cassandra"]>> {
  const node = await startRealCassandra({ serverJit: true, bcryptRounds: BCRYPT_ROUNDS });
  const endpoint = { address: node.address };
  const superPassword = generatePassword(MILVUS_PASSWORD_POLICY);
  await alterRolePassword(endpoint, node.superuser, "cassandra", superPassword, { settle: true });
  node.superuser.password = superPassword;
  const roles = Array.from({ length: n }, (_, i) => `bench_rw_${i}`);
  await cqlAs(
    endpoint,
    node.superuser,
    roles.map((r) => `CREATE ROLE IF NOT EXISTS ${r} WITH PASSWORD = ${cqlString("Initial~pw0")} AND LOGIN = true`),
  );
  const { emulator, instances } = await emulatorWith(n, "in07", (i) => roles[i]);
  // GeminiDB applies a reset on its own machines: the emulator keeps its admin session between
  // resets rather than logging in on the node, on the CLI's cores, for each of them
  emulator.useDatabase(endpoint, node.superuser, { keepAdminSession: true });
  // every connection a step opens to the node goes through one proxy that counts it (each is a
  // login): instance i's role proxy, or for the cassandra scenario a counting proxy
  const connections = { accepted: 0 };
  const cqlAddresses: string[] = [];
  for (const role of roles) {
    const p = await startRoleProxy({ host: "127.0.0.1", port: node.port }, "rwuser", role, connections);
    proxies.push(p);
    cqlAddresses.push(p.address);
  }
  const direct = await countingProxy({ host: "127.0.0.1", port: node.port }, connections);
  return {
    node,
    emulator,
    token: emulator.issueToken(TEST_PROJECT),
    instances,
    cqlAddresses,
    countedAddress: direct.address,
    connections,
    stopProxies: () => direct.stop(),
  };
}

/**
 * `n` GeminiDB Redis instances on `emulator` (ids ending in in12), each backed by a redis-server
 * of its own with TLS, started a few at a time (each makes its own CA with openssl).
 */
async function startRedisWorld(n: number, emulator: GeminiDbEmulator): Promise<NonNullable<World["redis"]>> {
  const initial = "Initial~pw0";
  const servers: RealRedis[] = [];
  for (let i = 0; i < n; i += 8) {
    const batch = Array.from({ length: Math.min(8, n - i) }, () => startRealRedis({ password: initial, tls: true }));
    servers.push(...(await Promise.all(batch)));
  }
  const instances = servers.map((_, i) => `${i.toString(16).padStart(32, "0")}in12`);
  instances.forEach((id, i) => {
    emulator.instances.set(id, {
      id,
      projectId: TEST_PROJECT,
      status: "normal",
      datastore: "redis",
      actions: [],
      password: initial,
    });
    emulator.backWith(id, { kind: "redis", server: servers[i] });
  });
  return { instances, servers };
}

/**
 * The 3-node cluster of the cluster scenarios, with a superuser of the bench's own (a new
 * cluster's `cassandra` logs in at QUORUM, a role of one's own at LOCAL_QUORUM, as an operator's
 * would), its password on every node before the first step.
 */
async function startClusterWorld(): Promise<NonNullable<World["cluster"]>> {
  const started = Date.now();
  const cluster = await startCassandraCluster();
  const admin = { username: "bench_admin", password: generatePassword(MILVUS_PASSWORD_POLICY) };
  await cluster.nodes[0].cql(
    [
      `CREATE ROLE ${admin.username} WITH PASSWORD = ${cqlString(admin.password)} AND LOGIN = true AND SUPERUSER = true`,
    ],
    [admin.password],
  );
  for (const node of cluster.nodes) {
    if (!(await cqlLogsInWithin({ address: node.address }, admin.username, admin.password, 30000)))
      throw new Error(`the bench's superuser does not log in on node ${node.index}`);
  }
  console.log(`cluster: 3 nodes up in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { cluster, admin };
}

// ---------------------------------------------------------------- main

/** What the figures came from: CPU, cores, the Node that runs programs, the Pulumi CLI. */
function machine() {
  const cli = (bin: string, args: string[]) => {
    try {
      return execFileSync(bin, args, { encoding: "utf8" }).trim();
    } catch {
      return "unknown";
    }
  };
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: cli(path.join(programNodeBin(), "node"), ["--version"]),
    pulumi: cli(path.join(pulumiBin(), "pulumi"), ["version"]),
  };
}

async function main() {
  const scenarios = SCENARIOS.filter((s) => ONLY.includes(s));
  if (!scenarios.includes("strictfloor")) {
    // measured against the serialized floor, as before the strict one existed
    floorOf = (s) => (languageOf(s) === "nodejs" ? "floor" : (`${languageOf(s)}-floor` as Scenario));
  }
  const nMax = Math.max(...SIZES);
  if (nMax > 98) throw new Error("Milvus allows 100 users, root included: keep N at 98 or below");
  console.log(
    `bench: ${scenarios.join(", ")}; N = ${SIZES.join(", ")}; ${ROUNDS} round(s)` +
      (SKIP_PREVIEW ? "; up, rotate, refresh and destroy with --skip-preview" : "") +
      (SKIP_CHECKPOINTS ? "; PULUMI_SKIP_CHECKPOINTS=true" : ""),
  );
  console.log(
    `machine: ${JSON.stringify(machine())}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );

  let milvus: RealMilvus | undefined;
  let emulator: GeminiDbEmulator | undefined;
  let proxy: Awaited<ReturnType<typeof countingProxy>> | undefined;
  let cassandra: World["cassandra"];
  let redis: World["redis"];
  let cluster: World["cluster"];
  const roleProxies: RoleProxy[] = [];
  const dirs: Partial<Record<Language, string>> = {};
  const samples: Sample[] = [];
  try {
    const rootPassword = generatePassword(MILVUS_PASSWORD_POLICY);
    if (scenarios.some((s) => MILVUS_SCENARIOS.includes(s))) {
      milvus = await startRealMilvus();
      await setRootPassword(milvus, rootPassword);
    }
    // without Milvus the proxy forwards to a port where nothing listens, and counts nothing
    proxy = await countingProxy({ host: "127.0.0.1", port: milvus?.port ?? 9 });
    let instances: string[];
    ({ emulator, instances } = await emulatorWith(nMax, "in06"));
    for (const [language, program] of [
      ["nodejs", "program"],
      ["yaml", "yaml-program"],
      ["python", "python-program"],
    ] as const) {
      const dir = (dirs[language] = installedProject(path.join(__dirname, program)));
      fs.cpSync(path.join(__dirname, "noop-plugin"), path.join(dir, "noop-plugin"), { recursive: true });
      // the strict floor's provider, where the host's `require("pdp-bench-floor/...")` finds it
      fs.cpSync(path.join(__dirname, "floor-provider"), path.join(dir, "node_modules", "pdp-bench-floor"), {
        recursive: true,
      });
    }
    if (scenarios.includes("geminidb-cql") || scenarios.includes("cassandra")) {
      cassandra = await startCassandraWorld(nMax, roleProxies);
    }
    if (scenarios.includes("geminidb-redis")) redis = await startRedisWorld(nMax, emulator);
    if (scenarios.some((s) => CLUSTER_SCENARIOS.includes(s))) cluster = await startClusterWorld();
    const world: World = {
      dirs: dirs as Record<Language, string>,
      milvusRootPassword: rootPassword,
      proxy,
      emulator,
      instances,
      token: emulator.issueToken(TEST_PROJECT),
      cassandra,
      redis,
      cluster,
    };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const n of SIZES) {
        // rotate the order each round so that no scenario always runs first
        const order = scenarios.map((_, i) => scenarios[(i + round - 1) % scenarios.length]);
        for (const scenario of order) samples.push(...(await runScenario(world, scenario, n, round)));
      }
    }
  } finally {
    await proxy?.stop();
    await emulator?.stop();
    for (const p of roleProxies) await p.stop();
    await cassandra?.stopProxies();
    await cassandra?.emulator.stop();
    await cassandra?.node.destroy();
    await Promise.all((redis?.servers ?? []).map((r) => r.destroy()));
    await cluster?.cluster.destroy();
    await milvus?.stop();
    for (const dir of Object.values(dirs)) fs.rmSync(dir, { recursive: true, force: true });
  }

  const sec = medians(samples);
  const cpu = medians(samples, "cpuSeconds");
  const checked = targets(sec, samples, scenarios, nMax);
  fs.mkdirSync(OUT, { recursive: true });
  const loads = samples.map((x) => x.load1);
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    /** The 1-minute load average at the end of each step: min, median, max (2 cores here). */
    load1: { min: Math.min(...loads), median: median(loads), max: Math.max(...loads) },
    bcryptRounds: BCRYPT_ROUNDS,
    skipPreview: SKIP_PREVIEW,
    skipCheckpoints: SKIP_CHECKPOINTS,
    rounds: ROUNDS,
    sizes: SIZES,
    scenarios,
    medians: sec,
    cpuMedians: cpu,
    targets: checked,
    samples,
  };
  console.log(
    `\nMedian seconds of ${ROUNDS} round(s), (ratio) to the floor of the same language host` +
      (scenarios.includes("strictfloor") && scenarios.includes("floor")
        ? " (Node.js: strictfloor), [ratio] to the serialized floor"
        : "") +
      `:\n\n${table(sec, scenarios)}\n\n` +
      `Median CPU seconds of the step's processes (CLI, language host, program, providers; no server):\n\n` +
      `${table(cpu, scenarios, "cpu")}\n\nCPU seconds by process (medians):\n\n${cpuSplitTable(samples, scenarios)}\n\n` +
      `${extrasTable(samples, scenarios)}\n`,
  );
  console.log(
    `Load average (1 min) at the end of the steps: min ${result.load1.min.toFixed(2)}, ` +
      `median ${result.load1.median.toFixed(2)}, max ${result.load1.max.toFixed(2)} (${os.cpus().length} cores)\n`,
  );
  console.log("Targets:");
  for (const t of checked) console.log(`  ${t.ok ? "PASS" : "MISS"}  ${t.what}: ${t.value}`);
  if (PROFILE) {
    // profiled processes run slower: their figures do not replace the results
    fs.writeFileSync(path.join(PROFILE, "bench.json"), JSON.stringify(result, null, 2) + "\n");
    console.log(`\nprofiles under ${PROFILE}: npx ts-node bench/profile.ts ${PROFILE}`);
  } else {
    const json = path.join(OUT, `${OUT_NAME}.json`);
    const svg = path.join(OUT, OUT_NAME === "latest" ? "chart.svg" : `${OUT_NAME}.svg`);
    fs.writeFileSync(json, JSON.stringify(result, null, 2) + "\n");
    fs.writeFileSync(
      svg,
      chart(sec, scenarios, SIZES, [...STEPS], (s) => floorOf(s as Scenario)),
    );
    console.log(`\nwrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), svg)}`);
  }
  process.exit(checked.every((t) => t.ok) ? 0 : 1);
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
