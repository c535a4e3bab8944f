/**
 * What a CQL login proof costs the server: CPU seconds of the Cassandra JVM per 100 logins,
 * and wall time, on a real single node (harness/real-cassandra), for three ways to log in:
 *
 *   driver      harness/cql-driver.ts's driverLogin, as the proofs used it before login.ts (the
 *               DataStax driver: OPTIONS, STARTUP, AUTH_RESPONSE, then its control connection
 *               reads system.local and system.peers(_v2) and registers for events)
 *   driver-min  the driver with everything it lets a caller turn off: no metadata sync, one
 *               connection, no warm-up, an allow-list of the one node, no reconnection, no retry
 *   minimal     provider/cql/login.ts's cqlNodeLogin: STARTUP, AUTH_RESPONSE, close
 *
 * Each login is made with the right password (accepted) and with a wrong one (refused): a
 * proof asks both. The methods alternate within each round, so that the machine's drift hits
 * them alike; the node's CPU while idle is measured for as long and reported beside them.
 * bcrypt's cost (Cassandra's default 10 log2 rounds, about 0.1 s of CPU per check) is the same
 * for every method, so the run is repeated with 4 rounds, where the rest shows.
 *
 *   npx ts-node --transpile-only -P tsconfig.test.json bench/cql-login.ts [--logins 100] [--rounds 3] [--bcrypt 10,4]
 *
 * Prints a table and writes bench/results/cql-login.json.
 */
import * as fs from "fs";
import * as path from "path";
import type * as CassandraDriver from "cassandra-driver";
import { RealCassandra, startRealCassandra } from "../harness/real-cassandra";
import { cqlAs } from "../harness/cql";
import { cqlString, cqlTarget } from "../provider/cql/client";
import { driverLogin } from "../harness/cql-driver";
import { cqlNodeLogin } from "../provider/cql/login";
import { sleep } from "../harness/support";
import { option } from "./results-file";

const LOGINS = Number(option("logins", "100"));
const ROUNDS = Number(option("rounds", "3"));
const BCRYPT = option("bcrypt", "10,4").split(",").map(Number);
const ROLE = "bench_login";
const PASSWORD = "Bench-Login-Pw-1";
const WRONG = "Wrong-Login-Pw-2";

type Login = (password: string) => Promise<boolean>;

/** The driver with every discovery, pool and metadata feature off that it allows. */
function driverMinimal(node: RealCassandra): Login {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cassandra = require("cassandra-driver") as typeof CassandraDriver;
  // no reconnection: a schedule that ends at once (the driver takes only its own base class)
  const { ReconnectionPolicy } = cassandra.policies.reconnection as unknown as {
    ReconnectionPolicy: new () => CassandraDriver.policies.reconnection.ReconnectionPolicy;
  };
  const never = Object.assign(new ReconnectionPolicy(), { newSchedule: () => [][Symbol.iterator]() });
  return async (password) => {
    const client = new cassandra.Client({
      contactPoints: [node.address],
      localDataCenter: "datacenter1",
      credentials: { username: ROLE, password },
      isMetadataSyncEnabled: false,
      protocolOptions: { maxVersion: cassandra.types.protocolVersion.v4, noCompact: true },
      socketOptions: { connectTimeout: 10000, readTimeout: 10000 },
      pooling: {
        coreConnectionsPerHost: { [cassandra.types.distance.local]: 1, [cassandra.types.distance.remote]: 0 },
        warmup: false,
      },
      policies: {
        loadBalancing: new cassandra.policies.loadBalancing.AllowListPolicy(
          new cassandra.policies.loadBalancing.RoundRobinPolicy(),
          [node.address],
        ),
        retry: new cassandra.policies.retry.FallthroughRetryPolicy(),
        reconnection: never,
        speculativeExecution: new cassandra.policies.speculativeExecution.NoSpeculativeExecutionPolicy(),
      },
      prepareOnAllHosts: false,
      rePrepareOnUp: false,
    });
    try {
      await client.connect();
      return true;
    } catch (err) {
      const inner = Object.values((err as { innerErrors?: Record<string, Error> }).innerErrors ?? {});
      if (inner.some((e) => e?.name === "AuthenticationError")) return false;
      throw err;
    } finally {
      await client.shutdown().catch(() => undefined);
    }
  };
}

interface Sample {
  method: string;
  outcome: "accepted" | "refused" | "idle";
  serverCpuS: number;
  clientCpuS: number;
  wallS: number;
}

async function measure(
  node: RealCassandra,
  method: string,
  login: Login | undefined,
  password: string,
  expect: boolean,
) {
  const cpu0 = node.cpuSeconds();
  const client0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  if (login) {
    for (let i = 0; i < LOGINS; i++) {
      const ok = await login(password);
      if (ok !== expect) throw new Error(`${method}: login ${i} answered ${ok}, expected ${expect}`);
    }
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(client0);
  return { wallS, serverCpuS: node.cpuSeconds() - cpu0, clientCpuS: (c.user + c.system) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function runFor(bcryptRounds: number) {
  console.log(`\n[cql-login] starting a node with bcrypt ${bcryptRounds} rounds`);
  const node = await startRealCassandra({ bcryptRounds });
  try {
    const endpoint = { address: node.address };
    await cqlAs(endpoint, node.superuser, [
      `CREATE ROLE ${ROLE} WITH PASSWORD = ${cqlString(PASSWORD)} AND LOGIN = true`,
    ]);
    const [host, port] = node.address.split(":");
    const methods: Array<[string, Login]> = [
      ["driver", (pw) => driverLogin(cqlTarget(endpoint), ROLE, pw)],
      ["driver-min", driverMinimal(node)],
      ["minimal", (pw) => cqlNodeLogin({ host, port: Number(port) }, ROLE, pw, 10000)],
    ];
    // warm-up: both sides' JIT, the role in the node's caches
    for (const [, login] of methods) for (let i = 0; i < 20; i++) await login(i % 2 ? PASSWORD : WRONG);
    const samples: Sample[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [method, login] of methods) {
        for (const [outcome, pw] of [
          ["accepted", PASSWORD],
          ["refused", WRONG],
        ] as const) {
          samples.push({ method, outcome, ...(await measure(node, method, login, pw, outcome === "accepted")) });
        }
      }
      // the node's own background CPU over as long as one method's logins took
      const last = samples.slice(-2).reduce((s, x) => s + x.wallS, 0) / 2;
      const cpu0 = node.cpuSeconds();
      const t0 = Date.now();
      await sleep(last * 1000);
      samples.push({
        method: "(idle)",
        outcome: "idle",
        serverCpuS: node.cpuSeconds() - cpu0,
        clientCpuS: 0,
        wallS: (Date.now() - t0) / 1000,
      });
    }
    const rows: Array<Record<string, string | number>> = [];
    for (const [method] of [...methods, ["(idle)"]]) {
      for (const outcome of method === "(idle)" ? ["idle"] : ["accepted", "refused"]) {
        const s = samples.filter((x) => x.method === method && x.outcome === outcome);
        const per100 = (v: number) => (v * 100) / LOGINS;
        rows.push({
          bcrypt: bcryptRounds,
          method,
          outcome,
          "server CPU s/100": +per100(median(s.map((x) => x.serverCpuS))).toFixed(2),
          "client CPU s/100": +per100(median(s.map((x) => x.clientCpuS))).toFixed(2),
          "wall s/100": +per100(median(s.map((x) => x.wallS))).toFixed(2),
        });
      }
    }
    console.table(rows);
    return { bcryptRounds, logins: LOGINS, rounds: ROUNDS, rows, samples };
  } finally {
    await node.destroy();
  }
}

(async () => {
  const results = [];
  for (const b of BCRYPT) results.push(await runFor(b));
  const out = path.join(__dirname, "results", "cql-login.json");
  fs.writeFileSync(out, `${JSON.stringify({ when: new Date().toISOString(), results }, null, 2)}\n`);
  console.log(`[cql-login] wrote ${path.relative(process.cwd(), out)}`);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
