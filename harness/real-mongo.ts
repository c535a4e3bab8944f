/**
 * Starts a real server that speaks MongoDB's wire protocol with SCRAM authentication: FerretDB
 * v1 (SQLite backend, scripts/install-ferretdb.sh builds it from the Go module proxy), standing
 * for GeminiDB Mongo, on 127.0.0.1: a free port, one user (`rwuser`, GeminiDB's) in the `admin`
 * database with the admin password, a temporary directory for its data and state; optionally
 * TLS only (a throwaway CA and a certificate for 127.0.0.1, no client certificates). Stopped
 * by the caller, and killed when the test process exits.
 *
 * Facts this relies on (FerretDB v1.24.2 here): SCRAM-SHA-1 and SCRAM-SHA-256 are served only
 * with `--test-enable-new-auth` (without it, FerretDB v1 takes PLAIN and passes it to its
 * backend); `--setup-username/--setup-password` create the user only when the data directory
 * is empty (a restart keeps the user and its current password); `updateUser` with `pwd`
 * changes a password and the next SCRAM login sees it; users are created with `roles: []`
 * (FerretDB v1 keeps no roles); a wrong password answers code 18 "Authentication failed".
 * It answers about 0.3 s after start. The setup password goes in the environment
 * (FERRETDB_SETUP_PASSWORD), never on the command line.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MongoTarget, mongoLogin } from "../provider/mongo/client";
import { redact } from "../provider/shared/redact";
import { Daemon, startDaemon, daemonControls, type DaemonControls } from "./daemon";
import { freePort, removeOnExit } from "./support";
import { makeTlsFiles } from "./tls-files";
import { ferretdbBin } from "./tools";

/** The user GeminiDB Mongo gives its customers, in the `admin` database. */
export const MONGO_ADMIN = "rwuser";

export interface RealMongoOptions {
  /** The password of `user`, created at the first start. */
  adminPassword: string;
  /** The user (default rwuser), in the `admin` database. */
  user?: string;
  /** TLS only (no plain listener), with a certificate for 127.0.0.1 signed by `caCertificate`. */
  tls?: boolean;
}

export interface RealMongo extends DaemonControls {
  /** "127.0.0.1:port" */
  address: string;
  port: number;
  tls: boolean;
  /** With TLS: the PEM of the CA that signed the server's certificate. */
  caCertificate?: string;
  /** The user's name and the password that logs in now (setPassword changes it). */
  admin: { username: string; password: string };
  /** The server's directory (data, state, log). */
  dir: string;
  /** A login target for provider/mongo/client (timeout 2 s). */
  target(timeoutMs?: number): MongoTarget;
  /**
   * Sets the user's password as GeminiDB's reset does: `updateUser` with `pwd` in `admin`, sent
   * by a connection that logs in as the user with the current password.
   */
  setPassword(password: string): Promise<void>;
}

export async function startRealMongo(options: RealMongoOptions): Promise<RealMongo> {
  const bin = ferretdbBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-mongo-"));
  removeOnExit(dir);
  const dataDir = path.join(dir, "data");
  const stateDir = path.join(dir, "state");
  fs.mkdirSync(dataDir); // FerretDB's SQLite backend wants it to exist
  fs.mkdirSync(stateDir);
  const [port, debugPort] = [await freePort(), await freePort()];
  const tls = options.tls ? makeTlsFiles(dir) : undefined;
  const username = options.user ?? MONGO_ADMIN;
  let daemon: Daemon | undefined;

  const server: RealMongo = {
    address: `127.0.0.1:${port}`,
    port,
    tls: !!tls,
    caCertificate: tls?.caPem,
    admin: { username, password: options.adminPassword },
    dir,
    target: (timeoutMs = 2000) => ({
      hostPort: `127.0.0.1:${port}`,
      tls: !!tls,
      caCertificate: tls?.caPem,
      timeoutMs,
    }),
    async setPassword(password: string) {
      const current = server.admin.password;
      const secrets = [current, password];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { MongoClient } = require("mongodb") as typeof import("mongodb");
      const client = new MongoClient(`mongodb://${server.address}/`, {
        auth: { username, password: current },
        authSource: "admin",
        directConnection: true,
        tls: !!tls,
        ...(tls ? { ca: tls.caPem } : {}),
        serverSelectionTimeoutMS: 5000,
        maxPoolSize: 1,
      });
      try {
        await client.connect();
        await client.db("admin").command({ updateUser: username, pwd: password });
      } catch (err) {
        throw new Error(`mongo ${server.address}: updateUser ${username} failed: ${redact(String(err), secrets)}`, {
          cause: err,
        });
      } finally {
        await client.close(true).catch(() => undefined);
      }
      server.admin.password = password;
    },
    ...daemonControls(
      dir,
      () => launch(),
      () => daemon,
    ),
  };

  const launch = async () => {
    const listen = tls
      ? [
          "--listen-addr=",
          `--listen-tls=${server.address}`,
          `--listen-tls-cert-file=${tls.certFile}`,
          `--listen-tls-key-file=${tls.keyFile}`,
        ]
      : [`--listen-addr=${server.address}`];
    daemon = await startDaemon({
      name: "ferretdb",
      command: bin,
      args: [
        "--handler=sqlite",
        `--sqlite-url=file:${dataDir}/`,
        `--state-dir=${stateDir}`,
        ...listen,
        `--debug-addr=127.0.0.1:${debugPort}`,
        "--telemetry=disable",
        "--test-enable-new-auth",
        // used only while the data directory is empty: the first start
        "--setup-database=admin",
        `--setup-username=${username}`,
        "--log-level=WARN",
      ],
      env: { FERRETDB_SETUP_PASSWORD: server.admin.password },
      logFile: path.join(dir, "ferretdb.log"),
      readyWhen: `accept ${username}'s login on ${server.address}`,
      ready: () => mongoLogin(server.target(1000), username, server.admin.password),
      readyTimeoutMs: 20000,
      pollMs: 100,
      graceMs: 5000,
    });
  };
  await launch();
  return server;
}
