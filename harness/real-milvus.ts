/**
 * Starts the embedded Milvus server (PyPI `milvus`) with authorization on, on free loopback
 * ports, in a temporary data directory; stops its whole process group.
 *
 * Several can run at once (one per test worker, or two in one test): each has its own data
 * directory and its own ports, none of them a default.
 * - The launcher (`milvus-server`) would otherwise pick each component's port by probing upward
 *   from a fixed default (53100, 19529, 19531, ...) and release it before the server binds it,
 *   so two servers started together could both pick the same one.
 * - The embedded etcd ignores those options: without a config file of its own it listens on
 *   etcd's defaults, 127.0.0.1:2379 (client) and :2380 (peer), whatever `--etcd-port` says.
 *   Milvus reads `etcd.config.path` from its environment (ETCD_CONFIG_PATH overrides
 *   milvus.yaml, which has no such key for `--extra-config` to set), so each server gets an etcd
 *   config file naming its own client and peer ports, data directory and log.
 * - Its ports are drawn below the kernel's ephemeral range: a port the OS hands out (port 0)
 *   lies in that range, where every outgoing connection of a busy test run also takes its
 *   local port, and Milvus binds some ports seconds after they were chosen (a full run saw its
 *   etcd's taken so). Should one be taken anyway, Milvus says so and dies: it is started again
 *   on other ports.
 * - The metrics/health port (9091 upward) is chosen by the launcher alone and cannot be set;
 *   should two clash, the second only logs "handle metrics failed" and serves everything else
 *   (nothing here uses that port: readiness is root's login on the proxy port).
 */
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { MILVUS_DEFAULT_ROOT } from "./fixtures";
import { milvusVenv } from "./tools";
import { startDaemon } from "./daemon";

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
const ATTEMPTS = 3;

/** The first port of the kernel's ephemeral range (Linux's ip_local_port_range; 32768 elsewhere). */
function ephemeralStart(): number {
  try {
    const first = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (first > 12000) return first;
  } catch {
    // not Linux
  }
  return 32768;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** `n` different loopback ports free now, drawn at random from 10000 up to the ephemeral range. */
async function freePorts(n: number): Promise<number[]> {
  const top = ephemeralStart();
  const ports = new Set<number>();
  while (ports.size < n) {
    const port = 10000 + Math.floor(Math.random() * (top - 10000));
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  return [...ports];
}

class PortTaken extends Error {}

export async function startRealMilvus(): Promise<RealMilvus> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === ATTEMPTS) throw err;
    }
  }
}

async function startOnce(): Promise<RealMilvus> {
  const venv = milvusVenv();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-milvus-"));
  // Milvus unpacked once by scripts/install-milvus.sh: the launcher finds it current in bin/.
  const unpacked = path.join(venv, "milvus-data", "bin");
  if (fs.existsSync(path.join(unpacked, ".unpacked"))) fs.symlinkSync(unpacked, path.join(dataDir, "bin"));
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
    const why = (fs.existsSync(stdout) ? fs.readFileSync(stdout, "utf8") : "").match(/^.*\[ERROR\].*$/m)?.[0] ?? "";
    const message = `milvus-server: Milvus exited while starting; see ${logs}${why ? `\n${why.slice(0, 400)}` : ""}`;
    if (/address already in use/.test(why)) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw new PortTaken(message);
    }
    throw new Error(message);
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
