/**
 * Locates the tools the tests need. scripts/test.js installs them and exports their paths;
 * a test run started some other way installs them here (cached, so this is quick).
 */
import { execFileSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

function install(script: string, envName: string): string {
  const cached = process.env[envName];
  if (cached) return cached;
  const out = execFileSync("bash", [path.join(ROOT, "scripts", script)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const dir = out.trim().split("\n").pop()!;
  process.env[envName] = dir;
  return dir;
}

/** The virtualenv with milvus-server and pymilvus. */
export function milvusVenv(): string {
  return install("install-milvus.sh", "PDP_MILVUS_VENV");
}

/** The directory holding the pulumi CLI built from source. */
export function pulumiBin(): string {
  return install("install-pulumi.sh", "PDP_PULUMI_BIN");
}

export const REPO_ROOT = ROOT;
