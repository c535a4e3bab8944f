/**
 * `npx ts-node --transpile-only -P tsconfig.test.json bench/redis-tls.ts [--logins 200] [--servers 60]`:
 * what a GeminiDB Redis proof's login costs with TLS, measured alone, beside the same login
 * without TLS, and what the bench's `geminidb-redis` scenario costs the machine just by having
 * its servers running.
 *
 * 1. One real redis-server with TLS (its own CA, an EC P-256 key, as harness/tls-files makes
 *    them) and one without. `redisLogin` (provider/redis/client.ts: a fresh connection, AUTH,
 *    PING, closed), one after another: client CPU (this process) and server CPU (the
 *    redis-server's /proc) per login, and wall time per login. Then two variants of the TLS
 *    connection the provider could make, with Node's `tls` directly: a secure context made
 *    once and shared (the provider makes one per connection from the CA's PEM) and, on top of
 *    it, TLS session resumption (the previous connection's session offered again).
 * 2. `--servers` idle redis-servers with TLS, as the scenario starts them (one per instance):
 *    their CPU per second while nothing talks to them, the background they add to every
 *    scenario of a run, floors included.
 *
 * Writes bench/results/redis-tls.json.
 */
import * as fs from "fs";
import * as os from "os";
import * as tls from "tls";
import { RealRedis, startRealRedis } from "../harness/real-redis";
import { sleep } from "../harness/support";
import { option, runTool, writeResults } from "./results-file";
import { redisLogin, respCommand } from "../provider/redis/client";

const LOGINS = Number(option("logins", "200"));
const SERVERS = Number(option("servers", "60"));
const PASSWORD = "Initial~pw0";

/** The redis-server process of `server` (redis-server titles itself with its address). */
function pidOf(server: RealRedis): number {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      if (/redis-server/.test(title) && title.endsWith(` ${server.address}`)) {
        return Number(entry);
      }
    } catch {
      // gone
    }
  }
  throw new Error(`no redis-server process for ${server.address}`);
}

const TICKS = 100;
function cpuOfPid(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / TICKS;
}
const ownCpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

interface PerLogin {
  what: string;
  logins: number;
  wallMs: number;
  clientCpuMs: number;
  serverCpuMs: number;
}

async function measure(what: string, server: RealRedis, login: () => Promise<unknown>): Promise<PerLogin> {
  const pid = pidOf(server);
  for (let i = 0; i < 10; i++) await login(); // warm up: JIT, first context
  const server0 = cpuOfPid(pid);
  const client0 = ownCpu();
  const wall0 = process.hrtime.bigint();
  for (let i = 0; i < LOGINS; i++) await login();
  const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
  const result = {
    what,
    logins: LOGINS,
    wallMs: wallMs / LOGINS,
    clientCpuMs: ((ownCpu() - client0) * 1000) / LOGINS,
    serverCpuMs: ((cpuOfPid(pid) - server0) * 1000) / LOGINS,
  };
  console.log(
    `  ${what.padEnd(52)} ${result.wallMs.toFixed(2).padStart(6)} ms wall  ` +
      `${result.clientCpuMs.toFixed(2).padStart(5)} ms client CPU  ${result.serverCpuMs.toFixed(2).padStart(5)} ms server CPU`,
  );
  return result;
}

/** AUTH + PING over Node's tls with the given options; resolves with the session to resume. */
function tlsLogin(server: RealRedis, options: tls.ConnectionOptions): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    let session: Buffer | undefined;
    let answer = "";
    const socket = tls.connect({ host: "127.0.0.1", port: server.port, rejectUnauthorized: true, ...options }, () => {
      socket.write(Buffer.concat([respCommand("AUTH", PASSWORD), respCommand("PING")]));
    });
    socket.on("session", (s) => (session = s));
    socket.on("data", (d) => {
      answer += d.toString("utf8");
      if (answer.split("\r\n").length > 2) {
        if (!/^\+OK\r\n\+PONG\r\n/.test(answer)) reject(new Error(`unexpected answer ${JSON.stringify(answer)}`));
        socket.end();
        socket.destroy();
        resolve(session);
      }
    });
    socket.on("error", reject);
  });
}

async function main() {
  console.log(
    `redis-tls: ${LOGINS} logins per variant, ${SERVERS} idle servers; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const servers: RealRedis[] = [];
  try {
    const withTls = await startRealRedis({ password: PASSWORD, tls: true });
    const plain = await startRealRedis({ password: PASSWORD });
    servers.push(withTls, plain);
    const logins: PerLogin[] = [];
    console.log("Per login (AUTH + PING on a fresh connection), one after another:");
    logins.push(await measure("plain: redisLogin", plain, () => redisLogin(plain.target(5000), PASSWORD)));
    logins.push(
      await measure("TLS: redisLogin (a secure context per connection)", withTls, () =>
        redisLogin(withTls.target(5000), PASSWORD),
      ),
    );
    const context = tls.createSecureContext({ ca: [withTls.caCertificate!] });
    logins.push(
      await measure("TLS: one secure context, shared", withTls, () => tlsLogin(withTls, { secureContext: context })),
    );
    let session: Buffer | undefined;
    logins.push(
      await measure("TLS: one secure context and session resumption", withTls, async () => {
        session = (await tlsLogin(withTls, { secureContext: context, session })) ?? session;
      }),
    );

    console.log(`\n${SERVERS} idle redis-servers with TLS (each its own CA), as geminidb-redis starts them:`);
    const idle: RealRedis[] = [];
    // one at a time: servers started side by side may draw the same free port
    for (let i = 0; i < SERVERS; i++) idle.push(await startRealRedis({ password: PASSWORD, tls: true }));
    servers.push(...idle);
    await sleep(3000);
    const pids = idle.map(pidOf);
    const before = pids.map(cpuOfPid);
    const seconds = 10;
    await sleep(seconds * 1000);
    const used = pids.reduce((sum, pid, i) => sum + cpuOfPid(pid) - before[i], 0);
    const idleCpu = { servers: SERVERS, cpuSecondsPerSecond: used / seconds };
    console.log(
      `  ${used.toFixed(2)} CPU seconds in ${seconds} s: ${(used / seconds).toFixed(3)} of a core ` +
        `(${((used / seconds / os.cpus().length) * 100).toFixed(1)}% of the machine's ${os.cpus().length} cores)`,
    );
    writeResults("redis-tls", {
      logins,
      idle: idleCpu,
    });
  } finally {
    await Promise.all(servers.map((s) => s.destroy()));
  }
}

runTool("redis-tls", main);
