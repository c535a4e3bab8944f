#!/usr/bin/env node
// `npm test`: lints, builds the package, installs the tools the tests need (cached outside the
// repo), type-checks the tests, then runs every mocha suite. Exits with mocha's status.
const { execFileSync, spawnSync } = require("child_process");
const path = require("path");

const root = path.resolve(__dirname, "..");
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
const tool = (script) =>
  execFileSync("bash", [path.join(root, "scripts", script)], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .pop();

const t0 = Date.now();
// Lint first, as part of the test command: eslint with zero warnings, then prettier's check.
const bin = (pkg, file) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
const lint = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error("[test] lint failed (see above); `npm run format` fixes what can be fixed by rewriting");
    process.exit(r.status ?? 1);
  }
};
lint([bin("eslint", "bin/eslint.js"), "--max-warnings", "0", "."]);
lint([bin("prettier", "bin/prettier.cjs"), "--check", "--log-level", "warn", "."]);
run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"]);
run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.test.json"]);
const env = {
  ...process.env,
  PDP_MILVUS_VENV: tool("install-milvus.sh"),
  PDP_PULUMI_BIN: tool("install-pulumi.sh"),
  PDP_PYTHON_VENV: tool("install-python.sh"),
  PDP_CASSANDRA_LIB: tool("install-cassandra.sh"),
  TS_NODE_PROJECT: path.join(root, "tsconfig.test.json"),
  TS_NODE_TRANSPILE_ONLY: "true",
};
console.log(`[test] build and tools ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
// Arguments narrow the run (`npm test -- test/unit`); without them every suite runs.
const SUITES = [
  "test/unit/**/*.test.ts",
  "test/servers/**/*.test.ts",
  "test/integration/**/*.test.ts",
  "test/e2e/**/*.test.ts",
  "test/reliability/**/*.test.ts",
];
const args = process.argv.slice(2);
const mocha = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), ...(args.length ? args : SUITES)], {
  cwd: root,
  env,
  stdio: "inherit",
});
process.exit(mocha.status ?? 1);
