/**
 * What the harness's Debian servers (real-redis.ts, real-influx.ts) share: the binary from the
 * install script, a CA and a server certificate for 127.0.0.1 made with openssl, and the
 * processes to kill when the test process exits.
 */
import { ChildProcess, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { killGroup } from "./support";

const ROOT = path.resolve(__dirname, "..");

/**
 * The path a scripts/install-*.sh prints on its last line, or `$envName` when set (by
 * scripts/test.js, or by an earlier call in this process).
 */
export function installedBinary(script: string, envName: string): string {
  const cached = process.env[envName];
  if (cached) return cached;
  const out = execFileSync("bash", [path.join(ROOT, "scripts", script)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const bin = out.trim().split("\n").pop()!;
  process.env[envName] = bin;
  return bin;
}

export interface TlsFiles {
  /** PEM of the CA that signed the server's certificate: what a client trusts. */
  caPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A throwaway CA and a certificate it signed for 127.0.0.1 and localhost (P-256 keys, valid two
 * days), written into `dir`.
 */
export function makeTlsFiles(dir: string): TlsFiles {
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=pdp-test-ca");
  openssl("req", ...ec, "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1");
  fs.writeFileSync(
    f("server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    f("server.ext"),
    "-out",
    f("server.pem"),
  );
  return {
    caPem: fs.readFileSync(f("ca.pem"), "utf8"),
    caFile: f("ca.pem"),
    certFile: f("server.pem"),
    keyFile: f("server.key"),
  };
}

const running = new Set<ChildProcess>();
const dirs = new Set<string>();
process.on("exit", () => {
  running.forEach((c) => killGroup(c.pid, "SIGKILL"));
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

/** Kills `child`'s process group when the test process exits, unless it has exited by then. */
export function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
}

/** Removes `dir` when the test process exits (a server's directory, if its owner did not). */
export function removeOnExit(dir: string): void {
  dirs.add(dir);
}

/** Stops `child`'s process group: SIGTERM, SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopGroup(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  killGroup(child.pid, "SIGTERM");
  const timer = setTimeout(() => killGroup(child.pid, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
