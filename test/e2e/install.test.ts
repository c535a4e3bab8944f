/**
 * The package as a user gets it: `npm pack`, then a fresh Pulumi project in a temporary
 * directory installs the tarball next to its own `@pulumi/pulumi`, and the real CLI (with
 * Pulumi's Node.js language host) runs `up`, a rotation, `refresh` and `destroy` against a
 * real embedded Milvus and the GeminiDB emulator. The runs cover the ends of the support matrix
 * (README, "Supported versions"): a TypeScript program on the lowest `@pulumi/pulumi` the
 * package declares on Node 20, and a JavaScript program on the newest one it is tested with on
 * Node 22, 24 and 26. Each project must end up with a single copy of `@pulumi/pulumi`: the
 * program's; each program reports the Node.js that ran it.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { MILVUS_DEFAULT_ROOT } from "../../harness/fixtures";
import { RealMilvus, startRealMilvus } from "../../harness/real-milvus";
import { pymilvusCanLogin } from "../../harness/pymilvus";
import { GeminiDbEmulator, TEST_INSTANCE, startEmulator } from "../../harness/geminidb-emulator";
import { CliResult, PulumiProject, dynamicResources } from "../../harness/pulumi-cli";
import { REPO_ROOT, programNodeBin } from "../../harness/tools";
import { assertNoLeak } from "../helpers/leaks";

const run = promisify(execFile);
const PKG = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
/** The lowest `@pulumi/pulumi` the package declares (`^3.N.0` in its dependencies). */
const LOWEST = /^\^(\d+\.\d+\.\d+)$/.exec(PKG.dependencies["@pulumi/pulumi"])?.[1];
/** The version the repository itself is locked to, and every other suite runs. */
const NEWEST = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8"))
  .version as string;

/** The program's body, the same in both languages; only imports and exports differ. */
const BODY = `
const cfg = new pulumi.Config();
const app = new MilvusUserPassword("app", {
  connection: { address: cfg.require("milvusAddress"), username: "root", password: cfg.requireSecret("rootPassword") },
  user: cfg.require("user"),
  password: cfg.requireSecret("appPassword"),
  createIfMissing: true,
  deleteUserOnDestroy: true,
});
const db = new GeminiDbAdminPassword("db", {
  region: "eu-west-101",
  instanceId: cfg.require("instanceId"),
  password: cfg.requireSecret("rwuserPassword"),
  endpoint: cfg.require("endpoint"),
  iamEndpoint: cfg.require("endpoint"),
});
`;
const EXPORTS = {
  user: "app.user",
  passwordVerified: "app.passwordVerified",
  projectId: "db.projectId",
  node: "process.version",
};

const TS_PROGRAM =
  'import * as pulumi from "@pulumi/pulumi";\n' +
  'import { GeminiDbAdminPassword, MilvusUserPassword } from "pulumi-db-passwords";\n' +
  BODY +
  Object.entries(EXPORTS)
    .map(([k, v]) => `export const ${k} = ${v};\n`)
    .join("");

const JS_PROGRAM =
  '"use strict";\nconst pulumi = require("@pulumi/pulumi");\n' +
  'const { GeminiDbAdminPassword, MilvusUserPassword } = require("pulumi-db-passwords");\n' +
  BODY +
  Object.entries(EXPORTS)
    .map(([k, v]) => `exports.${k} = ${v};\n`)
    .join("");

interface Variant {
  language: "typescript" | "javascript";
  pulumi: string;
  /** The Node.js major that runs the program: 20 is the machine's own node (the test runner's). */
  node: "20" | "22" | "24" | "26";
  user: string;
}

/** The folder of the `node` that runs a program on `node`. */
function nodeBinFor(node: Variant["node"]): string {
  return node === "20" ? path.dirname(process.execPath) : programNodeBin(node);
}

/** A new project as `pulumi new typescript|javascript` lays it out, with the tarball as a dependency. */
function writeProject(dir: string, v: Variant, tarball: string): void {
  const ts = v.language === "typescript";
  const name = `install-${v.language}-${v.pulumi.replace(/\./g, "-")}`;
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\ndescription: install test\n`);
  const pkg = {
    name,
    private: true,
    main: ts ? "index.ts" : "index.js",
    dependencies: { "@pulumi/pulumi": v.pulumi, "pulumi-db-passwords": `file:${tarball}` },
    ...(ts ? { devDependencies: { "@types/node": "^20.0.0", typescript: "^5.0.0" } } : {}),
  };
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  // The project starts from the versions this repository's lock file holds (as a project that
  // already has a lock file does): npm keeps each that fits, and resolves the rest (the tarball,
  // another @pulumi/pulumi). Without it a fresh resolution picks whatever the registry published
  // last, and once failed the run on a newly listed transitive version that was not there yet.
  const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8"));
  const packages = Object.fromEntries(
    Object.entries(lock.packages as Record<string, unknown>).filter(
      ([k]) => k.startsWith("node_modules/") && k !== "node_modules/pulumi-db-passwords",
    ),
  );
  fs.writeFileSync(
    path.join(dir, "package-lock.json"),
    JSON.stringify({ name, lockfileVersion: 3, requires: true, packages: { "": pkg, ...packages } }, null, 2),
  );
  if (ts) {
    const tsconfig = {
      compilerOptions: {
        target: "ES2020",
        module: "commonjs",
        strict: true,
        esModuleInterop: true,
        skipLibCheck: false,
      },
      files: ["index.ts"],
    };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  }
  fs.writeFileSync(path.join(dir, ts ? "index.ts" : "index.js"), ts ? TS_PROGRAM : JS_PROGRAM);
}

/** Every installed copy of `@pulumi/pulumi` in the project, as npm lists them. */
async function pulumiCopies(dir: string): Promise<string[]> {
  const { stdout } = await run("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"], { cwd: dir });
  return [...new Set(stdout.split("\n").filter(Boolean))];
}

describe("install: the packed package in a fresh Pulumi project, through the real CLI", function () {
  this.timeout(900000);
  const AK = "INSTALLACCESSKEY";
  const SK = "Install-secret-key/1";
  const secrets = [SK, "Install-app-Pw1", "Install-app-Pw2", "Rw-install~Pw1", "Rw-install~Pw2"];
  let workDir: string;
  let tarball: string;
  let milvus: RealMilvus;
  let emu: GeminiDbEmulator;
  const outputs: CliResult[] = [];

  before(async () => {
    assert.ok(LOWEST, `package.json declares @pulumi/pulumi as ^3.N.0, not ${PKG.dependencies["@pulumi/pulumi"]}`);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-install-"));
    // `npm test` has just built dist/; packing must not build again or run anything else.
    const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", workDir], {
      cwd: REPO_ROOT,
    });
    tarball = path.join(workDir, JSON.parse(packed.stdout)[0].filename);
    milvus = await startRealMilvus();
    emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
  });
  after(async () => {
    await milvus?.stop();
    await emu?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    assertNoLeak(
      outputs.map((o) => o.all),
      secrets,
      "CLI output",
    );
  });

  const variants = (): Variant[] => [
    { language: "typescript", pulumi: LOWEST!, node: "20", user: "install_ts" },
    { language: "javascript", pulumi: NEWEST, node: "26", user: "install_js26" },
    { language: "javascript", pulumi: NEWEST, node: "24", user: "install_js24" },
    { language: "javascript", pulumi: NEWEST, node: "22", user: "install_js22" },
  ];
  /** One installed project per language and @pulumi/pulumi version, shared by the Node versions. */
  const projects = new Map<string, string>();
  async function projectFor(v: Variant): Promise<string> {
    const key = `${v.language}-${v.pulumi}`;
    const known = projects.get(key);
    if (known) return known;
    const dir = path.join(workDir, key);
    fs.rmSync(dir, { recursive: true, force: true }); // what an earlier, failed variant left
    fs.mkdirSync(dir);
    writeProject(dir, v, tarball);
    await run("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir, maxBuffer: 1 << 24 });

    const copies = await pulumiCopies(dir);
    assert.deepStrictEqual(copies, [path.join(dir, "node_modules", "@pulumi", "pulumi")], "one @pulumi/pulumi");
    const installed = JSON.parse(fs.readFileSync(path.join(copies[0], "package.json"), "utf8")).version;
    assert.strictEqual(installed, v.pulumi);
    const own = path.join(dir, "node_modules", "pulumi-db-passwords");
    assert.ok(!fs.lstatSync(own).isSymbolicLink() && fs.existsSync(path.join(own, "dist", "index.d.ts")));
    if (v.language === "typescript") {
      // The package's declarations type-check against this @pulumi/pulumi (no skipLibCheck).
      await run(process.execPath, [path.join(dir, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", dir]);
    }
    projects.set(key, dir);
    return dir;
  }

  for (const v of variants()) {
    const language = v.language === "typescript" ? "TypeScript" : "JavaScript";
    it(`${language} on @pulumi/pulumi ${v.pulumi}, Node ${v.node}: one copy; up, rotate, refresh, destroy`, async () => {
      const dir = await projectFor(v);
      const project = new PulumiProject(
        dir,
        `node${v.node}`,
        // a user's own project runs as users run it: ts-node type-checks the program
        { HW_ACCESS_KEY: AK, HW_SECRET_KEY: SK, PULUMI_NODEJS_TRANSPILE_ONLY: "false" },
        nodeBinFor(v.node),
      );
      const step = async (args: string[]) => {
        const r = await project.run(args);
        outputs.push(r);
        assert.strictEqual(r.code, 0, r.all);
        assert.doesNotMatch(r.all, /warning/i, "no step warns");
        return r;
      };
      try {
        await project.init(
          { milvusAddress: milvus.address, user: v.user, instanceId: TEST_INSTANCE, endpoint: emu.url },
          { rootPassword: MILVUS_DEFAULT_ROOT.password, appPassword: secrets[1], rwuserPassword: secrets[3] },
        );
        const up = await step(["up", "--yes"]);
        assert.match(
          up.stdout,
          new RegExp(`node\\s*:\\s*"v${v.node}\\.`),
          "the program ran on the Node.js of this run",
        );
        assert.strictEqual(await pymilvusCanLogin(milvus.address, v.user, secrets[1]), true);
        assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, secrets[3]);
        const state = await project.exportState();
        for (const r of dynamicResources(state.json)) {
          // Installed under node_modules, the provider is stored as a reference to the package.
          assert.match(r.inputs.__provider, /require\("pulumi-db-passwords\/dist\/(milvus|geminidb)\/provider\.js"\)/);
          assert.ok(r.inputs.__provider.length <= 1024, `__provider is ${r.inputs.__provider.length} bytes`);
        }

        await project.setSecret("appPassword", secrets[2]);
        await project.setSecret("rwuserPassword", secrets[4]);
        const rotate = await step(["up", "--yes"]);
        assert.match(rotate.stdout, /2 updated/);
        assert.strictEqual(await pymilvusCanLogin(milvus.address, v.user, secrets[2]), true);
        assert.strictEqual(await pymilvusCanLogin(milvus.address, v.user, secrets[1]), false);
        assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, secrets[4]);

        const refresh = await step(["refresh", "--yes"]);
        assert.doesNotMatch(refresh.stdout, /updated|=>/, "refresh finds no drift");
        await step(["preview", "--expect-no-changes"]);

        await step(["destroy", "--yes"]);
        assert.strictEqual(await pymilvusCanLogin(milvus.address, v.user, secrets[2]), false, "deleteUserOnDestroy");
      } finally {
        await project.cleanup();
      }
    });
  }
});
