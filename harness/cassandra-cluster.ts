/**
 * A real 3-node Apache Cassandra cluster, the way ccm runs one on a laptop: one JVM per node,
 * each on a loopback address of its own (127.0.0.2, 127.0.0.3, 127.0.0.4: on Linux every
 * 127.x address reaches loopback without set-up), its own directory (cassandra.yaml, data,
 * commit log, hints, logs), its own JMX port on 127.0.0.1 (for nodetool), every node a seed,
 * one token each (evenly spread), small heaps, started one after another. The single-node
 * launcher (harness/real-cassandra.ts) writes the same cassandra.yaml and JVM flags.
 *
 * Ports: the CQL port is the same on every node's address, and so is the storage port (gossip
 * and streaming: Cassandra expects one per cluster); both are chosen free on all three
 * addresses. The suite's shared single node listens on 127.0.0.1 only, so it never collides with
 * these; another cluster (another test process) takes other free ports.
 *
 * Options: per node `credentials_validity` and `credentials_update_interval` (the credentials
 * cache that keeps an old password working on that node after ALTER ROLE), and the replication
 * of system_auth: by default, once every node runs, what a careful operator does, ALTER KEYSPACE
 * system_auth to NetworkTopologyStrategy {datacenter1: 3} then `nodetool repair -full
 * system_auth` so that the roles already written reach every replica; `authReplication: 1`
 * leaves Cassandra's default (SimpleStrategy, RF 1: each role on one node only).
 *
 * Operations: stop (SIGTERM), kill (SIGKILL), start and restart one node; stop all; CQL as the
 * superuser pinned to one node (the driver's AllowListPolicy: the statement's coordinator is
 * that node); which nodes hold a role's row; nodetool. `sharedCassandraCluster()` starts one
 * cluster per test process, on first use, and real-cassandra's stopSharedCassandra (the root
 * hook after the last test) stops it.
 *
 * Measured here (Cassandra 5.0.9, 2 shared cores): the cluster starts in 37-53 s (node 1 about
 * 15 s, nodes 2 and 3 about 10 s each, the RF change and repair 3-6 s); each node's RSS is 500-620
 * MiB (about 125 MiB of it the JDK's module image, shared). Node 1 lists seeds that are not up
 * yet and waits ring_delay for them (30 s by default, 3 s here). The default superuser logs in
 * on every node once the three have started one after another (each node creates it when it
 * finds no role). Logins read the role at LOCAL_QUORUM (the superuser at QUORUM), so with RF 1 a
 * role's login needs the one node that holds its row.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type * as CassandraDriver from "cassandra-driver";
import { loadDriver } from "./cql-driver";
import { Daemon, startDaemon } from "./daemon";
import {
  CASSANDRA_DEFAULT_SUPERUSER,
  JPMS,
  OPENS,
  cassandraJvmArgs,
  cassandraYaml,
  onStopShared,
  processCpuSeconds,
  processRssBytes,
  writeNodeFiles,
} from "./real-cassandra";
import { freePort, killGroup, sleep, waitFor } from "./support";
import { cqlString } from "../provider/cql/client";
import { redact, safeMessage } from "../provider/shared/redact";
import { cassandraLib } from "./tools";

export interface ClusterNodeOptions {
  /** credentials_validity of this node, ms (Cassandra's default 2000). */
  credentialsValidityMs?: number;
  /** credentials_update_interval of this node, ms (Cassandra's default: the validity). */
  credentialsUpdateIntervalMs?: number;
}

export interface CassandraClusterOptions {
  /** Per node (index 0 is node 1); nodes not listed take Cassandra's defaults. */
  nodes?: ClusterNodeOptions[];
  /** system_auth's replication: 3 (default: NetworkTopologyStrategy, then repair) or 1 (Cassandra's default). */
  authReplication?: 1 | 3;
  /** Maximum heap of each node, MiB (default 256). */
  heapMb?: number;
}

export interface ClusterNode {
  /** 1, 2, 3. */
  readonly index: number;
  readonly host: string;
  readonly port: number;
  /** host:port of its native (CQL) transport. */
  readonly address: string;
  readonly jmxPort: number;
  readonly dir: string;
  /** Its one token. */
  readonly token: bigint;
  running(): boolean;
  pid(): number | undefined;
  /** Starts the node (after stop or kill) with its data, and waits until its CQL port listens. */
  start(): Promise<void>;
  /** SIGTERM: the node announces its shutdown to the others, then exits (SIGKILL after 20 s). */
  stop(): Promise<void>;
  /** SIGKILL: gone without a word; the others notice through their failure detector. */
  kill(): Promise<void>;
  /** stop, then start. */
  restart(): Promise<void>;
  cpuSeconds(): number;
  rssBytes(): number;
  /** Runs statements as the superuser with this node as the coordinator; `secrets` stay out of errors. */
  cql(statements: string[], secrets?: string[]): Promise<CassandraDriver.types.ResultSet[]>;
}

export interface CassandraCluster {
  readonly dir: string;
  readonly nodes: ClusterNode[];
  /** The superuser's password now (the shared cluster replaces cassandra's). */
  readonly superuser: { username: string; password: string };
  readonly authReplication: 1 | 3;
  /** How long the start took, ms: every node up, the superuser in, system_auth replicated. */
  readonly startMs: number;
  /** system_auth to RF 3 (NetworkTopologyStrategy, then repair) or back to Cassandra's default. */
  setAuthReplication(rf: 1 | 3): Promise<void>;
  /** The nodes that hold `role`'s row in system_auth.roles now (by token, as the ring places it). */
  replicasOfRole(role: string): Promise<ClusterNode[]>;
  /** nodetool against `node` (JMX on 127.0.0.1); resolves with its output. */
  nodetool(node: ClusterNode, args: string[]): Promise<string>;
  /** Stops every node (SIGTERM); `node.start()` starts one again. */
  stopAll(): Promise<void>;
  /** Stops every node and removes the cluster's directory. */
  destroy(): Promise<void>;
}

const HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
const DC = "datacenter1";
/**
 * The first node lists the two others as seeds and, at its first start, waits this long for
 * them before it goes on alone (30 s by default; this is most of a cluster's start).
 */
const RING_DELAY_MS = 3000;

/** Tokens spread evenly over Murmur3's range (-2^63 .. 2^63-1), as ccm assigns them. */
function tokens(n: number): bigint[] {
  const span = 2n ** 64n;
  return Array.from({ length: n }, (_, i) => -(2n ** 63n) + (span / BigInt(n)) * BigInt(i));
}

/** Whether `port` can be bound on `host` now. */
function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** A port free on every one of `hosts` (taken free on the first, then checked on the others). */
async function freePortOnAll(hosts: string[], avoid: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once("error", reject);
      s.listen(0, hosts[0], () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (avoid.includes(port)) continue;
    if ((await Promise.all(hosts.slice(1).map((h) => canBind(h, port)))).every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${hosts.join(", ")}`);
}

/** Whether something accepts a TCP connection at host:port (the native transport listens last). */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.setTimeout(1000, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

/**
 * A driver client that talks to `address` only: the AllowListPolicy keeps every other node
 * ignored (no connection, never a coordinator), so a statement runs where the caller says.
 */
function pinnedClient(address: string, user: { username: string; password: string }): CassandraDriver.Client {
  const cassandra = loadDriver();
  return new cassandra.Client({
    contactPoints: [address],
    localDataCenter: DC,
    credentials: { username: user.username, password: user.password },
    isMetadataSyncEnabled: false,
    protocolOptions: { maxVersion: cassandra.types.protocolVersion.v4 },
    socketOptions: { connectTimeout: 10000, readTimeout: 20000 },
    pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 1 }, warmup: false },
    policies: {
      loadBalancing: new cassandra.policies.loadBalancing.AllowListPolicy(
        new cassandra.policies.loadBalancing.RoundRobinPolicy(),
        [address],
      ),
      retry: new cassandra.policies.retry.FallthroughRetryPolicy(),
      reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1000),
    },
  });
}

/** The driver's Murmur3 token of a partition key (a text key: its UTF-8 bytes). */
function murmur3Token(key: string): bigint {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Murmur3Tokenizer = require("cassandra-driver/lib/tokenizer").Murmur3Tokenizer;
  const token = new Murmur3Tokenizer().hash(Buffer.from(key, "utf8"));
  return BigInt(token.getValue().toString());
}

/** The node whose range (previous token, own token] holds `t`: the first token >= t, wrapping. */
function ownerIndex(sorted: bigint[], t: bigint): number {
  const i = sorted.findIndex((x) => x >= t);
  return i < 0 ? 0 : i;
}

export async function startCassandraCluster(options: CassandraClusterOptions = {}): Promise<CassandraCluster> {
  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-cassandra-cluster-"));
  const hosts = HOSTS;
  const cqlPort = await freePortOnAll(hosts);
  const storagePort = await freePortOnAll(hosts, [cqlPort]);
  const seeds = hosts.map((h) => `${h}:${storagePort}`);
  const ring = tokens(hosts.length);
  const superuser = { ...CASSANDRA_DEFAULT_SUPERUSER };
  const clusterName = `pdp-cluster-${cqlPort}`;

  const nodes: ClusterNode[] = [];
  for (const [i, host] of hosts.entries()) {
    const nodeDir = path.join(dir, `node${i + 1}`);
    const o = options.nodes?.[i] ?? {};
    const extra = [
      ...(o.credentialsValidityMs !== undefined ? [`credentials_validity: ${o.credentialsValidityMs}ms`] : []),
      ...(o.credentialsUpdateIntervalMs !== undefined
        ? [`credentials_update_interval: ${o.credentialsUpdateIntervalMs}ms`]
        : []),
    ];
    writeNodeFiles(
      nodeDir,
      cassandraYaml({
        dir: nodeDir,
        host,
        ports: { cql: cqlPort, storage: storagePort },
        seeds,
        clusterName,
        initialToken: ring[i].toString(),
        extra,
      }),
    );
    nodes.push(
      makeNode(i + 1, host, cqlPort, await freePort(), nodeDir, ring[i], options.heapMb ?? 256, () => superuser),
    );
  }
  const cluster: CassandraCluster = {
    dir,
    nodes,
    superuser,
    authReplication: options.authReplication ?? 3,
    startMs: 0,
    async setAuthReplication(rf) {
      const replication =
        rf === 3
          ? `{'class': 'NetworkTopologyStrategy', '${DC}': 3}`
          : `{'class': 'SimpleStrategy', 'replication_factor': 1}`;
      // A node that has just joined may not yet be NORMAL in node 1's gossip ("Cannot alter RF
      // while some endpoints are not in normal state"): ask again, for up to a minute.
      const deadline = Date.now() + 60000;
      for (;;) {
        try {
          await nodes[0].cql([`ALTER KEYSPACE system_auth WITH replication = ${replication}`]);
          break;
        } catch (err) {
          if (!/not in normal state/i.test((err as Error).message) || Date.now() > deadline) throw err;
          await sleep(500);
        }
      }
      // The rows written under RF 1 are on one node each: a full repair of the keyspace on one
      // node (a replica of every range at RF 3) copies each to the two others.
      if (rf === 3) await cluster.nodetool(nodes[0], ["repair", "-full", "system_auth"]);
      (cluster as { authReplication: 1 | 3 }).authReplication = rf;
    },
    async replicasOfRole(role) {
      const sorted = nodes.map((n) => n.token).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const first = ownerIndex(sorted, murmur3Token(role));
      const rf = cluster.authReplication;
      const chosen = Array.from({ length: rf }, (_, k) => sorted[(first + k) % sorted.length]);
      return nodes.filter((n) => chosen.includes(n.token));
    },
    nodetool(node, args) {
      return new Promise((resolve, reject) => {
        execFile(
          "java",
          [
            "-Xmx128m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            ...JPMS,
            ...OPENS,
            // nodetool keeps its history under the user's home: here, under the node's directory
            `-Duser.home=${node.dir}`,
            "-Dlogback.configurationFile=" + path.join(node.dir, "logback.xml"),
            "-cp",
            `${cassandraLib()}/*`,
            "org.apache.cassandra.tools.NodeTool",
            "-h",
            "127.0.0.1",
            "-p",
            String(node.jmxPort),
            ...args,
          ],
          { timeout: 120000, maxBuffer: 16 * 1024 * 1024 },
          (err, stdout, stderr) =>
            err
              ? reject(new Error(`nodetool ${args.join(" ")} on node ${node.index} failed: ${stderr || err.message}`))
              : resolve(stdout),
        );
      });
    },
    async stopAll() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
    async destroy() {
      await cluster.stopAll();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // One after another, as ccm starts them: a node joins with the tokens of those before it.
    for (const node of nodes) {
      const t = Date.now();
      await node.start();
      if (process.env.PDP_CLUSTER_DEBUG) console.error(`node ${node.index} up in ${Date.now() - t} ms`);
    }
    // The default superuser: created by whichever node saw no role (harness facts above).
    for (const node of nodes)
      await waitFor(`the superuser to log in on node ${node.index}`, () => canLogin(node, superuser), 60000, 250);
    if (cluster.authReplication === 3) await cluster.setAuthReplication(3);
  } catch (err) {
    await cluster.destroy().catch(() => undefined);
    throw err;
  }
  (cluster as { startMs: number }).startMs = Date.now() - t0;
  return cluster;
}

async function canLogin(node: ClusterNode, user: { username: string; password: string }): Promise<boolean> {
  const { cqlNodeLogin } = await import("../provider/cql/login");
  return cqlNodeLogin({ host: node.host, port: node.port }, user.username, user.password, 3000);
}

function makeNode(
  index: number,
  host: string,
  port: number,
  jmxPort: number,
  dir: string,
  token: bigint,
  heapMb: number,
  superuser: () => { username: string; password: string },
): ClusterNode {
  let server: Daemon | undefined;
  const running = () => !!server && server.child.exitCode === null && server.child.signalCode === null;
  const node: ClusterNode = {
    index,
    host,
    port,
    address: `${host}:${port}`,
    jmxPort,
    dir,
    token,
    running,
    pid: () => (running() ? server?.child.pid : undefined),
    async start() {
      if (running()) return;
      server = await startDaemon({
        name: `Cassandra node ${index} (${host})`,
        command: "java",
        args: cassandraJvmArgs({ dir, heapMb, jmxPort, ringDelayMs: RING_DELAY_MS }),
        logFile: path.join(dir, "stdout.log"),
        serverLog: path.join(dir, "system.log"),
        readyWhen: `listen for CQL on ${host}:${port}`,
        ready: () => listening(host, port),
        graceMs: 20000,
      });
    },
    async stop() {
      await server?.stop();
    },
    async kill() {
      const s = server;
      if (!s || !running()) return;
      const exited = new Promise<void>((resolve) => s.child.once("exit", () => resolve()));
      killGroup(s.child.pid, "SIGKILL");
      await exited;
      await s.stop(); // forgets it (nothing left to signal)
    },
    async restart() {
      await node.stop();
      await node.start();
    },
    cpuSeconds: () => processCpuSeconds(node.pid()),
    rssBytes: () => processRssBytes(node.pid()),
    async cql(statements, secrets = []) {
      const client = pinnedClient(node.address, superuser());
      try {
        await client.connect();
        const results: CassandraDriver.types.ResultSet[] = [];
        for (const st of statements) results.push(await client.execute(st, [], { prepare: false }));
        return results;
      } catch (err) {
        throw statementError(node, err, [superuser().password, ...secrets]);
      } finally {
        await client.shutdown().catch(() => undefined);
      }
    },
  };
  return node;
}

/**
 * A failed statement as an Error naming the node, its text redacted of `secrets` (the driver's
 * message may quote a statement), and the driver's error name and code as `cause`.
 */
function statementError(node: ClusterNode, err: unknown, secrets: string[]): Error {
  const { name, code } = err as { name?: string; code?: number };
  const text = redact(safeMessage(err, secrets), secrets);
  return new Error(`CQL on node ${node.index} (${node.address}) failed: ${text}`, { cause: { name, code } });
}

const shared = new Map<string, Promise<CassandraCluster>>();

/**
 * One cluster per test process and set of options, started on first use, the superuser's
 * password replaced by a generated one (written to every replica), stopped after the last test
 * (real-cassandra's stopSharedCassandra). Suites share it and make their own roles; a suite that
 * stops a node or changes system_auth's replication puts it back.
 */
export function sharedCassandraCluster(options: CassandraClusterOptions = {}): Promise<CassandraCluster> {
  const key = JSON.stringify(options);
  let cluster = shared.get(key);
  if (!cluster) {
    cluster = (async () => {
      const started = await startCassandraCluster(options);
      process.on("exit", () => fs.rmSync(started.dir, { recursive: true, force: true }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { generatePassword, MILVUS_PASSWORD_POLICY } = require("../provider/shared/password");
      const password: string = generatePassword(MILVUS_PASSWORD_POLICY);
      await started.nodes[0].cql([`ALTER ROLE cassandra WITH PASSWORD = ${cqlString(password)}`], [password]);
      started.superuser.password = password;
      for (const node of started.nodes)
        await waitFor(
          `the superuser's new password on node ${node.index}`,
          () => canLogin(node, started.superuser),
          10000,
          200,
        );
      return started;
    })();
    shared.set(key, cluster);
  }
  return cluster;
}

onStopShared(async () => {
  const started = [...shared.values()];
  shared.clear();
  await Promise.all(started.map(async (c) => (await c.catch(() => undefined))?.destroy()));
});
