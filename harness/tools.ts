/**
 * Locates the tools the tests need. scripts/test.js installs them and exports their paths;
 * a test run started some other way installs them here (cached, so this is quick).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

function install(script: string, envName: string, env: NodeJS.ProcessEnv = {}): string {
  const cached = process.env[envName];
  if (cached) return cached;
  const out = execFileSync("bash", [path.join(ROOT, "scripts", script)], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const dir = out.trim().split("\n").pop()!;
  process.env[envName] = dir;
  return dir;
}

/**
 * The folder holding the `node` that runs Pulumi programs and the dbpasswords plugin (Node 26
 * from the tool cache, scripts/install-node.sh, unless PDP_NODE_VERSION chooses another line;
 * `line` asks for one line whatever the run's default).
 */
export function programNodeBin(line?: "22" | "24" | "26"): string {
  return line
    ? install("install-node.sh", `PDP_NODE_BIN_${line}`, { PDP_NODE_VERSION: line })
    : install("install-node.sh", "PDP_NODE_BIN");
}

/** The virtualenv with milvus-server and pymilvus. */
export function milvusVenv(): string {
  return install("install-milvus.sh", "PDP_MILVUS_VENV");
}

/** The directory holding the pulumi CLI built from source, its language hosts and the SDK generator. */
export function pulumiBin(): string {
  return install("install-pulumi.sh", "PDP_PULUMI_BIN");
}

/** The directory of Apache Cassandra's jars (cassandra-all and its runtime dependencies). */
export function cassandraLib(): string {
  return install("install-cassandra.sh", "PDP_CASSANDRA_LIB");
}

/** The path of Debian's redis-server (7.0), scripts/install-redis.sh. */
export function redisServerBin(): string {
  return install("install-redis.sh", "PDP_REDIS_SERVER");
}

/**
 * The path of FerretDB (v1.24.2, SQLite backend), built from the Go module proxy by
 * scripts/install-ferretdb.sh: a MongoDB-wire server with SCRAM, standing for GeminiDB Mongo.
 */
export function ferretdbBin(): string {
  return install("install-ferretdb.sh", "PDP_FERRETDB");
}

/** The path of Debian's influxd (InfluxDB 1.6), scripts/install-influxdb.sh. */
export function influxdBin(): string {
  return install("install-influxdb.sh", "PDP_INFLUXD");
}

/** The virtualenv with PyPI pulumi, in which Python programs run. */
export function pythonVenv(): string {
  return install("install-python.sh", "PDP_PYTHON_VENV");
}

let sdkInstalled = false;

/**
 * The Python that runs Python programs (PULUMI_PYTHON_CMD), with this checkout's generated SDK
 * (sdk/python) installed as a user installs it, once per process.
 */
export function pythonWithSdk(): string {
  const python = path.join(pythonVenv(), "bin", "python");
  if (!sdkInstalled) {
    // from a copy: a build leaves build/ and *.egg-info beside its sources
    const source = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-sdk-python-"));
    fs.cpSync(path.join(ROOT, "sdk", "python"), source, { recursive: true });
    execFileSync(
      python,
      [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--no-build-isolation",
        "--force-reinstall",
        source,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    fs.rmSync(source, { recursive: true, force: true });
    sdkInstalled = true;
  }
  return python;
}

export const REPO_ROOT = ROOT;
