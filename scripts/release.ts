/**
 * `npm run release`: every artifact of one version, written into artifacts/ (or PDP_RELEASE_DIR)
 * from a clean checkout, one version for all of them (package.json's):
 *
 * - `pulumi-db-passwords-<version>.tgz`, the npm package as `npm pack` makes it;
 * - `pulumi_dbpasswords-<version>-py3-none-any.whl` and `pulumi_dbpasswords-<version>.tar.gz`, the
 *   Python SDK (sdk/python, built by setuptools' PEP 517 hooks, with the PyPI README and the license);
 * - `pulumi-resource-dbpasswords-v<version>-<os>-<arch>.tar.gz` for linux, darwin and windows on
 *   amd64 and arm64 (scripts/pack-plugin.ts);
 * - `SHA256SUMS` over all of them, as `sha256sum -c` reads it.
 *
 * The Go SDK is sdk/go of the tagged commit: `--tag` creates the tags `v<version>` (the release,
 * where the CLI looks for the plugin archives) and `sdk/go/v<version>` (the Go module), else the
 * release prints the commands.
 *
 * Where the plugin comes from: the schema's `pluginDownloadURL` (by default the GitHub releases of
 * package.json's `repository`). PDP_PLUGIN_DOWNLOAD_URL (an http, https or github:// address)
 * replaces it for this release: the Python SDK is then generated again with that address in its
 * `pulumi-plugin.json`, and the plugin archives' package.json names it for the schema they serve.
 *
 * Refuses a dirty tree (any change or untracked file git does not ignore) and a version that
 * CHANGELOG.md does not describe (checkChangelog). The same commit gives the same bytes: every
 * time stamp is the commit's (SOURCE_DATE_EPOCH), archives are sorted and owner-less, gzip
 * stores no name or time. The npm tarball is npm's own, which is reproducible too.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PACKAGE } from "../provider/shared/spec";
import { packageSchema, pluginDownloadUrl } from "../provider/plugin/schema";
import { SPECS } from "../provider/plugin/resources";
import { PLATFORMS, archiveName, archivePlugin, deterministicTarGz, npmPack, stagePlugin } from "./pack-plugin";
import { generateSdk } from "./gen-sdk";

const ROOT = path.resolve(__dirname, "..");

export class ReleaseError extends Error {}

const git = (args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();

/** Refuses a tree with changes or untracked files: the artifacts must be those of the commit. */
export function checkClean(status: string): void {
  if (status.trim()) {
    throw new ReleaseError(
      `the working tree is not clean; commit or remove these first (a release is made from a commit):\n${status}`,
    );
  }
}

/**
 * CHANGELOG.md describes `version` when it has a heading `## <version>` (a `v` before it, and
 * anything after it such as `(unreleased)` or a date, allowed) followed by at least one entry
 * (`- ...`) before the next heading. Returns the heading.
 */
export function checkChangelog(text: string, version: string): string {
  const lines = text.split("\n");
  const escaped = version.replace(/[.+]/g, "\\$&");
  const at = lines.findIndex((l) => new RegExp(`^## v?${escaped}(\\s|$)`).test(l));
  if (at < 0) throw new ReleaseError(`CHANGELOG.md has no section "## ${version}": describe the release first`);
  const next = lines.findIndex((l, i) => i > at && /^## /.test(l));
  const body = lines.slice(at + 1, next < 0 ? undefined : next);
  if (!body.some((l) => /^\s*[-*] \S/.test(l))) {
    throw new ReleaseError(`CHANGELOG.md's section "${lines[at]}" lists no change`);
  }
  return lines[at];
}

/** The addresses the CLI downloads plugins from (pkg/workspace: github://, gitlab://, http, https). */
export function checkServer(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ReleaseError(`PDP_PLUGIN_DOWNLOAD_URL is not a URL: ${server}`);
  }
  if (!["http:", "https:", "github:", "gitlab:"].includes(url.protocol)) {
    throw new ReleaseError(`PDP_PLUGIN_DOWNLOAD_URL must be an http, https, github:// or gitlab:// address: ${server}`);
  }
  return server;
}

function sha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** The tools' locations: the Python venv and the code generator, as the tests find them. */
function tool(script: string): string {
  return execFileSync("bash", [path.join(ROOT, "scripts", script)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .pop()!;
}

/**
 * The Python SDK's wheel and sdist, from a copy of sdk/python whose files all carry the commit's
 * time (the sdist keeps file times; the wheel takes SOURCE_DATE_EPOCH). With `server`, the SDK is
 * generated again from the schema with that download address.
 */
function buildPython(outDir: string, epoch: number, pkg: any, server: string | undefined): string[] {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-python-"));
  try {
    const sdk = path.join(stage, "sdk");
    if (server) {
      const schemaFile = path.join(stage, "schema.json");
      fs.writeFileSync(schemaFile, JSON.stringify(packageSchema(SPECS, { ...pkg, pulumi: { server } })));
      generateSdk(path.join(tool("install-pulumi.sh"), "pulumi-dbpasswords-codegen"), schemaFile, "python", sdk);
    } else {
      fs.cpSync(path.join(ROOT, "sdk", "python"), sdk, { recursive: true });
    }
    fs.copyFileSync(path.join(ROOT, "LICENSE"), path.join(sdk, "LICENSE"));
    const when = new Date(epoch * 1000);
    for (const entry of fs.readdirSync(sdk, { recursive: true, encoding: "utf8" }))
      fs.utimesSync(path.join(sdk, entry), when, when);
    fs.utimesSync(sdk, when, when);
    const python = process.env.PDP_PYTHON_VENV
      ? path.join(process.env.PDP_PYTHON_VENV, "bin", "python")
      : path.join(tool("install-python.sh"), "bin", "python");
    const built = path.join(stage, "dist");
    // setuptools' own PEP 517 hooks, what `python -m build --no-isolation` calls; each from a
    // copy of its own, as the build leaves its working folders behind in the source.
    const hook = (name: "build_sdist" | "build_wheel") => {
      const src = path.join(stage, name);
      fs.cpSync(sdk, src, { recursive: true, preserveTimestamps: true });
      const script = `import sys\nfrom setuptools import build_meta as b\nprint(b.${name}(sys.argv[1]))`;
      return execFileSync(python, ["-c", script, built], {
        cwd: src,
        encoding: "utf8",
        env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch), PYTHONHASHSEED: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      })
        .trim()
        .split("\n")
        .pop()!;
    };
    const names = [hook("build_sdist"), hook("build_wheel")];
    return names.map((name) => {
      const target = path.join(outDir, name);
      if (name.endsWith(".tar.gz")) {
        // setuptools stamps the files it writes (PKG-INFO, setup.cfg, egg-info) and the folders
        // with the time of the build, and Python's tarfile the gzip header: pack it again the
        // way the plugin archives are packed.
        const unpacked = path.join(stage, "sdist-files");
        fs.mkdirSync(unpacked);
        execFileSync("tar", ["-xzf", path.join(built, name), "-C", unpacked]);
        fs.writeFileSync(target, deterministicTarGz(unpacked, fs.readdirSync(unpacked).sort(), epoch));
      } else {
        fs.copyFileSync(path.join(built, name), target);
      }
      return target;
    });
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

export interface ReleaseResult {
  version: string;
  commit: string;
  server: string | undefined;
  files: string[];
}

export function release(opts: { outDir?: string; server?: string; tag?: boolean; log?: (s: string) => void } = {}) {
  const log = opts.log ?? ((s: string) => console.log(`[release] ${s}`));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const version: string = pkg.version;
  checkClean(git(["status", "--porcelain"]));
  const heading = checkChangelog(fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8"), version);
  if (/unreleased/i.test(heading)) log(`CHANGELOG.md still says "${heading}": date it when you publish`);
  const server = opts.server ? checkServer(opts.server) : undefined;
  const commit = git(["rev-parse", "HEAD"]);
  const epoch = Number(git(["log", "-1", "--format=%ct"]));
  const outDir = opts.outDir ?? path.join(ROOT, "artifacts");
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  log(`version ${version} from ${commit}; plugin from ${server ?? pluginDownloadUrl(pkg)}`);

  // A clean build: dist/ is ignored by git and may hold files of removed sources.
  fs.rmSync(path.join(ROOT, "dist"), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  const files = [npmPack(outDir)];
  log(`npm package: ${path.basename(files[0])}`);
  files.push(...buildPython(outDir, epoch, pkg, server));
  log(`Python SDK: ${files.slice(1).map((f) => path.basename(f))}`);

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-release-"));
  try {
    const root = stagePlugin(files[0], stage, server);
    // The archives of one OS family differ only in their name: pack each family once.
    const packed = new Map<string, string>();
    for (const platform of PLATFORMS) {
      const family = platform.startsWith("windows-") ? "windows" : "unix";
      const first = packed.get(family);
      if (first) {
        const copy = path.join(outDir, archiveName(version, platform));
        fs.copyFileSync(first, copy);
        files.push(copy);
      } else {
        const archive = archivePlugin(root, version, platform, outDir, epoch);
        packed.set(family, archive);
        files.push(archive);
      }
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  log(`plugin archives: ${PLATFORMS.join(", ")}`);

  const sums = files
    .map((f) => `${sha256(f)}  ${path.basename(f)}`)
    .sort((a, b) => (a.slice(66) < b.slice(66) ? -1 : 1));
  fs.writeFileSync(path.join(outDir, "SHA256SUMS"), `${sums.join("\n")}\n`);

  const tags = [`v${version}`, `sdk/go/v${version}`];
  if (opts.tag) {
    for (const t of tags) git(["tag", "-a", t, "-m", `${PACKAGE} ${version}`, commit]);
    log(`tagged ${tags.join(" and ")}; push them with: git push origin ${tags.join(" ")}`);
  } else {
    log(`tag the release and the Go SDK: ${tags.map((t) => `git tag ${t} ${commit}`).join(" && ")}`);
  }
  log(`wrote ${files.length + 1} files into ${outDir}`);
  return { version, commit, server, files: [...files, path.join(outDir, "SHA256SUMS")] } satisfies ReleaseResult;
}

if (require.main === module) {
  try {
    release({
      outDir: process.env.PDP_RELEASE_DIR,
      server: process.env.PDP_PLUGIN_DOWNLOAD_URL || undefined,
      tag: process.argv.includes("--tag"),
    });
  } catch (e) {
    if (!(e instanceof ReleaseError)) throw e;
    console.error(`[release] refused: ${e.message}`);
    process.exit(1);
  }
}
