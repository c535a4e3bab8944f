/**
 * `npm run pack-plugin`: the dbpasswords plugin as an archive for
 * `pulumi plugin install resource dbpasswords <version> --file <archive>`, for programs that
 * do not install the npm package (Python, YAML, Go pipelines).
 *
 * Pulumi unpacks the archive into its plugin cache and runs `pulumi-resource-dbpasswords` from
 * its root, so the root holds that launcher next to the package as npm publishes it
 * (package.json, dist/) and its production dependencies, installed from this repository's
 * lock file with `npm ci --omit=dev` (no install scripts: nothing the plugin needs has one).
 * The plugin runs on the machine's Node.js (20 or later), like the npm package.
 *
 * Writes artifacts/pulumi-resource-dbpasswords-v<version>-<os>-<arch>.tar.gz and prints its path.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

/** Pulumi's names for the platform: linux/darwin/windows, amd64/arm64. */
function platform(): string {
  const goos = process.platform === "win32" ? "windows" : process.platform;
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return `${goos}-${arch}`;
}

export function packPlugin(outDir = path.join(ROOT, "artifacts")): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  if (!fs.existsSync(path.join(ROOT, "dist", "plugin", "main.js"))) throw new Error("build first: npm run build");
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-plugin-"));
  try {
    // The files npm publishes, as npm lays them out.
    const tarball = execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", stage], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .pop()!;
    execFileSync("tar", ["-xzf", path.join(stage, tarball), "-C", stage]);
    const root = path.join(stage, "package");
    fs.copyFileSync(path.join(ROOT, "package-lock.json"), path.join(root, "package-lock.json"));
    execFileSync(
      "npm",
      ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
      { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
    );
    // The launcher at the archive's root (it finds dist/ beside itself there).
    fs.copyFileSync(
      path.join(ROOT, "bin", "pulumi-resource-dbpasswords"),
      path.join(root, "pulumi-resource-dbpasswords"),
    );
    fs.chmodSync(path.join(root, "pulumi-resource-dbpasswords"), 0o755);
    fs.rmSync(path.join(root, "package-lock.json"));
    fs.mkdirSync(outDir, { recursive: true });
    const archive = path.join(outDir, `pulumi-resource-dbpasswords-v${pkg.version}-${platform()}.tar.gz`);
    execFileSync("tar", ["-czf", archive, "-C", root, "."]);
    return archive;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (require.main === module) console.log(packPlugin());
