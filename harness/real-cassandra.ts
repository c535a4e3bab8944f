/**
 * Starts a real Apache Cassandra (scripts/install-cassandra.sh: cassandra-all from Maven
 * Central) on the machine's JDK 17: one node on 127.0.0.1, free ports, a temporary directory,
 * PasswordAuthenticator and CassandraAuthorizer, small memtables and no caches; optionally
 * with client TLS only (a self-signed certificate for 127.0.0.1 made with keytool). Stops its
 * whole process group.
 *
 * Facts this relies on (measured with 5.0.9 here): CQL listens 10-15 s after start; the
 * default superuser cassandra/cassandra exists about 0.2 s later (the first login is tried
 * again); a role's password may be changed again at once only with
 * cassandra.role_password_update_min_interval_in_ms=0 (5.0 refuses a second change within 5 s
 * otherwise); after ALTER ROLE the old password keeps logging in, and the new one does not, for
 * about a second (the credentials cache, credentials_validity 2 s, left at its default here as
 * on a real cluster); SIGTERM stops the node in about 6 s.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Daemon, startDaemon } from "./daemon";
import { freePort } from "./support";
import { cassandraLib } from "./tools";

/** The superuser every new node starts with; suites change its password first. */
export const CASSANDRA_DEFAULT_SUPERUSER = Object.freeze({ username: "cassandra", password: "cassandra" });

export interface RealCassandra {
  /** The node's directory (config, data, logs). */
  dir: string;
  /** host:port of the native (CQL) transport. */
  address: string;
  port: number;
  /** With client TLS: the PEM of the node's self-signed certificate, its own CA. */
  caCertificate?: string;
  /** The superuser's password now (setSuperuserPassword changes it). */
  superuser: { username: string; password: string };
  /** Stops the node (SIGTERM, then SIGKILL); its data stays for `restart`. */
  stop(): Promise<void>;
  /** Starts the stopped node again on the same ports with its data. */
  restart(): Promise<void>;
  /** The process id of the node's JVM while it runs. */
  pid(): number | undefined;
  /** CPU seconds the node's JVM has used so far (user + system). */
  cpuSeconds(): number;
  /** Stops the node and removes its directory. */
  destroy(): Promise<void>;
}

/** The JVM flags of Cassandra's own jvm17-server.options that a node on JDK 17 needs (JPMS); nodetool too. */
export const JPMS = [
  "java.base/jdk.internal.misc",
  "java.management.rmi/com.sun.jmx.remote.internal.rmi",
  "java.rmi/sun.rmi.registry",
  "java.rmi/sun.rmi.server",
  "java.sql/java.sql",
  "java.base/java.lang.ref",
  "jdk.unsupported/sun.misc",
  "jdk.compiler/com.sun.tools.javac.file",
  "jdk.attach/sun.tools.attach",
].flatMap((p) => ["--add-exports", `${p}=ALL-UNNAMED`]);
export const OPENS = [
  "java.base/java.lang.module",
  "java.base/jdk.internal.loader",
  "java.base/jdk.internal.ref",
  "java.base/jdk.internal.reflect",
  "java.base/jdk.internal.math",
  "java.base/jdk.internal.module",
  "java.base/jdk.internal.util.jar",
  "jdk.management/com.sun.management.internal",
  "java.base/sun.nio.ch",
  "java.base/java.io",
  "java.base/java.lang.reflect",
  "jdk.compiler/com.sun.tools.javac",
  "java.base/java.lang",
  "java.base/java.util",
].flatMap((p) => ["--add-opens", `${p}=ALL-UNNAMED`]);

/** What one node's cassandra.yaml says (the single node, or a node of harness/cassandra-cluster). */
export interface NodeConfig {
  /** The node's directory: data, commit log, hints, caches and logs go below it. */
  dir: string;
  /** listen_address and rpc_address. */
  host: string;
  ports: { cql: number; storage: number };
  /** host:port of every seed. */
  seeds: string[];
  clusterName?: string;
  /** The node's one token (num_tokens 1): a cluster spreads them evenly. */
  initialToken?: string;
  tls?: { keystore: string; password: string };
  /** More cassandra.yaml lines (`key: value`), e.g. `credentials_validity: 30000ms`. */
  extra?: string[];
}

/** A node's cassandra.yaml: PasswordAuthenticator, small memtables, no caches. */
export function cassandraYaml(c: NodeConfig): string {
  const { dir, host, ports } = c;
  const lines = [
    `cluster_name: ${c.clusterName ?? "pdp-test"}`,
    "num_tokens: 1",
    `initial_token: ${c.initialToken ?? "0"}`,
    "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
    "authenticator: PasswordAuthenticator",
    "authorizer: CassandraAuthorizer",
    "role_manager: CassandraRoleManager",
    "data_file_directories:",
    `  - ${dir}/data`,
    `commitlog_directory: ${dir}/commitlog`,
    `saved_caches_directory: ${dir}/saved_caches`,
    `hints_directory: ${dir}/hints`,
    `cdc_raw_directory: ${dir}/cdc_raw`,
    "commitlog_sync: periodic",
    "commitlog_sync_period: 10000ms",
    "seed_provider:",
    "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
    "    parameters:",
    `      - seeds: "${c.seeds.join(",")}"`,
    `listen_address: ${host}`,
    `rpc_address: ${host}`,
    `storage_port: ${ports.storage}`,
    `native_transport_port: ${ports.cql}`,
    "start_native_transport: true",
    "endpoint_snitch: SimpleSnitch",
    "key_cache_size: 0MiB",
    "counter_cache_size: 0MiB",
    "row_cache_size: 0MiB",
    "memtable_heap_space: 32MiB",
    "memtable_offheap_space: 32MiB",
    "concurrent_reads: 4",
    "concurrent_writes: 4",
    "concurrent_counter_writes: 2",
    ...(c.extra ?? []),
  ];
  if (c.tls) {
    lines.push(
      "client_encryption_options:",
      "  enabled: true",
      "  optional: false",
      `  keystore: ${c.tls.keystore}`,
      `  keystore_password: ${c.tls.password}`,
      "  require_client_auth: false",
    );
  }
  return lines.join("\n") + "\n";
}

/** Writes a node's cassandra.yaml and its logback.xml (the log goes to `dir`/system.log). */
export function writeNodeFiles(dir: string, yaml: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "cassandra.yaml"), yaml);
  fs.writeFileSync(
    path.join(dir, "logback.xml"),
    `<configuration><appender name="FILE" class="ch.qos.logback.core.FileAppender"><file>${dir}/system.log</file>` +
      `<encoder><pattern>%-5level [%thread] %date %F:%L - %msg%n</pattern></encoder></appender>` +
      `<root level="INFO"><appender-ref ref="FILE"/></root></configuration>\n`,
  );
}

export interface JvmOptions {
  /** The node's directory (its cassandra.yaml and logback.xml: writeNodeFiles). */
  dir: string;
  /** See CassandraOptions. */
  serverJit?: boolean;
  bcryptRounds?: number;
  /** Maximum heap in MiB (default 512). */
  heapMb?: number;
  /** JMX on 127.0.0.1 at this port (nodetool's); without it the node opens no JMX port. */
  jmxPort?: number;
  /**
   * cassandra.ring_delay_ms (default 30 s): among other waits, how long a node that lists
   * other seeds tries to reach them at start before it goes on alone.
   */
  ringDelayMs?: number;
}

/** The `java` arguments that run a node on the machine's JDK 17. */
export function cassandraJvmArgs(o: JvmOptions): string[] {
  const { dir } = o;
  return [
    "-Xms64m",
    `-Xmx${o.heapMb ?? 512}m`,
    ...(o.serverJit ? [] : ["-XX:TieredStopAtLevel=1"]),
    "-XX:+UseG1GC",
    "-Xss512k",
    ...JPMS,
    ...OPENS,
    "-Djdk.attach.allowAttachSelf=true",
    "-Dio.netty.tryReflectionSetAccessible=true",
    `-Dcassandra.config=file://${dir}/cassandra.yaml`,
    `-Dcassandra.storagedir=${dir}`,
    `-Dcassandra.logdir=${dir}`,
    `-Dlogback.configurationFile=${dir}/logback.xml`,
    "-Dcassandra-foreground=yes",
    "-Dcassandra.superuser_setup_delay_ms=0",
    "-Dcassandra.skip_wait_for_gossip_to_settle=0",
    "-Dcassandra.role_password_update_min_interval_in_ms=0",
    ...(o.ringDelayMs !== undefined ? [`-Dcassandra.ring_delay_ms=${o.ringDelayMs}`] : []),
    ...(o.jmxPort
      ? [`-Dcassandra.jmx.local.port=${o.jmxPort}`, "-Dcom.sun.management.jmxremote.authenticate=false"]
      : []),
    ...(o.bcryptRounds ? [`-Dcassandra.auth_bcrypt_gensalt_log2_rounds=${o.bcryptRounds}`] : []),
    "-cp",
    `${cassandraLib()}/*`,
    "org.apache.cassandra.service.CassandraDaemon",
  ];
}

/** Fields of /proc/<pid>/stat after the command name (field 3 onwards), or undefined once it is gone. */
function procStat(pid: number | undefined): string[] | undefined {
  if (!pid) return undefined;
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) process `pid` has used so far; 0 when it is gone. */
export function processCpuSeconds(pid: number | undefined): number {
  const fields = procStat(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / 100 : 0; // utime + stime, in clock ticks
}

/** Resident memory of process `pid` in bytes (VmRSS); 0 when it is gone. */
export function processRssBytes(pid: number | undefined): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A keystore with a self-signed certificate for `hosts` (IP addresses), and that certificate as PEM. */
export function selfSigned(
  dir: string,
  hosts: string[] = ["127.0.0.1"],
): { keystore: string; password: string; pem: string } {
  const keystore = path.join(dir, "node.p12");
  const password = "keystore-pass"; // guards a throwaway test key on loopback only
  execFileSync(
    "keytool",
    [
      "-genkeypair",
      "-alias",
      "node",
      "-keyalg",
      "RSA",
      "-keysize",
      "2048",
      "-validity",
      "2",
      "-dname",
      `CN=${hosts[0]}`,
      "-ext",
      `SAN=${hosts.map((h) => `ip:${h}`).join(",")},dns:localhost`,
      "-storetype",
      "PKCS12",
      "-keystore",
      keystore,
      "-storepass",
      password,
      "-keypass",
      password,
    ],
    { stdio: "ignore" },
  );
  const pem = execFileSync(
    "keytool",
    ["-exportcert", "-rfc", "-alias", "node", "-keystore", keystore, "-storepass", password],
    {
      encoding: "utf8",
    },
  );
  return { keystore, password, pem };
}

/** Whether the node's CQL port accepts a login as `user` (any failure: not yet). */
async function canConnect(port: number, user: { username: string; password: string }, ca?: string): Promise<boolean> {
  const { cqlCanLogin } = await import("./cql");
  return cqlCanLogin(
    { address: `127.0.0.1:${port}`, tls: ca !== undefined, caCertificate: ca },
    user.username,
    user.password,
  );
}

export interface CassandraOptions {
  /** Client TLS only, with a self-signed certificate for 127.0.0.1. */
  tls?: boolean;
  /**
   * The JVM's full JIT, as a server runs; by default only its first tier (C1), which starts
   * the node sooner: the tests take C1, the benchmark the server's JIT.
   */
  serverJit?: boolean;
  /**
   * bcrypt's log2 rounds for the passwords the node hashes (Cassandra's default: 10, about
   * 100 ms of the node's CPU for every login). The benchmark lowers it: see bench/run.ts.
   */
  bcryptRounds?: number;
}

export async function startRealCassandra(options: CassandraOptions = {}): Promise<RealCassandra> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-cassandra-"));
  const host = "127.0.0.1";
  const ports = { cql: await freePort(), storage: await freePort() };
  const tls = options.tls ? selfSigned(dir) : undefined;
  writeNodeFiles(dir, cassandraYaml({ dir, host, ports, seeds: [`${host}:${ports.storage}`], tls }));
  let server: Daemon | undefined;
  const superuser = { ...CASSANDRA_DEFAULT_SUPERUSER };
  const launch = async () => {
    server = await startDaemon({
      name: "Cassandra",
      command: "java",
      args: cassandraJvmArgs({ dir, serverJit: options.serverJit, bcryptRounds: options.bcryptRounds }),
      logFile: path.join(dir, "stdout.log"),
      serverLog: path.join(dir, "system.log"),
      readyWhen: "accept a CQL login",
      ready: () => canConnect(ports.cql, superuser, tls?.pem),
      graceMs: 15000,
    });
  };
  const stop = async () => {
    await server?.stop();
  };
  await launch();
  return {
    dir,
    address: `${host}:${ports.cql}`,
    port: ports.cql,
    caCertificate: tls?.pem,
    superuser,
    stop,
    restart: launch,
    pid: () => server?.child.pid,
    cpuSeconds: () => processCpuSeconds(server?.child.pid),
    async destroy() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const shared = new Map<string, Promise<RealCassandra>>();

/**
 * One node per test process (one with client TLS, one without), started on first use, its
 * superuser's password replaced by a generated one, and stopped when the process exits:
 * suites share it and set up their own roles. A suite may restart it; it may not destroy it.
 */
export function sharedCassandra(options: { tls?: boolean } = {}): Promise<RealCassandra> {
  const key = options.tls ? "tls" : "plain";
  let node = shared.get(key);
  if (!node) {
    node = (async () => {
      const started = await startRealCassandra(options);
      // (the node itself is killed by harness/daemon's exit handler, registered before this one)
      process.on("exit", () => fs.rmSync(started.dir, { recursive: true, force: true }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { generatePassword, MILVUS_PASSWORD_POLICY } = require("../provider/shared/password");
      const password: string = generatePassword(MILVUS_PASSWORD_POLICY);
      const { alterRolePassword } = await import("./cql");
      const endpoint = { address: started.address, tls: options.tls, caCertificate: started.caCertificate };
      await alterRolePassword(endpoint, started.superuser, "cassandra", password, { settle: true });
      started.superuser.password = password;
      return started;
    })();
    shared.set(key, node);
  }
  return node;
}

const sharedStoppers: Array<() => Promise<void>> = [];

/**
 * Registers what stops another shared server of this family (harness/cassandra-cluster's
 * shared cluster): stopSharedCassandra, the root hook after the last test, runs it too.
 */
export function onStopShared(stop: () => Promise<void>): void {
  sharedStoppers.push(stop);
}

/** Stops the shared nodes (and clusters) that were started (test/helpers/root-hooks.ts, after the last test). */
export async function stopSharedCassandra(): Promise<void> {
  await Promise.all(sharedStoppers.map((stop) => stop()));
  const started = [...shared.values()];
  shared.clear();
  await Promise.all(
    started.map(async (node) => {
      const n = await node.catch(() => undefined);
      await n?.destroy();
    }),
  );
}
