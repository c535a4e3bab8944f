/**
 * Starts a real InfluxDB 1.x (Debian's influxdb 1.6, scripts/install-influxdb.sh) on 127.0.0.1:
 * the HTTP API on a free port with auth on, the backup RPC service on another free loopback
 * port, every other listener off (ifql, graphite, collectd, opentsdb, udp, the unix socket),
 * no usage reporting, no _internal monitor store, a temporary directory for meta, data and WAL;
 * optionally HTTPS only (a throwaway CA and a certificate for 127.0.0.1). The admin user
 * `rwuser` (GeminiDB's) is created first, over HTTP without credentials, which auth allows
 * only while no admin exists. Stopped by the caller, and killed when the test process exits.
 *
 * Facts this relies on (influxd 1.6.7~rc0 here): /ping answers 204 without credentials about
 * 0.5 s after start; until an admin exists, every other query answers 403 "create admin user
 * first or disable authentication"; a wrong password answers 401 `{"error":"authorization
 * failed"}`; `SET PASSWORD FOR` takes effect for the next request; Debian's build reads
 * `reporting-enabled` (not upstream's `reporting-disabled`). Users and passwords live in the
 * meta directory, so a restart keeps them.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import fetch, { RequestInit } from "node-fetch";
import { InfluxTarget, basicAuth, influxLogin, influxUrl } from "../provider/influx/client";
import { redact } from "../provider/shared/redact";
import { Daemon, startDaemon, daemonControls, type DaemonControls } from "./daemon";
import { freePort, removeOnExit } from "./support";
import { makeTlsFiles, TlsFiles } from "./tls-files";
import { influxdBin } from "./tools";

/** The user GeminiDB for Influx gives its customers, an admin. */
export const INFLUX_ADMIN = "rwuser";

export interface RealInfluxOptions {
  /** The password of the admin user rwuser, created at the first start. */
  adminPassword: string;
  /** HTTPS only, with a certificate for 127.0.0.1 signed by `caCertificate`. */
  tls?: boolean;
}

export interface RealInflux extends DaemonControls {
  /** "127.0.0.1:port" of the HTTP API */
  address: string;
  port: number;
  tls: boolean;
  /** With TLS: the PEM of the CA that signed the server's certificate. */
  caCertificate?: string;
  /** The admin's name (rwuser) and the password that logs in now (setPassword changes it). */
  admin: { username: string; password: string };
  /** The server's directory (config, meta, data, wal, log). */
  dir: string;
  /** A login target for provider/influx/client (timeout 2 s). */
  target(timeoutMs?: number): InfluxTarget;
  /**
   * Runs one InfluxQL statement (POST /query, as the admin unless `auth` is false); the parsed
   * body. `secrets` (in the statement) are kept out of its error, which the server's echoes.
   */
  query(statement: string, auth?: boolean, secrets?: string[]): Promise<unknown>;
  /** Sets rwuser's password as GeminiDB's reset does: `SET PASSWORD FOR rwuser`, as rwuser. */
  setPassword(password: string): Promise<void>;
}

/**
 * An InfluxQL string literal: in single quotes, backslash and quote escaped, a line feed as \n.
 * InfluxQL's reader turns every CR into a line end and has no escape for it: a text with a CR
 * cannot be written (throws; GeminiDB's password rule allows none).
 */
export function influxString(text: string): string {
  if (text.includes("\r")) throw new Error("InfluxQL cannot express a carriage return in a string");
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

/** An InfluxQL identifier: in double quotes, backslash and double quote escaped. */
export function influxName(name: string): string {
  return `"${name.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function config(dir: string, ports: { http: number; rpc: number }, tls?: TlsFiles): string {
  const toml = (s: string) => JSON.stringify(s);
  return [
    "reporting-enabled = false",
    `bind-address = ${toml(`127.0.0.1:${ports.rpc}`)}`,
    "[meta]",
    `  dir = ${toml(path.join(dir, "meta"))}`,
    "  logging-enabled = false",
    "[data]",
    `  dir = ${toml(path.join(dir, "data"))}`,
    `  wal-dir = ${toml(path.join(dir, "wal"))}`,
    "  query-log-enabled = false",
    "[monitor]",
    "  store-enabled = false",
    "[http]",
    "  enabled = true",
    `  bind-address = ${toml(`127.0.0.1:${ports.http}`)}`,
    "  auth-enabled = true",
    "  log-enabled = false",
    "  pprof-enabled = false",
    "  unix-socket-enabled = false",
    `  https-enabled = ${tls ? "true" : "false"}`,
    ...(tls ? [`  https-certificate = ${toml(tls.certFile)}`, `  https-private-key = ${toml(tls.keyFile)}`] : []),
    "[ifql]",
    "  enabled = false",
    "[logging]",
    '  level = "warn"',
    "[subscriber]",
    "  enabled = false",
    "[continuous_queries]",
    "  enabled = false",
    "",
  ].join("\n");
}

export async function startRealInflux(options: RealInfluxOptions): Promise<RealInflux> {
  const bin = influxdBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-influx-"));
  removeOnExit(dir);
  const ports = { http: await freePort(), rpc: await freePort() };
  const tls = options.tls ? makeTlsFiles(dir) : undefined;
  const confFile = path.join(dir, "influxdb.conf");
  fs.writeFileSync(confFile, config(dir, ports, tls), { mode: 0o600 });
  const base = influxUrl({ hostPort: `127.0.0.1:${ports.http}`, tls: !!tls });
  let daemon: Daemon | undefined;

  /** One request on a connection of its own; its status and body. */
  const request = async (pathAndQuery: string, init: RequestInit = {}) => {
    const agent = tls ? new https.Agent({ ca: [tls.caPem], keepAlive: false }) : new http.Agent({ keepAlive: false });
    try {
      const res = await fetch(`${base}${pathAndQuery}`, {
        ...init,
        agent,
        redirect: "manual",
        compress: false,
        timeout: 5000,
      });
      return { status: res.status, text: await res.text() };
    } finally {
      agent.destroy();
    }
  };

  const server: RealInflux = {
    address: `127.0.0.1:${ports.http}`,
    port: ports.http,
    tls: !!tls,
    caCertificate: tls?.caPem,
    admin: { username: INFLUX_ADMIN, password: options.adminPassword },
    dir,
    target: (timeoutMs = 2000) => ({
      hostPort: `127.0.0.1:${ports.http}`,
      tls: !!tls,
      caCertificate: tls?.caPem,
      timeoutMs,
    }),
    async query(statement: string, auth = true, secrets: string[] = []) {
      const res = await request("/query", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          ...(auth ? { Authorization: basicAuth(server.admin.username, server.admin.password) } : {}),
        },
        body: new URLSearchParams({ q: statement }).toString(),
      });
      let body: { error?: string; results?: Array<{ error?: string }> };
      try {
        body = JSON.parse(res.text);
      } catch {
        body = { error: res.text.slice(0, 200) };
      }
      const error = body.error ?? body.results?.find((r) => r.error)?.error;
      if (res.status !== 200 || error) {
        // the statement may hold a password: only its first word is named, the server's text redacted
        const said = redact(error ?? "", [...secrets, server.admin.password]);
        throw new Error(`influx ${server.address}: ${statement.split(" ")[0]} failed: HTTP ${res.status} ${said}`);
      }
      return body;
    },
    async setPassword(password: string) {
      await server.query(`SET PASSWORD FOR ${influxName(INFLUX_ADMIN)} = ${influxString(password)}`, true, [password]);
      server.admin.password = password;
    },
    ...daemonControls(
      dir,
      () => launch(),
      () => daemon,
    ),
  };

  const launch = async () => {
    daemon = await startDaemon({
      name: "influxd",
      command: bin,
      args: ["run", "-config", confFile],
      logFile: path.join(dir, "influxd.log"),
      readyWhen: `answer /ping on ${server.address}`,
      ready: async () => (await request("/ping")).status === 204,
      readyTimeoutMs: 20000,
      pollMs: 100,
      graceMs: 5000,
    });
  };
  await launch();
  await server.query(
    `CREATE USER ${influxName(INFLUX_ADMIN)} WITH PASSWORD ${influxString(options.adminPassword)} WITH ALL PRIVILEGES`,
    false,
    [options.adminPassword],
  );
  if (!(await influxLogin(server.target(), INFLUX_ADMIN, options.adminPassword))) {
    throw new Error(`influx ${server.address}: rwuser was created but does not log in`);
  }
  return server;
}
