/**
 * The chaos soak, short (harness/soak/soak.ts; `npm run soak` runs the long one): a fixed seed
 * whose first steps rotate about two dozen passwords across both stacks (the TypeScript
 * program's dynamic resources and the Python program's through the plugin) while every kind of
 * fault strikes at least once: the provider or plugin killed, the CLI interrupted, terminated or
 * killed with its whole tree (then `pulumi cancel`), Milvus, Redis and Cassandra restarted,
 * connections dropped and stalled by the proxies, the emulator answering 5xx, 429, or late after
 * the reset took effect; some of them in the window where the database took the new password
 * and its answer is held. Nothing may be lost and every check of every step must pass.
 *
 * The soak starts its own servers: an embedded Milvus (startRealMilvus(), in harness/soak/world.ts;
 * named here so that scripts/test.js keeps this file in the worker that runs the Milvus files), a
 * Cassandra node, three Redis servers and the GeminiDB emulator, all on 127.0.0.1.
 */
import * as assert from "assert";
import { FAULT_KINDS } from "../../harness/soak/plan";
import { formatReport, runSoak } from "../../harness/soak/soak";

/** Chosen so that its first steps plan every kind of fault (harness/soak/plan.ts decides from it alone). */
const SEED = "soak-test-21917";
const ROTATIONS = 24;
/** Faults about three times as often as the long run's mix, so that a short run meets every kind. */
const FAULT_RATE = 3;
/** Random moments early in the operations, so that they land before a quick up is over. */
const MOMENT_SCALE = 0.4;

describe("soak: a short seeded chaos run (every fault kind) loses no password", function () {
  this.timeout(20 * 60_000);

  it(`seed ${SEED}, ${ROTATIONS} rotations: nothing lost, every check passes, every fault kind struck`, async () => {
    const report = await runSoak({
      seed: SEED,
      rotations: ROTATIONS,
      faultRate: FAULT_RATE,
      momentScale: MOMENT_SCALE,
      log: (line) => console.log(`      ${line}`),
    });
    console.log(
      formatReport(report)
        .split("\n")
        .map((l) => `      ${l}`)
        .join("\n"),
    );
    assert.deepStrictEqual(
      report.failures.map((f) => `step ${f.step}: ${f.check}: ${f.detail}`),
      [],
      "every check of every step passes",
    );
    assert.strictEqual(report.lost, 0, "no password lost");
    assert.ok(report.rotations >= ROTATIONS, `${report.rotations} rotations`);
    const missed = FAULT_KINDS.filter((k) => report.faults[k].delivered === 0);
    assert.deepStrictEqual(missed, [], "every kind of fault struck at least once");
    assert.ok(report.inWindow > 0 && report.atRandom > 0, "process faults both in the window and at random moments");
    assert.ok(report.recoveries > 0, "some up failed and was recovered by the next");
  });
});
