/**
 * The dbpasswords plugin as archives for `pulumi plugin install resource dbpasswords <version>
 * --file <archive>` and for the CLI's own download (`pluginDownloadURL`), for programs that do
 * not install the npm package (Python, YAML, Go).
 *
 * Pulumi unpacks an archive into its plugin cache and runs `pulumi-resource-dbpasswords` from
 * its root (on Windows `pulumi-resource-dbpasswords.cmd`, the way Pulumi's own Node.js plugins
 * ship), so the root holds that launcher next to the package as npm publishes it (package.json,
 * dist/) and its production dependencies, installed from this repository's lock file with
 * `npm ci --omit=dev --ignore-scripts`. None of those dependencies has a native addon (stagePlugin
 * refuses one), so the same JavaScript serves every platform: the archives differ only in their
 * launcher. The plugin runs on the machine's Node.js, 20 or later.
 *
 * `npm run pack-plugin` writes the archive of this machine's platform into artifacts/ and prints
 * its path; `npm run release` (scripts/release.ts) writes all of them.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

export const PLUGIN = "pulumi-resource-dbpasswords";

/** The platforms a release serves, in Pulumi's names (GOOS-GOARCH). */
export const PLATFORMS = [
  "linux-amd64",
  "linux-arm64",
  "darwin-amd64",
  "darwin-arm64",
  "windows-amd64",
  "windows-arm64",
] as const;
export type Platform = (typeof PLATFORMS)[number];

/** This machine's platform in Pulumi's names. */
export function hostPlatform(): string {
  const goos = process.platform === "win32" ? "windows" : process.platform;
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return `${goos}-${arch}`;
}

/** The archive's file name, as the CLI asks a download server for it. */
export function archiveName(version: string, platform: string): string {
  return `${PLUGIN}-v${version}-${platform}.tar.gz`;
}

/**
 * The Windows launcher: Pulumi looks for `<name>.cmd` beside the plugin on Windows, as for its
 * own pulumi-resource-pulumi-nodejs.cmd. `%~dp0` is the folder of the script, with its trailing
 * backslash; CRLF line ends, as cmd.exe expects.
 */
export const WINDOWS_LAUNCHER = [
  "@echo off",
  "REM The dbpasswords provider plugin. Pulumi runs pulumi-resource-dbpasswords.cmd <engine address>;",
  "REM this starts Node.js (20 or later, the first node on PATH) on the compiled plugin beside it.",
  'node "%~dp0dist\\plugin\\start.js" %*',
  "",
].join("\r\n");

/**
 * Stages the plugin's files in `dir` (the package as `npm pack` of ROOT lays it out, with its
 * production dependencies), from the npm tarball `tarball`. With `server`, the staged
 * package.json says where the plugin is downloaded from (`pulumi.server`, npm's convention for
 * Pulumi packages), so that the schema the plugin serves names the same address as the SDKs.
 * Returns the staged package root.
 */
export function stagePlugin(tarball: string, dir: string, server?: string): string {
  execFileSync("tar", ["-xzf", tarball, "-C", dir]);
  const root = path.join(dir, "package");
  fs.copyFileSync(path.join(ROOT, "package-lock.json"), path.join(root, "package-lock.json"));
  execFileSync(
    "npm",
    ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
  fs.rmSync(path.join(root, "package-lock.json"));
  fs.rmSync(path.join(root, "node_modules", ".package-lock.json"), { force: true });
  const pkgFile = path.join(root, "package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
  if (server) {
    pkg.pulumi = { resource: true, name: "dbpasswords", version: pkg.version, server };
    fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  }
  const native = nativeFiles(path.join(root, "node_modules"));
  if (native.length) {
    throw new Error(
      `a production dependency has a native addon, so one archive cannot serve every platform: ${native}`,
    );
  }
  return root;
}

/** Files that mark a native addon (compiled code for one platform). */
export function nativeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && (entry.name.endsWith(".node") || entry.name === "binding.gyp")) {
      out.push(path.join(entry.parentPath, entry.name));
    }
  }
  return out;
}

/**
 * Writes the archive of `platform` from the staged package `root` into `outDir`: the same bytes
 * for the same files (entries sorted by name, owner 0, every time `epoch`, gzip without a name or
 * time), so that a release of one commit is reproducible.
 */
export function archivePlugin(root: string, version: string, platform: string, outDir: string, epoch: number): string {
  const launcherDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-launcher-"));
  try {
    const windows = platform.startsWith("windows-");
    const launcher = path.join(launcherDir, windows ? `${PLUGIN}.cmd` : PLUGIN);
    if (windows) fs.writeFileSync(launcher, WINDOWS_LAUNCHER);
    else fs.copyFileSync(path.join(ROOT, "bin", PLUGIN), launcher);
    fs.chmodSync(launcher, 0o755);
    const archive = path.join(outDir, archiveName(version, platform));
    fs.writeFileSync(archive, deterministicTarGz(root, fs.readdirSync(root).sort(), epoch, launcherDir));
    return archive;
  } finally {
    fs.rmSync(launcherDir, { recursive: true, force: true });
  }
}

/**
 * A .tar.gz of `entries` of `dir` (and everything in `extraDir`, first) whose bytes depend only
 * on the files: entries sorted by name, owner 0, every time `epoch`, gzip without a name or time.
 */
export function deterministicTarGz(dir: string, entries: string[], epoch: number, extraDir?: string): Buffer {
  const extra = extraDir ? ["-C", extraDir, ...fs.readdirSync(extraDir).sort()] : [];
  const tar = execFileSync(
    "tar",
    [
      "--sort=name",
      `--mtime=@${epoch}`,
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "--format=gnu",
      "-cf",
      "-",
      ...extra,
      "-C",
      dir,
      ...entries,
    ],
    { maxBuffer: 1 << 30 },
  );
  return execFileSync("gzip", ["-n", "-9"], { input: tar, maxBuffer: 1 << 30 });
}

/** `npm pack` of ROOT into `dir` (no scripts: the caller has built dist/); returns the tarball's path. */
export function npmPack(dir: string): string {
  const name = execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", dir], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop()!;
  return path.join(dir, name);
}

export function packPlugin(outDir = path.join(ROOT, "artifacts")): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  if (!fs.existsSync(path.join(ROOT, "dist", "plugin", "main.js"))) throw new Error("build first: npm run build");
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-plugin-"));
  try {
    const root = stagePlugin(npmPack(stage), stage);
    fs.mkdirSync(outDir, { recursive: true });
    return archivePlugin(root, pkg.version, hostPlatform(), outDir, Math.floor(Date.now() / 1000));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (require.main === module) console.log(packPlugin());
