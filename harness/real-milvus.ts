/**
 * Starts the embedded Milvus server (PyPI `milvus`) with authorization on, on free loopback
 * ports, in a temporary data directory; stops its whole process group.
 *
 * Several can run at once (one per test worker, or two in one test): each has its own data
 * directory and its own ports, every one of them handed out by the OS, none a default.
 * - The launcher (`milvus-server`) would otherwise pick each component's port by probing upward
 *   from a fixed default (53100, 19529, 19531, ...) and release it before the server binds it,
 *   so two servers started together could both pick the same one.
 * - The embedded etcd ignores those options: without a config file of its own it listens on
 *   etcd's defaults, 127.0.0.1:2379 (client) and :2380 (peer), whatever `--etcd-port` says.
 *   Milvus reads `etcd.config.path` from its environment (ETCD_CONFIG_PATH overrides
 *   milvus.yaml, which has no such key for `--extra-config` to set), so each server gets an etcd
 *   config file naming its own client and peer ports, data directory and log.
 * - The metrics/health port (9091 upward) is chosen by the launcher alone and cannot be set;
 *   should two clash, the second only logs "handle metrics failed" and serves everything else
 *   (nothing here uses that port: readiness is root's login on the proxy port).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MILVUS_DEFAULT_ROOT } from "./fixtures";
import { milvusVenv } from "./tools";
import { startDaemon } from "./daemon";
import { freePort } from "./support";

export interface RealMilvus {
  address: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Replaces root's well-known default password (MILVUS_DEFAULT_ROOT) with `password`: suites
 * never run with the default, and a config secret "Milvus" would be masked in every CLI line
 * that names the resource type.
 */
export async function setRootPassword(milvus: RealMilvus, password: string): Promise<void> {
  const { MilvusSession } = await import("../provider/milvus/client");
  const session = new MilvusSession({ hostPort: milvus.address, tls: false, timeoutMs: 10000 }, MILVUS_DEFAULT_ROOT);
  await session.updatePassword(MILVUS_DEFAULT_ROOT.username, MILVUS_DEFAULT_ROOT.password, password);
}

/** The launcher's options for the ports of Milvus's own components (its milvus.yaml template's `*_port`). */
const COMPONENT_PORTS = [
  "--root-coord-port",
  "--proxy-internal-port",
  "--query-coord-port",
  "--query-node-port",
  "--index-coord-port",
  "--index-node-port",
  "--data-coord-port",
  "--data-node-port",
];

/** `n` different free loopback ports. */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

export async function startRealMilvus(): Promise<RealMilvus> {
  const venv = milvusVenv();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-milvus-"));
  const [port, etcdClient, etcdPeer, ...components] = await freePorts(3 + COMPONENT_PORTS.length);
  const etcdConfig = path.join(dataDir, "etcd.yaml");
  const peerUrl = `http://127.0.0.1:${etcdPeer}`;
  fs.writeFileSync(
    etcdConfig,
    [
      "name: milvus",
      `data-dir: ${JSON.stringify(path.join(dataDir, "etcd.data"))}`,
      `listen-client-urls: http://127.0.0.1:${etcdClient}`,
      `advertise-client-urls: http://127.0.0.1:${etcdClient}`,
      `listen-peer-urls: ${peerUrl}`,
      `initial-advertise-peer-urls: ${peerUrl}`,
      `initial-cluster: milvus=${peerUrl}`,
      `log-outputs: [${JSON.stringify(path.join(dataDir, "etcd.log"))}]`,
      "",
    ].join("\n"),
  );
  const { canLogin } = await import("../provider/milvus/client");
  // The launcher outlives the Milvus process it runs: when Milvus dies (a port taken after
  // all, say) the launcher waits on, so look for Go's last words in Milvus's own stderr.
  const milvusStderr = path.join(dataDir, "logs", "milvus-stderr.log");
  const died = () =>
    /^(panic|fatal error):/m.test(fs.existsSync(milvusStderr) ? fs.readFileSync(milvusStderr, "utf8") : "");
  const server = await startDaemon({
    name: "milvus-server",
    command: path.join(venv, "bin", "milvus-server"),
    args: [
      ...["--data", dataDir, "--authorization-enabled", "true"],
      ...["--proxy-port", String(port), "--etcd-port", String(etcdClient)],
      ...COMPONENT_PORTS.flatMap((option, i) => [option, String(components[i])]),
    ],
    env: { ETCD_CONFIG_PATH: etcdConfig },
    logFile: path.join(dataDir, "server.log"),
    readyWhen: "accept root's login",
    ready: async () =>
      died() ||
      canLogin(
        { hostPort: `127.0.0.1:${port}`, tls: false, timeoutMs: 2000 },
        MILVUS_DEFAULT_ROOT.username,
        MILVUS_DEFAULT_ROOT.password,
      ),
  });
  if (died()) {
    await server.stop();
    // Milvus logs why (a port in use, say) as its first [ERROR] line, before it panics.
    const logs = path.join(dataDir, "logs");
    const stdout = path.join(logs, "milvus-stdout.log");
    const why = (fs.existsSync(stdout) ? fs.readFileSync(stdout, "utf8") : "").match(/^.*\[ERROR\].*$/m)?.[0];
    throw new Error(`milvus-server: Milvus exited while starting; see ${logs}${why ? `\n${why.slice(0, 400)}` : ""}`);
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
