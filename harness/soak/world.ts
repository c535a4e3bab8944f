/**
 * The servers a soak run talks to, all on 127.0.0.1, each started once per run and stopped at
 * its end (also when it fails or is interrupted): an embedded Milvus with authorization, a real
 * Cassandra node, three Redis servers, the GeminiDB emulator (its instances backed by the
 * Cassandra role `rwuser` and by the Redis servers), and a hold proxy in front of Milvus and one
 * in front of Cassandra, through which every provider connection to them goes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { GeminiDbEmulator, TEST_PROJECT, startEmulator } from "../geminidb-emulator";
import { HoldProxy } from "../hold-proxy";
import { RealCassandra, startRealCassandra } from "../real-cassandra";
import { RealMilvus, setRootPassword, startRealMilvus } from "../real-milvus";
import { RealRedis, startRealRedis } from "../real-redis";
import { Daemon, startDaemon } from "../daemon";
import { descendants, killGroup, sleep, waitFor } from "../support";
import { alterRolePassword, cqlAs } from "../cql";
import { pymilvusSetup } from "../pymilvus";
import { MILVUS_DEFAULT_ROOT } from "../fixtures";
import { Face, ResourceKey, resourceInfo } from "./plan";

/** The GeminiDB instances of the two stacks: each resource's own, with the real database behind it. */
export interface Instance {
  id: string;
  proof: "cql" | "redis";
  /** redis: its server. */
  redis?: RealRedis;
}

export interface World {
  milvus: RealMilvus;
  cassandra: RealCassandra;
  emu: GeminiDbEmulator;
  milvusProxy: HoldProxy;
  cqlProxy: HoldProxy;
  /** The Milvus root's and the Cassandra superuser's passwords, GeminiDB's AK/SK. */
  rootPassword: string;
  superuser: { username: string; password: string };
  ak: string;
  sk: string;
  instances: Record<`${Face}:${ResourceKey}`, Instance>;
  redisServers: RealRedis[];
  /** Restarts: the server goes down (SIGTERM) and comes back on the same port with its data. */
  restartMilvus(): Promise<void>;
  restartCassandra(): Promise<void>;
  restartRedis(server: RealRedis): Promise<void>;
  /** The secrets of the world itself (root, superuser, SK), for the leak checks. */
  secrets(): string[];
  stop(): Promise<void>;
}

/** Milvus roles and Cassandra grants the soak's identities hold, which rotations must leave intact. */
export const MILVUS_ROLE = "soak_reader";
export const CASSANDRA_ROLE = "soak_reader";
export const CASSANDRA_KEYSPACE = "soak_ks";

/** A GeminiDB instance id (32 hex characters, `in`, two digits) from a name. */
function instanceId(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hex = require("crypto").createHash("sha256").update(name).digest("hex").slice(0, 32);
  return `${hex}in12`;
}

/** Python that makes every socket's bind set SO_REUSEADDR first (a port in TIME_WAIT binds; one in use does not). */
const REUSE_ADDR_SHIM = [
  "import runpy, socket, sys",
  "_bind = socket.socket.bind",
  "def _reuse_bind(self, address):",
  "    self.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
  "    return _bind(self, address)",
  "socket.socket.bind = _reuse_bind",
].join("\n");

/**
 * The embedded Milvus can be stopped and started again only by its launcher's own command line:
 * harness/real-milvus offers no restart. So the launcher's command line and environment are read
 * from /proc once (its data directory is an absolute path), and a restart stops the running launcher's process group
 * and starts that command again (same data directory, same ports). The last one started is
 * stopped before the RealMilvus itself (whose stop removes the data directory).
 */
function milvusRestarter(milvus: RealMilvus, rootPassword: () => string, canary: { user: string; password: string }) {
  const launcher = descendants(process.pid).find(
    (p) => /milvus-server/.test(p.args) && new RegExp(`--proxy-port ${milvus.port}\\b`).test(p.args),
  );
  if (!launcher) throw new Error("the embedded Milvus launcher is not among this process's children");
  const argv = fs.readFileSync(`/proc/${launcher.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  const env = Object.fromEntries(
    fs
      .readFileSync(`/proc/${launcher.pid}/environ`, "utf8")
      .split("\0")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const dataDir = argv[argv.indexOf("--data") + 1];
  // Every port the launcher is told (the proxy's, and the components' where it is told them).
  // It checks each is free the way Python binds, without SO_REUSEADDR, so a port the stopped
  // server left in TIME_WAIT (a minute on Linux) reads as taken, and a port it is told and cannot
  // bind stops it. Milvus itself (Go) binds with SO_REUSEADDR, as Go's listeners do. So the
  // restarted launcher runs with Python's bind setting SO_REUSEADDR first (REUSE_ADDR_SHIM):
  // its check then refuses only a port some process listens on, and the restart need not wait
  // out TIME_WAIT (it waited a minute a restart, most of the short soak's time).
  const ports = argv.flatMap((a, i) => (/^--[a-z-]+-port$/.test(a) ? [argv[i + 1]] : []));
  const probe = [
    REUSE_ADDR_SHIM,
    "for p in sys.argv[1:]:",
    "    s = socket.socket()",
    "    s.bind(('127.0.0.1', int(p)))",
    "    s.close()",
  ].join("\n");
  const portsFree = () => spawnSync(argv[0], ["-c", probe, ...ports], { stdio: "ignore" }).status === 0;
  let pgid = launcher.pid;
  let current: Daemon | undefined;
  const groupGone = () => {
    try {
      process.kill(-pgid, 0);
      return false;
    } catch {
      return true;
    }
  };
  /** Stops the running server's whole process group (the launcher and Milvus below it) and waits until it is gone. */
  const stopRunning = async () => {
    killGroup(pgid, "SIGTERM");
    await waitFor("Milvus to stop", groupGone, 20000, 100).catch(async () => {
      killGroup(pgid, "SIGKILL");
      await waitFor("Milvus to end after SIGKILL", groupGone, 20000, 100);
    });
    await current?.stop(); // (already gone: this only forgets it)
  };
  const start = async () => {
    await waitFor("the stopped Milvus's ports to be free (no listener left)", portsFree, 150000, 1000);
    const { canLogin } = await import("../../provider/milvus/client");
    current = await startDaemon({
      name: "milvus-server (restarted)",
      // the launcher's own script (argv[1]) run by its Python, with REUSE_ADDR_SHIM first
      command: argv[0],
      args: [
        "-c",
        `${REUSE_ADDR_SHIM}\nsys.argv = sys.argv[1:]\nrunpy.run_path(sys.argv[0], run_name="__main__")`,
        ...argv.slice(1),
      ],
      env,
      logFile: `${dataDir}/server.log`,
      readyWhen: "accept root's login",
      ready: () => canLogin({ hostPort: milvus.address, tls: false, timeoutMs: 2000 }, "root", rootPassword()),
      readyTimeoutMs: 150000, // several times its start on a busy machine
      pollMs: 250,
      graceMs: 10000,
    });
    pgid = current.child.pid!;
    await credentialsSettled(milvus, rootPassword(), canary);
  };
  return {
    /** Stops Milvus and starts it again; a start that fails is tried twice more. */
    async restart(log: (line: string) => void) {
      await stopRunning();
      for (let attempt = 1; ; attempt++) {
        try {
          return await start();
        } catch (err) {
          if (attempt >= 3) throw err;
          log(`  Milvus did not come back (${(err as Error).message.split("\n")[0]}); starting it again`);
          await stopRunning();
        }
      }
    },
    async stop() {
      await current?.stop();
    },
  };
}

/**
 * Waits until a restarted Milvus changes passwords again. For a while after a restart its root
 * coordinator still knows the proxy of the run before (a session in its etcd that has not
 * expired) and fails every UpdateCredential ("UpdateCredentialCache failed ... node not match"),
 * though logins work: a server that is "up" but not yet serving what the soak exercises, which a
 * user would meet as a failed `pulumi up` after a restart and retry later. So a restart is over
 * once the canary user's password can be changed (each try with a new password; after a failed
 * try, whichever of the two logs in is the canary's).
 */
async function credentialsSettled(
  milvus: RealMilvus,
  rootPassword: string,
  canary: { user: string; password: string },
) {
  const { MilvusSession, canLogin } = await import("../../provider/milvus/client");
  const target = { hostPort: milvus.address, tls: false, timeoutMs: 5000 };
  const session = new MilvusSession(target, { username: "root", password: rootPassword }, [canary.password]);
  const deadline = Date.now() + 300000;
  for (let n = 0; ; n++) {
    const next = `Soak-canary~${Date.now()}${n}`;
    try {
      await session.updatePassword(canary.user, canary.password, next);
      canary.password = next;
      return;
    } catch (err) {
      if (await canLogin(target, canary.user, next).catch(() => false)) canary.password = next;
      if (Date.now() > deadline)
        throw new Error(`Milvus does not change passwords 5 minutes after a restart: ${(err as Error).message}`, {
          cause: err,
        });
      await sleep(2000);
    }
  }
}

/** Starts everything; on a failure, stops what was started and throws. */
export async function startWorld(log: (line: string) => void): Promise<World> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const rootPassword = `Soak-root~${Math.random().toString(36).slice(2, 10)}`;
    const ak = "SOAKACCESSKEY001";
    const sk = `Soak-secret/${Math.random().toString(36).slice(2, 10)}`;
    const t0 = Date.now();
    // Cassandra and Milvus start side by side (each takes 10 to 20 s)
    const cassandraStarting = startRealCassandra({ bcryptRounds: 4 });
    cassandraStarting.then((c) => stops.push(() => c.destroy())).catch(() => undefined);
    const milvus = await startMilvusRetrying(log);
    stops.push(() => milvus.stop());
    await setRootPassword(milvus, rootPassword);
    // a Milvus role the identities will hold, and the canary user that tells when a restart is over
    const canary = { user: "soak_canary", password: "Soak-canary~0" };
    await pymilvusSetup(milvus.address, [MILVUS_DEFAULT_ROOT.username, rootPassword], {
      roles: { [MILVUS_ROLE]: [["Collection", "*", "Query"]] },
      users: { [canary.user]: canary.password },
    });
    const restarter = milvusRestarter(milvus, () => rootPassword, canary);
    stops.push(() => restarter.stop());

    const cassandra = await cassandraStarting;
    const superuser = cassandra.superuser;
    const suPassword = `Soak-su~${Math.random().toString(36).slice(2, 10)}`;
    await alterRolePassword({ address: cassandra.address }, superuser, "cassandra", suPassword, { settle: true });
    superuser.password = suPassword;
    log(
      `servers: Milvus ${milvus.address}, Cassandra ${cassandra.address} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );

    // what the identities will hold: a Cassandra role with a permission; rwuser for GeminiDB
    await cqlAs(
      { address: cassandra.address },
      superuser,
      [
        `CREATE KEYSPACE IF NOT EXISTS ${CASSANDRA_KEYSPACE}` +
          " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
        `CREATE ROLE IF NOT EXISTS ${CASSANDRA_ROLE} WITH LOGIN = false`,
        `GRANT SELECT ON KEYSPACE ${CASSANDRA_KEYSPACE} TO ${CASSANDRA_ROLE}`,
        `CREATE ROLE IF NOT EXISTS rwuser WITH LOGIN = true AND PASSWORD = 'Soak-rw~initial0'`,
        `GRANT ${CASSANDRA_ROLE} TO rwuser`,
      ],
      ["Soak-rw~initial0"],
    );
    const redisServers: RealRedis[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await startRealRedis({ password: `Soak-redis~init${i}` });
      stops.push(() => r.destroy());
      redisServers.push(r);
    }
    const milvusProxy = new HoldProxy("127.0.0.1", milvus.port);
    await milvusProxy.start();
    stops.push(() => milvusProxy.stop());
    const cqlProxy = new HoldProxy("127.0.0.1", cassandra.port);
    await cqlProxy.start();
    stops.push(() => cqlProxy.stop());

    const instances = {} as World["instances"];
    const plan: Array<[Face, ResourceKey, RealRedis | undefined]> = [
      ["ts", "geminiA", undefined],
      ["ts", "geminiB", redisServers[0]],
      ["py", "geminiA", redisServers[1]],
      ["py", "geminiB", redisServers[2]],
    ];
    for (const [face, key, redis] of plan) {
      const proof = resourceInfo(key).proof![face];
      if ((proof === "redis") !== !!redis) throw new Error(`instance ${face}:${key}: proof ${proof}`);
      instances[`${face}:${key}`] = { id: instanceId(`soak ${face} ${key}`), proof, redis };
    }
    const emu = await startEmulator((e) => {
      e.akSk.set(ak, { sk });
      for (const inst of Object.values(instances)) {
        e.instances.set(inst.id, {
          id: inst.id,
          projectId: TEST_PROJECT,
          status: "normal",
          datastore: inst.proof === "cql" ? "Cassandra" : "redis",
          actions: [],
          password: inst.redis ? inst.redis.password : "Soak-rw~initial0",
        });
        e.backWith(
          inst.id,
          inst.redis
            ? { kind: "redis", server: inst.redis }
            : { kind: "cassandra", endpoint: { address: cassandra.address }, admin: superuser },
        );
      }
    });
    stops.push(() => emu.stop());

    return {
      milvus,
      cassandra,
      emu,
      milvusProxy,
      cqlProxy,
      rootPassword,
      superuser,
      ak,
      sk,
      instances,
      redisServers,
      restartMilvus: () => restarter.restart(log),
      async restartCassandra() {
        await cassandra.stop();
        await cassandra.restart();
      },
      async restartRedis(server) {
        await server.stop();
        await server.restart();
      },
      secrets: () => [rootPassword, suPassword, sk],
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * startRealMilvus, tried again while another Milvus holds the embedded server's fixed ports
 * (another test run on this machine): every 15 s, for up to 10 minutes.
 */
async function startMilvusRetrying(log: (line: string) => void): Promise<RealMilvus> {
  const deadline = Date.now() + 600000;
  for (;;) {
    try {
      return await startRealMilvus();
    } catch (err) {
      const busy = /address already in use|bind|port/i.test((err as Error).message);
      if (!busy || Date.now() > deadline) throw err;
      log("Milvus could not start (a port in use: another Milvus on this machine); trying again in 15 s");
      await sleep(15000);
    }
  }
}
