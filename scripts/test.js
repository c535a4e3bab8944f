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
// The time of each phase, printed as it ends (the suites' times come from the reporter).
let mark = t0;
const phase = (name) => {
  const now = Date.now();
  console.log(`[test] ${name}: ${((now - mark) / 1000).toFixed(1)}s`);
  mark = now;
};
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
phase("lint");
run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"]);
run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.test.json"]);
phase("build and type-check");
const env = {
  ...process.env,
  PDP_MILVUS_VENV: tool("install-milvus.sh"),
  PDP_PULUMI_BIN: tool("install-pulumi.sh"),
  PDP_NODE_BIN: tool("install-node.sh"),
  PDP_PYTHON_VENV: tool("install-python.sh"),
  PDP_CASSANDRA_LIB: tool("install-cassandra.sh"),
  PDP_LIBFAKETIME: tool("install-faketime.sh"),
  TS_NODE_PROJECT: path.join(root, "tsconfig.test.json"),
  TS_NODE_TRANSPILE_ONLY: "true",
};
phase("tools");
// Without arguments every suite runs, in WORKERS mocha processes side by side; folders as
// arguments (`npm test -- test/unit test/servers`) narrow that to them. Any other arguments (a
// file, a glob, mocha's own flags) run in one mocha process, its output as it comes.
const SUITES = ["test/unit", "test/servers", "test/integration", "test/e2e", "test/reliability"];
const args = process.argv.slice(2);
const mochaBin = require.resolve("mocha/bin/mocha.js");
const elapsed = () =>
  `suites: ${((Date.now() - mark) / 1000).toFixed(1)}s; whole run ${((Date.now() - t0) / 1000).toFixed(1)}s`;
const folders =
  args.length > 0 &&
  args.every((a) => require("fs").statSync(path.join(root, a), { throwIfNoEntry: false })?.isDirectory());
if (args.length && !folders) {
  const mocha = spawnSync(process.execPath, [mochaBin, ...args], { cwd: root, env, stdio: "inherit" });
  console.log(`[test] ${elapsed()}`);
  process.exit(mocha.status ?? 1);
}
runWorkers(folders ? args : SUITES).then((code) => process.exit(code));

/**
 * Every test file, split over WORKERS mocha processes (PDP_TEST_WORKERS, default 2) that run at
 * the same time. Most of the suite's wall time is spent waiting for Pulumi CLI runs, servers and
 * subprocesses, so two processes use both cores. Each worker is a whole mocha run of its own:
 * its own root hooks, its own shared Cassandra node, its own ports (every server, the embedded
 * Milvus and its etcd included, listens on free ports: harness/real-milvus.ts) and temporary
 * directories. So any file may go to any worker: longest first by test/helpers/durations.json,
 * each to the worker with the least work (the files of the 3-node cluster together, as one).
 * Each line of a worker's output is prefixed with its number; the summary (slowest files and
 * tests, the count line) covers the whole run.
 */
async function runWorkers(suites) {
  const fs = require("fs");
  const os = require("os");
  const { spawn } = require("child_process");
  const workers = Math.max(1, Number(process.env.PDP_TEST_WORKERS ?? 2));
  const files = suites.flatMap((dir) => testFiles(path.join(root, dir))).map((f) => path.relative(root, f));
  const durations = JSON.parse(fs.readFileSync(path.join(root, "test", "helpers", "durations.json"), "utf8"));
  const weight = (f) => durations[f] ?? 30;
  // The files that start the 3-node Cassandra cluster (harness/cassandra-cluster.ts) share one:
  // it starts once per mocha process (about a minute, 1.7 GB), so they go to one worker together.
  const startsCluster = (f) => /\bsharedCassandraCluster\(/.test(fs.readFileSync(path.join(root, f), "utf8"));
  const units = [];
  const cluster = files.filter(startsCluster);
  if (cluster.length) units.push(cluster);
  for (const f of files) if (!cluster.includes(f)) units.push([f]);
  const load = (unit) => unit.reduce((sum, f) => sum + weight(f), 0);
  const lanes = Array.from({ length: workers }, () => ({ files: [], load: 0 }));
  for (const unit of units.sort((a, b) => load(b) - load(a))) {
    const lane = lanes.reduce((best, l) => (l.load < best.load ? l : best));
    lane.files.push(...unit);
    lane.load += load(unit);
  }
  // Within a worker the files keep the suites' order: fast tiers first, so a broken unit shows early.
  for (const l of lanes) l.files.sort((a, b) => files.indexOf(a) - files.indexOf(b));
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-test-reports-"));
  lanes.forEach((l, i) =>
    console.log(`[test] worker ${i + 1}: ${l.files.length} files, about ${Math.round(l.load / 60)} min`),
  );
  const codes = await Promise.all(
    lanes.map((l, i) =>
      l.files.length === 0
        ? 0
        : new Promise((resolve) => {
            const child = spawn(process.execPath, [mochaBin, ...l.files], {
              cwd: root,
              env: { ...env, PDP_TEST_REPORT: path.join(reports, `${i}.json`), PDP_TEST_WORKER: String(i + 1) },
              stdio: ["ignore", "pipe", "pipe"],
            });
            const prefix = `[w${i + 1}] `;
            for (const [stream, out] of [
              [child.stdout, process.stdout],
              [child.stderr, process.stderr],
            ]) {
              let rest = "";
              stream.on("data", (d) => {
                const lines = (rest + d).split("\n");
                rest = lines.pop();
                for (const line of lines) out.write(prefix + line + "\n");
              });
              stream.on("end", () => rest && out.write(prefix + rest + "\n"));
            }
            child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
          }),
    ),
  );
  const merged = { files: [], tests: [], passes: 0, failures: 0, pending: 0 };
  let missing = 0;
  lanes.forEach((l, i) => {
    if (l.files.length === 0) return;
    const file = path.join(reports, `${i}.json`);
    if (!fs.existsSync(file)) {
      console.error(`[test] worker ${i + 1} ended without a report (exit ${codes[i]}): its tests count as failed`);
      missing++;
      return;
    }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    merged.files.push(...r.files);
    merged.tests.push(...r.tests);
    merged.passes += r.passes;
    merged.failures += r.failures;
    merged.pending += r.pending;
  });
  fs.rmSync(reports, { recursive: true, force: true });
  merged.failures += missing;
  // `PDP_TEST_DURATIONS_OUT=test/helpers/durations.json npm test` refreshes the weights above.
  if (process.env.PDP_TEST_DURATIONS_OUT) {
    const seconds = Object.fromEntries(
      merged.files.sort((a, b) => a[0].localeCompare(b[0])).map(([f, ms]) => [f, Math.round(ms / 1000)]),
    );
    fs.writeFileSync(process.env.PDP_TEST_DURATIONS_OUT, `${JSON.stringify(seconds, null, 2)}\n`);
  }
  const { summary } = require(path.join(root, "test", "helpers", "reporter.js"));
  const lines = summary(merged.files, merged.tests, merged);
  const count = lines.pop();
  console.log(lines.join("\n"));
  console.log(`[test] ${elapsed()}`);
  console.log(count);
  return merged.failures === 0 && codes.every((c) => c === 0) ? 0 : 1;
}

/** The *.test.ts files under `dir`, recursively, in path order. */
function testFiles(dir) {
  const fs = require("fs");
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) =>
      e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith(".test.ts") ? [path.join(dir, e.name)] : [],
    );
}
