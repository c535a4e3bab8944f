/**
 * A release rehearsal, the way users meet a release: `npm run release` on a clean checkout of
 * this commit (a git worktree) writes every artifact into a folder that a local HTTP server
 * serves, with PDP_PLUGIN_DOWNLOAD_URL naming that server. Then:
 *
 * - a Python user: a fresh virtualenv with only the wheel and PyPI `pulumi`, an empty
 *   PULUMI_HOME, no `plugins:` in Pulumi.yaml, automatic plugin acquisition on. `pulumi up`
 *   downloads the plugin from the server and sets a Milvus user's password; a config change
 *   rotates it; destroy deletes the user;
 * - a YAML user: `sha256sum -c SHA256SUMS`, `pulumi plugin install resource dbpasswords
 *   <version> --file <linux-amd64 archive>`, up and destroy, with no download;
 * - every archive unpacked, its layout and launcher checked (the darwin and windows ones cannot
 *   run here).
 *
 * The artifacts are built once for the whole file (about a minute).
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { canLogin } from "../../provider/milvus/client";
import { RealMilvus, setRootPassword, startRealMilvus } from "../../harness/real-milvus";
import { PulumiProject } from "../../harness/pulumi-cli";
import { REPO_ROOT, pythonVenv } from "../../harness/tools";
import { PLATFORMS, WINDOWS_LAUNCHER, archiveName, nativeFiles } from "../../scripts/pack-plugin";
import { ReleaseError, checkChangelog, checkClean, checkServer } from "../../scripts/release";
import { tscAsUser } from "../helpers/user-tsc";

const VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version;
const ROOT_PW = "Rel-root-Pw1";
const APP_PW = ["Rel-app-Pw1x", "Rel-app-Pw2y"];

describe("a release, as its users meet it", function () {
  this.timeout(900000);
  let work: string;
  let checkout: string;
  let artifacts: string;
  let server: http.Server;
  let serverUrl: string;
  const requests: string[] = [];
  let milvus: RealMilvus;

  const releaseIn = (cwd: string, env: NodeJS.ProcessEnv) =>
    spawnSync("npm", ["run", "release"], { cwd, env: { ...process.env, ...env }, encoding: "utf8" });

  before(async function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-release-"));
    artifacts = path.join(work, "artifacts");
    fs.mkdirSync(artifacts);
    // A clean checkout of this commit, with the repository's node_modules one folder up (Node
    // and tsc look there), so the checkout itself has no untracked file.
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(work, "node_modules"));
    checkout = path.join(work, "src");
    execFileSync("git", ["worktree", "add", "--detach", checkout, "HEAD"], { cwd: REPO_ROOT, stdio: "ignore" });
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const file = path.join(artifacts, path.basename(decodeURIComponent(req.url ?? "")));
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-length": fs.statSync(file).size });
      fs.createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const r = releaseIn(checkout, { PDP_PLUGIN_DOWNLOAD_URL: serverUrl, PDP_RELEASE_DIR: artifacts });
    assert.strictEqual(r.status, 0, `${r.stdout}\n${r.stderr}`);
    milvus = await startRealMilvus();
    await setRootPassword(milvus, ROOT_PW);
  });

  after(async () => {
    await milvus?.stop();
    server?.close();
    if (checkout) spawnSync("git", ["worktree", "remove", "--force", checkout], { cwd: REPO_ROOT });
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("writes every artifact of one version, and SHA256SUMS that sha256sum -c accepts", () => {
    const expected = [
      `pulumi-db-passwords-${VERSION}.tgz`,
      `pulumi_dbpasswords-${VERSION}-py3-none-any.whl`,
      `pulumi_dbpasswords-${VERSION}.tar.gz`,
      ...PLATFORMS.map((p) => archiveName(VERSION, p)),
    ].sort();
    assert.deepStrictEqual(fs.readdirSync(artifacts).sort(), [...expected, "SHA256SUMS"].sort());
    const sums = fs.readFileSync(path.join(artifacts, "SHA256SUMS"), "utf8");
    assert.deepStrictEqual(
      sums
        .trim()
        .split("\n")
        .map((l) => l.slice(66))
        .sort(),
      expected,
    );
    const check = execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: artifacts, encoding: "utf8" });
    assert.strictEqual(check.match(/: OK$/gm)?.length, expected.length, check);
  });

  it("the same commit gives the same bytes: every time in the artifacts is the commit's, none the build's", () => {
    const epoch = Number(execFileSync("git", ["log", "-1", "--format=%ct"], { cwd: checkout, encoding: "utf8" }));
    const commitTime = new Date(epoch * 1000).toISOString().replace("T", " ").slice(0, 19);
    for (const file of fs.readdirSync(artifacts).filter((f) => /\.(tgz|tar\.gz)$/.test(f))) {
      const bytes = fs.readFileSync(path.join(artifacts, file));
      assert.strictEqual(bytes.readUInt32LE(4), 0, `${file}: gzip header holds a time`);
      if (file.endsWith(".tgz")) continue; // npm's own tarball: npm stamps every entry 1985-10-26
      const listing = execFileSync("tar", ["--full-time", "-tvzf", path.join(artifacts, file)], {
        encoding: "utf8",
        env: { ...process.env, TZ: "UTC" },
        maxBuffer: 1 << 28,
      });
      const times = new Set(
        listing
          .split("\n")
          .filter(Boolean)
          .map((l) => /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.exec(l)![0]),
      );
      assert.deepStrictEqual([...times], [commitTime], file);
      assert.doesNotMatch(listing, /^\S+ (?!0\/0 )/m, `${file}: an entry with an owner`);
    }
    const wheel = path.join(artifacts, `pulumi_dbpasswords-${VERSION}-py3-none-any.whl`);
    const wheelTimes = execFileSync(
      path.join(pythonVenv(), "bin", "python"),
      [
        "-c",
        "import sys, zipfile; print(sorted({i.date_time for i in zipfile.ZipFile(sys.argv[1]).infolist()}))",
        wheel,
      ],
      { encoding: "utf8" },
    ).trim();
    const d = new Date(epoch * 1000);
    const tuple = [
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds() & ~1, // zip stores seconds in steps of two
    ];
    assert.strictEqual(wheelTimes, `[(${tuple.join(", ")})]`);
  });

  it("refuses a dirty tree, a version CHANGELOG.md does not describe, and an address the CLI cannot download from", () => {
    assert.throws(() => checkClean("?? notes.txt\n"), ReleaseError);
    checkClean("");
    assert.strictEqual(
      checkChangelog("# Changelog\n\n## 0.2.0 (unreleased)\n\n- a change\n", "0.2.0"),
      "## 0.2.0 (unreleased)",
    );
    assert.strictEqual(
      checkChangelog("## v0.2.0 - 2027-01-05\n* a change\n## 0.1.0\n", "0.2.0"),
      "## v0.2.0 - 2027-01-05",
    );
    assert.throws(() => checkChangelog("## 0.1.0\n\n- old\n", "0.2.0"), /no section "## 0.2.0"/);
    assert.throws(() => checkChangelog("## 0.2.0\n\n## 0.1.0\n- old\n", "0.2.0"), /lists no change/);
    assert.throws(() => checkChangelog("## 0.2.00\n- x\n", "0.2.0"), /no section/);
    assert.throws(() => checkServer("ftp://example.com/"), /http, https/);
    checkServer("https://example.com/releases/v${VERSION}/");
    // The real command, on the checkout with one untracked file: refused before anything is built.
    const stray = path.join(checkout, "stray.txt");
    fs.writeFileSync(stray, "x");
    try {
      const r = releaseIn(checkout, { PDP_RELEASE_DIR: path.join(work, "refused") });
      assert.strictEqual(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /refused: the working tree is not clean[\s\S]*stray\.txt/);
      assert.strictEqual(fs.existsSync(path.join(work, "refused")), false);
    } finally {
      fs.rmSync(stray);
    }
  });

  it("every plugin archive holds its OS's launcher, the compiled plugin and only production dependencies", () => {
    const listings = new Map<string, string[]>();
    const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8"));
    const devOnly = Object.entries(lock.packages as Record<string, { dev?: boolean }>)
      .filter(([name, p]) => name.startsWith("node_modules/") && p.dev)
      .map(([name]) => name);
    assert.ok(devOnly.includes("node_modules/mocha"));
    // An archive with the same bytes as one already unpacked holds the same files: unpack each
    // distinct archive once (the Unix ones are one, the Windows ones another).
    const unpacked = new Map<string, string>();
    for (const platform of PLATFORMS) {
      const archive = fs.readFileSync(path.join(artifacts, archiveName(VERSION, platform)));
      const digest = crypto.createHash("sha256").update(archive).digest("hex");
      let dir = unpacked.get(digest);
      if (!dir) {
        dir = path.join(work, "unpacked", platform);
        fs.mkdirSync(dir, { recursive: true });
        execFileSync("tar", ["-xzf", path.join(artifacts, archiveName(VERSION, platform)), "-C", dir]);
        unpacked.set(digest, dir);
      }
      const windows = platform.startsWith("windows-");
      const launcher = path.join(dir, windows ? "pulumi-resource-dbpasswords.cmd" : "pulumi-resource-dbpasswords");
      assert.ok(fs.existsSync(launcher), `${platform}: no launcher`);
      assert.strictEqual(fs.statSync(launcher).mode & 0o755, 0o755, `${platform}: launcher not executable`);
      if (windows) {
        assert.strictEqual(fs.readFileSync(launcher, "utf8"), WINDOWS_LAUNCHER);
        assert.match(WINDOWS_LAUNCHER, /^node "%~dp0dist\\plugin\\start\.js" %\*\r$/m);
        assert.ok(
          !fs.existsSync(path.join(dir, "pulumi-resource-dbpasswords")),
          "a shell launcher in a Windows archive",
        );
      } else {
        assert.strictEqual(
          fs.readFileSync(launcher, "utf8"),
          fs.readFileSync(path.join(REPO_ROOT, "bin", "pulumi-resource-dbpasswords"), "utf8"),
        );
        assert.ok(!fs.existsSync(`${launcher}.cmd`));
      }
      for (const f of ["dist/plugin/start.js", "dist/plugin/main.js", "node_modules/@pulumi/pulumi/package.json"]) {
        assert.ok(fs.existsSync(path.join(dir, f)), `${platform}: no ${f}`);
      }
      // Only production dependencies: no package the lock file marks as a development one.
      for (const dev of devOnly) assert.ok(!fs.existsSync(path.join(dir, dev)), `${platform}: ${dev} shipped`);
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
      assert.strictEqual(pkg.version, VERSION);
      assert.deepStrictEqual(pkg.pulumi, { resource: true, name: "dbpasswords", version: VERSION, server: serverUrl });
      // An archive already unpacked and listed (same bytes) has the same files.
      const seen = [...listings.entries()].find(([p]) => unpacked.get(digest) === path.join(work, "unpacked", p));
      const files =
        seen?.[1] ??
        fs
          .readdirSync(dir, { recursive: true, encoding: "utf8" })
          .filter((f) => !f.startsWith("pulumi-resource-dbpasswords"))
          .sort();
      // brotli-wasm's folder pkg.node is WebAssembly: a native addon is a *.node file or a binding.gyp.
      if (!seen) assert.deepStrictEqual(nativeFiles(dir), [], `${platform}: a native addon`);
      listings.set(platform, files);
    }
    // One JavaScript tree for every platform, in two distinct archives (Unix, Windows).
    for (const platform of PLATFORMS) assert.deepStrictEqual(listings.get(platform), listings.get("linux-amd64"));
    assert.strictEqual(unpacked.size, 2);
  });

  it("the wheel names the release's address, and carries the PyPI README and the license", () => {
    const wheel = path.join(artifacts, `pulumi_dbpasswords-${VERSION}-py3-none-any.whl`);
    // Python's zipfile, as pip reads the wheel (no unzip needed on the machine).
    const read = (f: string) =>
      execFileSync(
        path.join(pythonVenv(), "bin", "python"),
        [
          "-c",
          "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())",
          wheel,
          f,
        ],
        { encoding: "utf8" },
      );
    assert.deepStrictEqual(JSON.parse(read("pulumi_dbpasswords/pulumi-plugin.json")), {
      resource: true,
      name: "dbpasswords",
      version: VERSION,
      server: serverUrl,
    });
    const meta = read(`pulumi_dbpasswords-${VERSION}.dist-info/METADATA`);
    assert.match(meta, /^Version: 0\.1\.0$/m);
    assert.match(meta, /pip install pulumi_dbpasswords/);
    for (const r of ["MilvusUserPassword", "GeminiDbAdminPassword", "CassandraRolePassword"]) {
      assert.match(meta, new RegExp(`dbpasswords\\.${r}\\(`), `no example of ${r}`);
    }
    assert.match(read(`pulumi_dbpasswords-${VERSION}.dist-info/LICENSE`), /Apache License/);
  });

  it("a Python user: pip install of the wheel, then pulumi up installs the plugin from the release and sets, rotates and deletes a Milvus user", async () => {
    const venv = path.join(work, "venv");
    execFileSync("python3", ["-m", "venv", venv]);
    execFileSync(
      path.join(venv, "bin", "pip"),
      [
        "install",
        "--quiet",
        "--disable-pip-version-check",
        path.join(artifacts, `pulumi_dbpasswords-${VERSION}-py3-none-any.whl`),
        "pulumi==3.272.0",
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    const dir = path.join(work, "python-program");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: release-python\nruntime: python\n");
    fs.writeFileSync(
      path.join(dir, "__main__.py"),
      [
        "import pulumi",
        "import pulumi_dbpasswords as dbpasswords",
        "",
        "config = pulumi.Config()",
        "app = dbpasswords.MilvusUserPassword(",
        '    "app",',
        "    connection={",
        '        "address": config.require("milvusAddress"),',
        '        "username": "root",',
        '        "password": config.require_secret("rootPassword"),',
        "    },",
        '    user="release_app",',
        '    password=config.require_secret("appPassword"),',
        "    create_if_missing=True,",
        "    delete_user_on_destroy=True,",
        ")",
        'pulumi.export("passwordVerified", app.password_verified)',
        "",
      ].join("\n"),
    );
    const project = new PulumiProject(dir, "rehearsal", {
      PULUMI_PYTHON_CMD: path.join(venv, "bin", "python"),
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "false",
    });
    const target = { hostPort: milvus.address, tls: false, timeoutMs: 10000 };
    try {
      const home = path.join(project.stateDir, ".pulumi-home");
      assert.ok(!fs.existsSync(path.join(home, "plugins")), "PULUMI_HOME must start empty");
      await project.init({ milvusAddress: milvus.address }, { rootPassword: ROOT_PW, appPassword: APP_PW[0] });
      const up = await project.run(["up", "--yes"]);
      assert.strictEqual(up.code, 0, up.all);
      const downloads = requests.filter((r) => r === `GET /${archiveName(VERSION, "linux-amd64")}`);
      assert.strictEqual(downloads.length, 1, `requests: ${requests.join(", ")}`);
      assert.ok(
        fs.existsSync(path.join(home, "plugins", `resource-dbpasswords-v${VERSION}`, "pulumi-resource-dbpasswords")),
      );
      assert.strictEqual((await project.ok(["stack", "output", "passwordVerified"])).stdout.trim(), "true");
      assert.strictEqual(await canLogin(target, "release_app", APP_PW[0]), true);

      await project.setSecret("appPassword", APP_PW[1]);
      const rotate = await project.run(["up", "--yes"]);
      assert.strictEqual(rotate.code, 0, rotate.all);
      assert.match(rotate.stdout, /1 updated/);
      assert.strictEqual(await canLogin(target, "release_app", APP_PW[1]), true);
      assert.strictEqual(await canLogin(target, "release_app", APP_PW[0]), false);

      const destroy = await project.run(["destroy", "--yes"]);
      assert.strictEqual(destroy.code, 0, destroy.all);
      assert.strictEqual(await canLogin(target, "release_app", APP_PW[1]), false);
      // Installed once: no second download.
      assert.strictEqual(requests.filter((r) => r.includes("pulumi-resource-dbpasswords")).length, 1);
      for (const r of [up, rotate, destroy]) for (const pw of [ROOT_PW, ...APP_PW]) assert.ok(!r.all.includes(pw));
    } finally {
      await project.cleanup();
    }
  });

  it("a YAML user: checksums, pulumi plugin install --file of the linux-amd64 archive, up and destroy", async () => {
    execFileSync("sha256sum", ["-c", "--quiet", "SHA256SUMS"], { cwd: artifacts });
    const dir = path.join(work, "yaml-program");
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      [
        "name: release-yaml",
        "runtime: yaml",
        "config:",
        "  milvusAddress:",
        "    type: string",
        "  rootPassword:",
        "    type: string",
        "    secret: true",
        "  appPassword:",
        "    type: string",
        "    secret: true",
        "resources:",
        "  app:",
        "    type: dbpasswords:index:MilvusUserPassword",
        "    properties:",
        "      connection:",
        "        address: ${milvusAddress}",
        "        username: root",
        "        password: ${rootPassword}",
        "      user: release_yaml",
        "      password: ${appPassword}",
        "      createIfMissing: true",
        "      deleteUserOnDestroy: true",
        "outputs:",
        "  passwordVerified: ${app.passwordVerified}",
        "",
      ].join("\n"),
    );
    const before = requests.length;
    const project = new PulumiProject(dir, "rehearsal");
    const target = { hostPort: milvus.address, tls: false, timeoutMs: 10000 };
    try {
      await project.ok([
        "plugin",
        "install",
        "resource",
        "dbpasswords",
        VERSION,
        "--file",
        path.join(artifacts, archiveName(VERSION, "linux-amd64")),
      ]);
      await project.init({ milvusAddress: milvus.address }, { rootPassword: ROOT_PW, appPassword: APP_PW[0] });
      const up = await project.run(["up", "--yes"]);
      assert.strictEqual(up.code, 0, up.all);
      assert.strictEqual((await project.ok(["stack", "output", "passwordVerified"])).stdout.trim(), "true");
      assert.strictEqual(await canLogin(target, "release_yaml", APP_PW[0]), true);
      const destroy = await project.run(["destroy", "--yes"]);
      assert.strictEqual(destroy.code, 0, destroy.all);
      assert.strictEqual(await canLogin(target, "release_yaml", APP_PW[0]), false);
      assert.strictEqual(requests.length, before, "the YAML run downloaded something");
    } finally {
      await project.cleanup();
    }
  });
});

/**
 * The examples the schema's resource descriptions carry (what the Registry and the SDKs' docs
 * show) are programs that build: the Go ones against sdk/go, the TypeScript ones against the
 * package's declarations, the Python ones run under Pulumi's mocks with the generated SDK.
 */
describe("the schema's examples in every language", function () {
  this.timeout(300000);
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8"));
  const blocks = (lang: string) =>
    Object.entries(schema.resources as Record<string, { description: string }>).map(([token, r]) => {
      const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)\\n```").exec(r.description);
      assert.ok(m, `${token} has no ${lang} example`);
      return { name: token.split(":").pop()!, code: m[1] };
    });
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-examples-"));
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("the Go examples build against sdk/go under the module path go get uses", () => {
    const goDir = path.join(dir, "go");
    for (const { name, code } of blocks("go")) {
      fs.mkdirSync(path.join(goDir, name), { recursive: true });
      fs.writeFileSync(path.join(goDir, name, "main.go"), `${code}\n`);
    }
    const module = "github.com/pulumi-db-passwords/pulumi-db-passwords/sdk/go";
    const goMod = fs.readFileSync(path.join(REPO_ROOT, "test", "e2e", "go-program", "go.mod"), "utf8");
    fs.writeFileSync(
      path.join(goDir, "go.mod"),
      goMod
        .replace(/^module .*$/m, "module examples")
        .replace(/^replace .*$/m, `replace ${module} => ${path.join(REPO_ROOT, "sdk", "go")}`),
    );
    assert.match(fs.readFileSync(path.join(goDir, "go.mod"), "utf8"), new RegExp(`require \\(\\n\\s+${module} v`));
    execFileSync("go", ["vet", "./..."], {
      cwd: goDir,
      env: { ...process.env, GOFLAGS: "-mod=mod", GOSUMDB: "off", GOTOOLCHAIN: "local" },
      stdio: ["ignore", "pipe", "pipe"],
    });
  });

  it("the TypeScript examples type-check against the package's declarations", () => {
    const files = blocks("typescript").map(({ name, code }) => {
      const file = path.join(dir, `${name}.ts`);
      fs.writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    const r = tscAsUser(dir, files);
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  });

  it("the Python examples run under Pulumi's mocks with the generated SDK", () => {
    const python = path.join(pythonVenv(), "bin", "python");
    for (const { name, code } of blocks("python")) {
      const keys = [...code.matchAll(/config\.require(?:_secret)?\("(\w+)"\)/g)].map((m) => m[1]);
      const script = [
        "import json, os, sys",
        `os.environ["PULUMI_CONFIG"] = json.dumps({${keys.map((k) => `"project:${k}": "Example-Pw1"`).join(", ")}})`,
        "import pulumi",
        "class Mocks(pulumi.runtime.Mocks):",
        "    def new_resource(self, args):",
        "        return [args.name + '_id', args.inputs]",
        "    def call(self, args):",
        "        return {}",
        "pulumi.runtime.set_mocks(Mocks(), preview=False)",
        code,
        "",
      ].join("\n");
      const file = path.join(dir, `${name}.py`);
      fs.writeFileSync(file, script);
      const r = spawnSync(python, [file], {
        encoding: "utf8",
        env: { ...process.env, PYTHONPATH: path.join(REPO_ROOT, "sdk", "python") },
      });
      assert.strictEqual(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
    }
  });
});
