// Mocha's spec reporter, plus a last line "N passed, N failed[, N skipped]" so that a run
// that executed no test (or skipped some) is visible to whoever reads only the end.
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class CountingSpec extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      const skipped = s.pending ? `, ${s.pending} skipped` : "";
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed${skipped}\n`);
    });
  }
}
module.exports = CountingSpec;
