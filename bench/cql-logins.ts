/**
 * `npx ts-node --transpile-only -P tsconfig.test.json bench/cql-logins.ts [--bcrypt 4] [--gap-ms 0]`:
 * what one CassandraRolePassword's operations open on a real node, one by one: create, update
 * (a rotation), read (a refresh) and delete, run in this process from the built package
 * (dist/cassandra/operations.js) against a single node (harness/real-cassandra), with:
 *
 *   node session     cql/login.ts's cqlNodeSession: a login, then the operation's statements on
 *                    that connection (until 2026-12-07 a `cassandra-driver` session, whose connect
 *                    also read system.local and system.peers on its control connection)
 *   node query       cql/login.ts's cqlNodeQuery: a login, then one query (the peers' discovery)
 *   node login       cql/login.ts's cqlNodeLogin: a login (a proof), accepted or refused
 *
 * Each is a connection and a bcrypt check on the node. `--gap-ms` waits between create and
 * update: under 2 s the node's credentials cache still holds the create's password, and the
 * rotation's proof waits for it. Prints each operation's counts, wall time and the node's CPU,
 * and writes bench/results/cql-logins.json.
 */
import * as path from "path";
import { startRealCassandra } from "../harness/real-cassandra";
import { alterRolePassword } from "../harness/cql";
import { sleep } from "../harness/support";
import { option, runTool, writeResults } from "./results-file";

const BCRYPT = Number(option("bcrypt", "4"));
const GAP_MS = Number(option("gap-ms", "0"));
const dist = path.join(__dirname, "..", "dist");

/* eslint-disable @typescript-eslint/no-require-imports */
const counts: Record<string, number> = {};
const count = (what: string) => (counts[what] = (counts[what] ?? 0) + 1);
// the operations call these through the modules' exports, so wrapping the exports counts every call
const login = require(path.join(dist, "cql", "login.js"));
const { cqlNodeLogin, cqlNodeQuery } = login;
login.cqlNodeLogin = async (...args: unknown[]) => {
  const ok = await cqlNodeLogin(...args);
  count(`node login ${ok ? "accepted" : "refused"}`);
  return ok;
};
login.cqlNodeQuery = async (...args: unknown[]) => {
  count("node query");
  return cqlNodeQuery(...args);
};
const { cqlNodeSession } = login;
login.cqlNodeSession = async (...args: unknown[]) => {
  count("node session");
  return cqlNodeSession(...args);
};
/* eslint-enable @typescript-eslint/no-require-imports */

async function main() {
  const node = await startRealCassandra({ serverJit: true, bcryptRounds: BCRYPT });
  const rows: Array<{ operation: string; ms: number; nodeCpuSeconds: number; counts: Record<string, number> }> = [];
  try {
    const admin = "Bench~Super~pw1";
    await alterRolePassword({ address: node.address }, node.superuser, "cassandra", admin, { settle: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ops = require(
      path.join(dist, "cassandra", "operations.js"),
    ) as typeof import("../provider/cassandra/operations");
    const args = {
      connection: { address: node.address, username: "cassandra", password: admin },
      role: "bench_logins",
      createIfMissing: true,
      deleteRoleOnDestroy: true,
      rotationTrigger: "r1",
    };
    const step = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
      for (const k of Object.keys(counts)) delete counts[k];
      const cpu = node.cpuSeconds();
      const t0 = Date.now();
      const result = await fn();
      const row = { operation, ms: Date.now() - t0, nodeCpuSeconds: node.cpuSeconds() - cpu, counts: { ...counts } };
      rows.push(row);
      console.log(
        `${operation.padEnd(7)} ${String(row.ms).padStart(5)} ms  node CPU ${row.nodeCpuSeconds.toFixed(2)} s  ${JSON.stringify(row.counts)}`,
      );
      return result;
    };
    const inputs = (await ops.check({}, args)).inputs!;
    const created = await step("create", () => ops.create(inputs));
    await sleep(GAP_MS);
    const news = (await ops.check(created.outs!, { ...args, rotationTrigger: "r2" })).inputs!;
    const updated = await step("update", () => ops.update(created.id, created.outs!, news));
    await step("read", () => ops.read(created.id, updated.outs!));
    await step("delete", () => ops.remove(created.id, updated.outs!));
    writeResults("cql-logins", {
      bcryptRounds: BCRYPT,
      gapMs: GAP_MS,
      operations: rows,
    });
  } finally {
    await node.destroy();
  }
}

runTool("cql-logins", main);
