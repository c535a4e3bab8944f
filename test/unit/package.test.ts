/**
 * What `npm pack` publishes: the built package, its types, README, CHANGELOG and LICENSE, and
 * nothing of the repository's tests, harness, scripts, examples or benchmark. And the
 * package's exports resolve the reference Pulumi stores for an installed provider.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../harness/tools";
import { RESOURCE_DIRS } from "../../scripts/gen-sdk";

/** Each resource's folder under dist/ ("milvus"), from the generator's list of specs. */
const FOLDERS = RESOURCE_DIRS.map((r) => path.basename(r.dir));

describe("the published package", function () {
  this.timeout(60000);
  const files: string[] = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }),
  )[0].files.map((f: { path: string }) => f.path);

  it("holds dist with types, the plugin and its SDKs, README, CHANGELOG, LICENSE and package.json", () => {
    for (const f of [
      "package.json",
      "README.md",
      "CHANGELOG.md",
      "LICENSE",
      "dist/index.js",
      "dist/index.d.ts",
      ...FOLDERS.flatMap((f) => [`dist/${f}/provider.js`, `dist/${f}/operations.js`, `dist/${f}/resource.d.ts`]),
      "dist/plugin/main.js",
      "dist/plugin/start.js",
      "dist/shared/dynamic.js",
      "bin/pulumi-resource-dbpasswords",
      "schema.json",
      "sdk/python/pyproject.toml",
      "sdk/python/README.md",
      "sdk/go/go.mod",
    ]) {
      assert.ok(files.includes(f), `${f} is missing from the tarball`);
    }
  });

  it("holds nothing from test/, harness/, scripts/, examples/, bench/, demo/ or provider/ sources", () => {
    const stray = files.filter(
      (f) =>
        /^(test|harness|scripts|examples|bench|demo|provider|docs)\//.test(f) ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts")),
    );
    assert.deepStrictEqual(stray, []);
  });

  it("marks the plugin executable and names it as the package's bin", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    assert.strictEqual(pkg.bin["pulumi-resource-dbpasswords"], "bin/pulumi-resource-dbpasswords");
    const mode = fs.statSync(path.join(REPO_ROOT, "bin", "pulumi-resource-dbpasswords")).mode;
    assert.ok((mode & 0o111) !== 0, "bin/pulumi-resource-dbpasswords is not executable");
  });

  it("keeps the rest of dist/ private: its exports map opens only what programs, state and the bench load", () => {
    for (const request of [
      "pulumi-db-passwords/dist/shared/redact",
      "pulumi-db-passwords/dist/milvus/client",
      "pulumi-db-passwords/dist/shared/lifecycle.js",
      "pulumi-db-passwords/dist/cql/client",
    ]) {
      assert.throws(
        () => require.resolve(request, { paths: [REPO_ROOT] }),
        /ERR_PACKAGE_PATH_NOT_EXPORTED|not defined by "exports"/,
        request,
      );
    }
  });

  it("resolves both forms of every resource's provider module path through its exports map", () => {
    for (const folder of FOLDERS) {
      for (const request of [
        `pulumi-db-passwords/dist/${folder}/provider.js`,
        `pulumi-db-passwords/dist/${folder}/provider`,
        `pulumi-db-passwords/dist/${folder}/operations`,
      ]) {
        const resolved = require.resolve(request, { paths: [REPO_ROOT] });
        assert.strictEqual(
          path.relative(REPO_ROOT, resolved),
          path.join("dist", folder, `${path.basename(request, ".js")}.js`),
          request,
        );
      }
    }
  });
});
