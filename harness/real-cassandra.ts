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
  /** CPU seconds the node's JVM has used so far (user + system). */
  cpuSeconds(): number;
  /** Stops the node and removes its directory. */
  destroy(): Promise<void>;
}

/** The JVM flags of Cassandra's own jvm17-server.options that a node on JDK 17 needs (JPMS). */
const JPMS = [
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
const OPENS = [
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

function config(dir: string, ports: { cql: number; storage: number }, tls?: { keystore: string; password: string }) {
  const lines = [
    "cluster_name: pdp-test",
    "num_tokens: 1",
    "initial_token: 0",
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
    `      - seeds: "127.0.0.1:${ports.storage}"`,
    "listen_address: 127.0.0.1",
    "rpc_address: 127.0.0.1",
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
  ];
  if (tls) {
    lines.push(
      "client_encryption_options:",
      "  enabled: true",
      "  optional: false",
      `  keystore: ${tls.keystore}`,
      `  keystore_password: ${tls.password}`,
      "  require_client_auth: false",
    );
  }
  return lines.join("\n") + "\n";
}

/** A keystore with a self-signed certificate for 127.0.0.1, and that certificate as PEM. */
function selfSigned(dir: string): { keystore: string; password: string; pem: string } {
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
      "CN=127.0.0.1",
      "-ext",
      "SAN=ip:127.0.0.1,dns:localhost",
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
  const lib = cassandraLib();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-cassandra-"));
  const ports = { cql: await freePort(), storage: await freePort() };
  const tls = options.tls ? selfSigned(dir) : undefined;
  fs.writeFileSync(path.join(dir, "cassandra.yaml"), config(dir, ports, tls));
  fs.writeFileSync(
    path.join(dir, "logback.xml"),
    `<configuration><appender name="FILE" class="ch.qos.logback.core.FileAppender"><file>${dir}/system.log</file>` +
      `<encoder><pattern>%-5level [%thread] %date %F:%L - %msg%n</pattern></encoder></appender>` +
      `<root level="INFO"><appender-ref ref="FILE"/></root></configuration>\n`,
  );
  let server: Daemon | undefined;
  const superuser = { ...CASSANDRA_DEFAULT_SUPERUSER };
  const launch = async () => {
    server = await startDaemon({
      name: "Cassandra",
      command: "java",
      args: [
        "-Xms64m",
        "-Xmx512m",
        ...(options.serverJit ? [] : ["-XX:TieredStopAtLevel=1"]),
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
        ...(options.bcryptRounds ? [`-Dcassandra.auth_bcrypt_gensalt_log2_rounds=${options.bcryptRounds}`] : []),
        "-cp",
        `${lib}/*`,
        "org.apache.cassandra.service.CassandraDaemon",
      ],
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
    address: `127.0.0.1:${ports.cql}`,
    port: ports.cql,
    caCertificate: tls?.pem,
    superuser,
    stop,
    restart: launch,
    cpuSeconds() {
      const pid = server?.child.pid;
      if (!pid) return 0;
      try {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
        return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
      } catch {
        return 0;
      }
    },
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

/** Stops the shared nodes that were started (test/helpers/root-hooks.ts, after the last test). */
export async function stopSharedCassandra(): Promise<void> {
  const started = [...shared.values()];
  shared.clear();
  await Promise.all(
    started.map(async (node) => {
      const n = await node.catch(() => undefined);
      await n?.destroy();
    }),
  );
}
