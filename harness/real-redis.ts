/**
 * Starts a real Redis (Debian's redis-server 7.0, scripts/install-redis.sh) on 127.0.0.1: a free
 * port, a password (`requirepass`, the `default` user's password, which GeminiDB's rwuser logs
 * in as: `AUTH <password>`), no persistence, a temporary directory; optionally TLS only (a
 * throwaway CA and a certificate for 127.0.0.1, no client certificates). Stopped by the caller,
 * and killed when the test process exits.
 *
 * Facts this relies on (redis-server 7.0.15 here): it answers within ~50 ms of start; `CONFIG
 * SET requirepass` replaces the default user's passwords (the old one is refused by the next
 * AUTH; connections that logged in before stay logged in) and is not written to the config
 * file, so this harness writes the current password into the config file at every start.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RedisTarget, redisExchange, respCommand } from "../provider/redis/client";
import { Daemon, startDaemon, daemonControls, type DaemonControls } from "./daemon";
import { freePort, removeOnExit } from "./support";
import { makeTlsFiles, TlsFiles } from "./tls-files";
import { redisServerBin } from "./tools";

export interface RealRedisOptions {
  /** The password AUTH takes (the default user's). */
  password: string;
  /** TLS only (no plain port), with a certificate for 127.0.0.1 signed by `caCertificate`. */
  tls?: boolean;
}

export interface RealRedis extends DaemonControls {
  /** "127.0.0.1:port" */
  address: string;
  port: number;
  tls: boolean;
  /** With TLS: the PEM of the CA that signed the server's certificate. */
  caCertificate?: string;
  /** The password that logs in now (setPassword changes it). */
  password: string;
  /** The server's directory (config, log). */
  dir: string;
  /** A login target for provider/redis/client (timeout 2 s). */
  target(timeoutMs?: number): RedisTarget;
  /**
   * Sets the password as GeminiDB's reset does: `CONFIG SET requirepass`, sent by a connection
   * that logs in with the current one. "" makes the server password-free.
   */
  setPassword(password: string): Promise<void>;
}

/** A redis.conf string: in double quotes, every byte but letters and digits as \xHH. */
function confString(text: string): string {
  return `"${[...Buffer.from(text, "utf8")]
    .map((b) =>
      /[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`,
    )
    .join("")}"`;
}

function config(dir: string, port: number, password: string, tls?: TlsFiles): string {
  const lines = [
    "bind 127.0.0.1",
    "protected-mode yes",
    tls ? "port 0" : `port ${port}`,
    `dir ${dir}`,
    "daemonize no", // and no logfile: it logs to stdout, which harness/daemon appends to redis.log
    'save ""',
    "appendonly no",
    "databases 1",
    `requirepass ${confString(password)}`,
  ];
  if (tls) {
    lines.push(
      `tls-port ${port}`,
      `tls-cert-file ${tls.certFile}`,
      `tls-key-file ${tls.keyFile}`,
      `tls-ca-cert-file ${tls.caFile}`,
      "tls-auth-clients no",
    );
  }
  return lines.join("\n") + "\n";
}

export async function startRealRedis(options: RealRedisOptions): Promise<RealRedis> {
  const bin = redisServerBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-redis-"));
  removeOnExit(dir);
  const port = await freePort();
  const tls = options.tls ? makeTlsFiles(dir) : undefined;
  const confFile = path.join(dir, "redis.conf");
  let daemon: Daemon | undefined;

  const server: RealRedis = {
    address: `127.0.0.1:${port}`,
    port,
    tls: !!tls,
    caCertificate: tls?.caPem,
    password: options.password,
    dir,
    target: (timeoutMs = 2000) => ({
      hostPort: `127.0.0.1:${port}`,
      tls: !!tls,
      caCertificate: tls?.caPem,
      timeoutMs,
    }),
    async setPassword(password: string) {
      const current = server.password;
      // "" leaves the server password-free (any AUTH is refused there, every command allowed)
      const set = respCommand("CONFIG", "SET", "requirepass", password);
      const replies = await redisExchange(
        server.target(),
        current === "" ? [set] : [respCommand("AUTH", current), set],
        [current, password],
      );
      const failed = replies.find((r) => !r.ok);
      if (failed) throw new Error(`redis ${server.address}: CONFIG SET requirepass failed: ${failed.text}`);
      server.password = password;
    },
    ...daemonControls(
      dir,
      () => launch(),
      () => daemon,
    ),
  };

  const launch = async () => {
    // the current password: CONFIG SET does not outlive a restart by itself
    fs.writeFileSync(confFile, config(dir, port, server.password, tls), { mode: 0o600 });
    daemon = await startDaemon({
      name: "redis-server",
      command: bin,
      args: [confFile],
      logFile: path.join(dir, "redis.log"),
      readyWhen: `answer on ${server.address}`,
      // any answer to PING (-NOAUTH with a password) says it serves
      ready: async () => (await redisExchange(server.target(1000), [respCommand("PING")], [])).length === 1,
      readyTimeoutMs: 10000,
      pollMs: 50,
      graceMs: 5000,
    });
  };
  await launch();
  return server;
}
