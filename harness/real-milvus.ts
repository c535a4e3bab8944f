/**
 * Starts the embedded Milvus server (PyPI `milvus`) with authorization on, on a free
 * loopback port, in a temporary data directory; stops its whole process group.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MILVUS_DEFAULT_ROOT } from "./fixtures";
import { milvusVenv } from "./tools";
import { startDaemon } from "./daemon";
import { freePort } from "./support";

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

export async function startRealMilvus(): Promise<RealMilvus> {
  const venv = milvusVenv();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-milvus-"));
  const port = await freePort();
  const { canLogin } = await import("../provider/milvus/client");
  const server = await startDaemon({
    name: "milvus-server",
    command: path.join(venv, "bin", "milvus-server"),
    args: ["--data", dataDir, "--authorization-enabled", "true", "--proxy-port", String(port)],
    logFile: path.join(dataDir, "server.log"),
    readyWhen: "accept root's login",
    ready: () =>
      canLogin(
        { hostPort: `127.0.0.1:${port}`, tls: false, timeoutMs: 2000 },
        MILVUS_DEFAULT_ROOT.username,
        MILVUS_DEFAULT_ROOT.password,
      ),
  });
  return {
    address: `127.0.0.1:${port}`,
    port,
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
