/**
 * `npx ts-node --transpile-only -P tsconfig.test.json bench/cql-node-cost.ts [--bcrypt 4] [--n 200]`:
 * what each request of a CassandraRolePassword costs a real Cassandra node (harness/real-cassandra,
 * server JIT, as the bench runs it), in the node's CPU, one request at a time after a warm-up, the
 * node's idle CPU subtracted:
 *
 *   login, cold cache     a login as one of `n` roles in turn: each misses the node's credentials
 *                         and roles caches (what a refresh's logins are: one role each)
 *   login, warm cache     the same role each time: the caches answer
 *   login, refused        a wrong password (the "old one is refused" half of a rotation's proof)
 *   login + peers query   cqlNodeQuery: what discovery makes (a login, then system.peers_v2)
 *   peers query           the same query on an open session
 *   LIST ROLES OF         on an open session (what asks whether a role exists)
 *   ALTER ROLE            a password set on an open session
 *   DROP ROLE + CREATE    a role dropped and created again on an open session
 *
 * Prints milliseconds of the node's CPU and of wall time per request, and writes
 * bench/results/cql-node-cost.json.
 */
import { startRealCassandra } from "../harness/real-cassandra";
import { sleep } from "../harness/support";
import { option, runTool, writeResults } from "./results-file";
import { cqlNodeLogin, cqlNodeOf, cqlNodeQuery } from "../provider/cql/login";
import { cqlTarget, openCqlSession } from "../provider/cql/client";
import { PEERS_STATEMENTS } from "../provider/cql/nodes";

const BCRYPT = Number(option("bcrypt", "4"));
const N = Number(option("n", "200"));

async function main() {
  const node = await startRealCassandra({ serverJit: true, bcryptRounds: BCRYPT });
  const rows: Array<{ request: string; n: number; nodeCpuMs: number; wallMs: number }> = [];
  try {
    const su = node.superuser;
    const target = cqlTarget({ address: node.address });
    const contact = cqlNodeOf(target);
    const session = await openCqlSession(target, su, {});
    const pw = (i: number) => `Node-Cost-Pw-${i}`;
    for (let i = 0; i < N; i++)
      await session.execute(`CREATE ROLE IF NOT EXISTS cost_${i} WITH PASSWORD = '${pw(i)}' AND LOGIN = true`);
    await sleep(3000);
    const measure = async (request: string, n: number, fn: (i: number) => Promise<unknown>) => {
      for (let i = 0; i < 20; i++) await fn(i % N);
      await sleep(1500);
      const idle0 = node.cpuSeconds();
      await sleep(2000);
      const idlePerS = (node.cpuSeconds() - idle0) / 2;
      const cpu0 = node.cpuSeconds();
      const t0 = Date.now();
      for (let i = 0; i < n; i++) await fn(i % N);
      const wallS = (Date.now() - t0) / 1000;
      const cpuS = node.cpuSeconds() - cpu0 - idlePerS * wallS;
      const row = { request, n, nodeCpuMs: (cpuS * 1000) / n, wallMs: (wallS * 1000) / n };
      rows.push(row);
      console.log(
        `${request.padEnd(22)} node CPU ${row.nodeCpuMs.toFixed(2).padStart(6)} ms   wall ${row.wallMs.toFixed(2).padStart(6)} ms`,
      );
    };
    await measure("login, cold cache", N, (i) => cqlNodeLogin(contact, `cost_${i}`, pw(i), 10000));
    await measure("login, warm cache", N, () => cqlNodeLogin(contact, "cost_0", pw(0), 10000));
    await measure("login, refused", N, (i) => cqlNodeLogin(contact, `cost_${i}`, "Wrong-Pw-0", 10000));
    await measure("login + peers query", N, (i) => cqlNodeQuery(contact, `cost_${i}`, pw(i), PEERS_STATEMENTS, 10000));
    await measure("peers query", N, () => session.execute(PEERS_STATEMENTS[0]));
    await measure("LIST ROLES OF", N, (i) => session.execute(`LIST ROLES OF cost_${i} NORECURSIVE`));
    await measure("ALTER ROLE", N, (i) => session.execute(`ALTER ROLE cost_${i} WITH PASSWORD = '${pw(i)}'`));
    await measure("DROP ROLE + CREATE", N / 2, async (i) => {
      await session.execute(`DROP ROLE IF EXISTS cost_${i}`);
      await session.execute(`CREATE ROLE cost_${i} WITH PASSWORD = '${pw(i)}' AND LOGIN = true`);
    });
    await session.close();
    writeResults("cql-node-cost", {
      bcryptRounds: BCRYPT,
      requests: rows,
    });
  } finally {
    await node.destroy();
  }
}

runTool("cql-node-cost", main);
