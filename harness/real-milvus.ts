/**
 * Starts the embedded Milvus server (PyPI `milvus`) with authorization on, on a free
 * loopback port, in a temporary data directory; stops its whole process group.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MILVUS_DEFAULT_ROOT } from "./fixtures";
import { milvusVenv } from "./tools";
import { freePort, killGroup, waitFor } from "./support";

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

const running = new Set<ChildProcess>();
process.on("exit", () => running.forEach((c) => killGroup(c.pid, "SIGKILL")));

async function waitReady(port: number, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const { canLogin } = await import("../provider/milvus/client");
  let exited = false;
  await waitFor(
    () =>
      exited
        ? `milvus-server, which exited with ${child.exitCode}; see ${logFile}`
        : `milvus-server to accept root's login; see ${logFile}`,
    async () => {
      if (child.exitCode !== null) exited = true;
      return (
        exited ||
        canLogin(
          { hostPort: `127.0.0.1:${port}`, tls: false, timeoutMs: 2000 },
          MILVUS_DEFAULT_ROOT.username,
          MILVUS_DEFAULT_ROOT.password,
        )
      );
    },
    timeoutMs,
    500,
  );
  if (exited) throw new Error(`milvus-server exited with ${child.exitCode}; see ${logFile}`);
}

export async function startRealMilvus(): Promise<RealMilvus> {
  const venv = milvusVenv();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-milvus-"));
  const port = await freePort();
  const logFile = path.join(dataDir, "server.log");
  const log = fs.openSync(logFile, "w");
  const child = spawn(
    path.join(venv, "bin", "milvus-server"),
    ["--data", dataDir, "--authorization-enabled", "true", "--proxy-port", String(port)],
    { detached: true, stdio: ["ignore", log, log] },
  );
  running.add(child);
  try {
    await waitReady(port, child, logFile, 120000);
  } catch (err) {
    killGroup(child.pid, "SIGKILL");
    throw err;
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    async stop() {
      killGroup(child.pid, "SIGTERM");
      const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once("exit", () => r())));
      const timer = setTimeout(() => killGroup(child.pid, "SIGKILL"), 10000);
      await exited;
      clearTimeout(timer);
      // the server's own children may outlive the wrapper: make sure the group is gone
      killGroup(child.pid, "SIGKILL");
      running.delete(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
