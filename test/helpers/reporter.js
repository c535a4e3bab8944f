// Mocha's spec reporter, plus at the end of the run: the wall time of each suite folder, the 15
// slowest test files and the 15 slowest tests (hooks included in a file's time), and a last line
// "N passed, N failed[, N skipped]" so that a run that executed no test (or skipped some) is
// visible to whoever reads only the end.
const path = require("path");
const Mocha = require("mocha");
const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_PASS, EVENT_TEST_FAIL } = Mocha.Runner.constants;

const ROOT = path.resolve(__dirname, "..", "..");
const SLOWEST = 15;
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;

class CountingSpec extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const fileMs = new Map();
    const started = new Map();
    const tests = [];
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.file && suite.parent && suite.parent.root) started.set(suite, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const t0 = started.get(suite);
      if (t0 === undefined) return;
      const file = path.relative(ROOT, suite.file);
      fileMs.set(file, (fileMs.get(file) ?? 0) + Date.now() - t0);
    });
    const record = (test) =>
      tests.push({
        title: test.fullTitle(),
        file: test.file ? path.relative(ROOT, test.file) : "?",
        ms: test.duration ?? 0,
      });
    runner.on(EVENT_TEST_PASS, record);
    runner.on(EVENT_TEST_FAIL, record);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      // Under scripts/test.js's workers: hand the numbers to the runner, which prints the summary
      // of the whole run (and its one count line) when every worker is done.
      if (process.env.PDP_TEST_REPORT) {
        const report = { files: [...fileMs], tests, passes: s.passes, failures: s.failures, pending: s.pending };
        require("fs").writeFileSync(process.env.PDP_TEST_REPORT, JSON.stringify(report));
        return;
      }
      process.stdout.write(`${summary([...fileMs], tests, s).join("\n")}\n`);
    });
  }
}

/** The end of a run: time per folder, the slowest files and tests, and the count line. */
function summary(files, tests, s) {
  const out = [];
  if (files.length > 0) {
    const folders = new Map();
    for (const [file, ms] of files) {
      const folder = file.split(path.sep).slice(0, 2).join("/");
      folders.set(folder, (folders.get(folder) ?? 0) + ms);
    }
    out.push(
      `\n[test] time per folder: ${[...folders].map(([f, ms]) => `${f} ${secs(ms)}`).join(", ")}`,
      `[test] the ${SLOWEST} slowest test files:`,
      ...[...files]
        .sort((a, b) => b[1] - a[1])
        .slice(0, SLOWEST)
        .map(([f, ms]) => `  ${secs(ms).padStart(7)}  ${f}`),
      `[test] the ${SLOWEST} slowest tests:`,
      ...tests
        .sort((a, b) => b.ms - a.ms)
        .slice(0, SLOWEST)
        .map((t) => `  ${secs(t.ms).padStart(7)}  ${t.file}: ${t.title}`),
    );
  }
  const skipped = s.pending ? `, ${s.pending} skipped` : "";
  out.push(`\n${s.passes} passed, ${s.failures} failed${skipped}`);
  return out;
}
module.exports = CountingSpec;
module.exports.summary = summary;
